package term

import (
	"context"
	"fmt"
	"io"

	xterm "golang.org/x/term"
)

// Size is a terminal's window size in character cells.
type Size struct {
	Width, Height uint16
}

// fder is what *os.File offers: the descriptor behind a reader or writer.
type fder interface{ Fd() uintptr }

// TTY is the local terminal of an interactive exec: stdin, and stdout when it is a
// terminal too (its size is the one that matters for output).
type TTY struct {
	in  int
	out int // -1 when stdout is not a terminal
}

// Open returns the terminal behind in (and out, when it is one), or false when in is not
// a terminal: a pipe, a file, or a reader that is not an *os.File.
func Open(in io.Reader, out io.Writer) (*TTY, bool) {
	fin, ok := in.(fder)
	if !ok || !xterm.IsTerminal(int(fin.Fd())) {
		return nil, false
	}
	t := &TTY{in: int(fin.Fd()), out: -1}
	if fout, ok := out.(fder); ok && xterm.IsTerminal(int(fout.Fd())) {
		t.out = int(fout.Fd())
	}
	return t, true
}

// MakeRaw puts the terminal in raw mode (no echo, no line editing, no signals from ^C: the
// remote terminal interprets every key). The returned function restores the previous
// state; it is safe to call more than once.
func (t *TTY) MakeRaw() (restore func(), err error) {
	st, err := xterm.MakeRaw(t.in)
	if err != nil {
		return nil, fmt.Errorf("putting the terminal in raw mode: %w", err)
	}
	done := false
	return func() {
		if !done {
			done = true
			_ = xterm.Restore(t.in, st)
		}
	}, nil
}

// Size is the window size, read from stdout when it is a terminal, else from stdin.
func (t *TTY) Size() (Size, bool) {
	fd := t.out
	if fd < 0 {
		fd = t.in
	}
	w, h, err := xterm.GetSize(fd)
	if err != nil || w <= 0 || h <= 0 {
		return Size{}, false
	}
	return Size{Width: uint16(w), Height: uint16(h)}, true
}

// MonitorSize sends the current size, then every new size after the window changes, until
// ctx ends (when the channel is closed).
func (t *TTY) MonitorSize(ctx context.Context) <-chan Size {
	out := make(chan Size, 1)
	changed, stop := notifyResize()
	go func() {
		defer close(out)
		defer stop()
		var last Size
		send := func() bool {
			sz, ok := t.Size()
			if !ok || sz == last {
				return true
			}
			last = sz
			select {
			case out <- sz:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if !send() {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				if !send() {
					return
				}
			}
		}
	}()
	return out
}
