package containerdrt

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/kubelet/pkg/container"
)

// shimWrite does what the shim does with an output FIFO: open it for writing, write,
// close.
func shimWrite(path, data string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func TestExecIOOutput(t *testing.T) {
	for _, tc := range []struct {
		name       string
		tty        bool
		wantStderr string
	}{
		{name: "pipes", wantStderr: "err\n"},
		{name: "tty", tty: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			x, err := newExecIO(t.TempDir(), "e", container.ExecOptions{Stdout: &stdout, Stderr: &stderr, TTY: tc.tty})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			cfg := x.Config()
			if cfg.Stdin != "" || cfg.Terminal != tc.tty || (cfg.Stderr == "") != tc.tty {
				t.Fatalf("config %+v", cfg)
			}
			// The process wrote and exited, the shim closed its ends: the readers still wait
			// for Cancel, which containerd calls once the shim deleted the process.
			if err := shimWrite(cfg.Stdout, "hi\n"); err != nil {
				t.Fatal(err)
			}
			if !tc.tty {
				if err := shimWrite(cfg.Stderr, "err\n"); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-x.done:
				t.Fatal("the copies ended before Cancel")
			case <-time.After(50 * time.Millisecond):
			}
			x.Cancel()
			x.Wait()
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != "hi\n" || stderr.String() != tc.wantStderr {
				t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
			if _, err := os.Stat(cfg.Stdout); !os.IsNotExist(err) {
				t.Fatalf("FIFO left after Close: %v", err)
			}
		})
	}
}

// TestExecIOCloseTwice: Cancel and Close may come again (containerd's Process.Delete, then
// Exec's deferred Close) and must leave descriptors opened since alone.
func TestExecIOCloseTwice(t *testing.T) {
	x, err := newExecIO(t.TempDir(), "e", container.ExecOptions{Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	x.Cancel()
	x.Wait()
	_ = x.Close()
	r, w, err := os.Pipe() // likely on the numbers x just freed
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	x.Cancel()
	_ = x.Close()
	if _, err := w.WriteString("still open"); err != nil {
		t.Fatalf("a later descriptor was closed: %v", err)
	}
}

// TestExecIOSharedWriter: probes pass one buffer as stdout and stderr (run with -race).
func TestExecIOSharedWriter(t *testing.T) {
	var out bytes.Buffer
	x, err := newExecIO(t.TempDir(), "e", container.ExecOptions{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	line := strings.Repeat("x", 99) + "\n"
	var wg sync.WaitGroup
	for _, path := range []string{x.Config().Stdout, x.Config().Stderr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := shimWrite(path, strings.Repeat(line, 1000)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	x.Cancel()
	x.Wait()
	if out.Len() != 2*1000*len(line) {
		t.Fatalf("got %d bytes, want %d", out.Len(), 2*1000*len(line))
	}
}

func TestExecIOStdin(t *testing.T) {
	in := strings.NewReader("input\n")
	x, err := newExecIO(t.TempDir(), "e", container.ExecOptions{Stdin: in, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	closed := make(chan struct{})
	go x.copyStdin(in, func() { close(closed) })
	// The shim opens its read end after Start, possibly after the copy began.
	time.Sleep(20 * time.Millisecond)
	f, err := os.OpenFile(x.Config().Stdin, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil || string(data) != "input\n" {
		t.Fatalf("stdin: %q, %v", data, err)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the shim's stdin was not closed")
	}
}

// TestExecIOCloseUnstarted: an exec that never started leaves no reader on stdin; Close
// must not wait for one.
func TestExecIOCloseUnstarted(t *testing.T) {
	x, err := newExecIO(t.TempDir(), "e", container.ExecOptions{Stdin: strings.NewReader(""), Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { x.Cancel(); x.Wait(); done <- x.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Close hung on %s", x.Config().Stdin)
	}
}
