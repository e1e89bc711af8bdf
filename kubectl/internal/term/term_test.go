package term

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestOpenRefusesNonTerminals: exec -t falls back to no TTY for these (the terminal side is
// covered by cmd/kubectl's pseudo-terminal tests).
func TestOpenRefusesNonTerminals(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/in")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, in := range map[string]io.Reader{"reader": strings.NewReader("x"), "pipe": r, "file": f} {
		if _, ok := Open(in, os.Stdout); ok {
			t.Errorf("%s: taken for a terminal", name)
		}
	}
}
