package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxLine is the longest line written whole; longer ones are split into P lines.
const maxLine = 16 << 10

// Writer writes CRI lines to a file, rotating it when it would grow past MaxSize: the
// full file is renamed <path>.<UTC time> and only the newest MaxFiles-1 rotated files are
// kept.
type Writer struct {
	Path     string
	MaxSize  int64
	MaxFiles int
	Now      func() time.Time

	mu   sync.Mutex
	f    *os.File
	size int64
	buf  []byte
}

func (w *Writer) open() error {
	if err := os.MkdirAll(filepath.Dir(w.Path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(w.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	w.f, w.size = f, st.Size()
	return nil
}

// WriteLine appends one line, rotating first when needed.
func (w *Writer) WriteLine(l Line) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	w.buf = Encode(w.buf[:0], l)
	if w.MaxSize > 0 && w.size > 0 && w.size+int64(len(w.buf)) > w.MaxSize {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	return err
}

func (w *Writer) rotate() error {
	w.f.Close()
	w.f = nil
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	if err := os.Rename(w.Path, w.Path+"."+now().UTC().Format("20060102-150405.000000000")); err != nil {
		return err
	}
	old := Rotated(w.Path)
	keep := w.MaxFiles - 1
	if keep < 0 {
		keep = 0
	}
	for len(old) > keep {
		_ = os.Remove(old[0])
		old = old[1:]
	}
	return w.open()
}

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// Rotated returns the rotated files of path, oldest first.
func Rotated(path string) []string {
	m, _ := filepath.Glob(path + ".2*")
	sort.Strings(m)
	return m
}

// Copy reads r line by line into w as stream, until EOF.
func Copy(w *Writer, stream string, r io.Reader, now func() time.Time) error {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			partial := b[len(b)-1] != '\n'
			if !partial {
				b = b[:len(b)-1]
			}
			if werr := w.WriteLine(Line{Time: now(), Stream: stream, Partial: partial && err == bufio.ErrBufferFull, Text: b}); werr != nil {
				return werr
			}
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return nil
		default:
			return err
		}
	}
}

// LoggerArg is the argument before the spec with which containerd's shim starts a container's
// log writer: `<binary> LoggerArg <max size>:<max files>:<path>`.
const LoggerArg = "seven-container-log"

// RunLogger is the logging binary's main: the shim hands it the container's stdout (fd 3)
// and stderr (fd 4) and waits until fd 5 is closed; spec is "<max size>:<max files>:<path>".
// It returns when both streams end.
func RunLogger(spec string) error {
	parts := strings.SplitN(spec, ":", 3)
	if len(parts) != 3 {
		return fmt.Errorf("container logger: bad spec %q", spec)
	}
	size, _ := strconv.ParseInt(parts[0], 10, 64)
	files, _ := strconv.Atoi(parts[1])
	w := &Writer{Path: parts[2], MaxSize: size, MaxFiles: files}
	defer w.Close()
	out, errf, ready := os.NewFile(3, "stdout"), os.NewFile(4, "stderr"), os.NewFile(5, "ready")
	if err := w.open(); err != nil {
		ready.Close()
		return fmt.Errorf("container logger: %w", err)
	}
	ready.Close()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []struct {
		name string
		f    *os.File
	}{{"stdout", out}, {"stderr", errf}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Copy(w, s.name, s.f, time.Now)
			// Keep draining on a write error, so the container never blocks on a full pipe.
			_, _ = io.Copy(io.Discard, s.f)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
