package logs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteRotateRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	n := 0
	w := &Writer{Path: path, MaxSize: 200, MaxFiles: 3, Now: func() time.Time {
		n++
		return time.Date(2024, 1, 1, 0, 0, n, 0, time.UTC)
	}}
	var in bytes.Buffer
	for i := range 20 {
		fmt.Fprintf(&in, "line %d\n", i)
	}
	in.WriteString("tail-without-newline")
	if err := Copy(w, "stdout", &in, w.Now); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := len(Rotated(path)); got != 2 {
		t.Fatalf("%d rotated files, want 2", got)
	}
	read := func(o ReadOptions) string {
		var b bytes.Buffer
		if err := Read(context.Background(), path, o, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	all := read(ReadOptions{TailLines: -1})
	if !strings.HasSuffix(all, "line 19\ntail-without-newline\n") || strings.Contains(all, "line 0\n") {
		t.Fatalf("all: %q", all)
	}
	if got := read(ReadOptions{TailLines: 2}); got != "line 19\ntail-without-newline\n" {
		t.Fatalf("tail 2: %q", got)
	}
	if got := read(ReadOptions{TailLines: 1, Timestamps: true}); !strings.HasPrefix(got, "2024-01-01T00:00:") {
		t.Fatalf("timestamps: %q", got)
	}
	if got := read(ReadOptions{TailLines: -1, LimitBytes: 5}); len(got) != 5 {
		t.Fatalf("limit: %q", got)
	}
	if got := read(ReadOptions{TailLines: -1, Since: time.Date(2024, 1, 1, 0, 0, 20, 0, time.UTC)}); !strings.HasSuffix(all, got) || len(got) >= len(all) || got == "" {
		t.Fatalf("since: %q", got)
	}
}

func TestFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	w := &Writer{Path: path, MaxSize: 100, MaxFiles: 2}
	_ = w.WriteLine(Line{Time: time.Now(), Stream: "stdout", Text: []byte("first")})
	done := make(chan struct{})
	var b safeBuf
	go func() {
		defer close(done)
		running := func() bool { _, err := os.Stat(path + ".stop"); return err != nil }
		_ = Read(context.Background(), path, ReadOptions{TailLines: -1, Follow: true, Running: running, Poll: 10 * time.Millisecond}, &b)
	}()
	for i := range 10 {
		_ = w.WriteLine(Line{Time: time.Now(), Stream: "stdout", Text: []byte(fmt.Sprintf("more %d", i))})
		time.Sleep(20 * time.Millisecond)
	}
	_ = os.WriteFile(path+".stop", nil, 0o644)
	<-done
	got := b.String()
	if !strings.HasPrefix(got, "first\n") || !strings.HasSuffix(got, "more 9\n") {
		t.Fatalf("followed: %q", got)
	}
}

type safeBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *safeBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
