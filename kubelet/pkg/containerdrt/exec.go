package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/defaults"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/fifo"

	"seven.dev/kubelet/pkg/container"
)

// drainTimeout bounds how long an exec's output is read once the shim has deleted the
// process (it has closed its ends of the FIFOs by then, so the rest is already buffered).
const drainTimeout = 10 * time.Second

// Exec implements container.Runtime.
func (r *Runtime) Exec(ctx context.Context, id string, opts container.ExecOptions) (int, error) {
	ctx = r.ns(ctx)
	c, err := r.client.LoadContainer(ctx, id)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w: %w", id, container.ErrNotFound, err)
	}
	spec, err := c.Spec(ctx)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: spec: %w", id, err)
	}
	t, err := c.Task(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: container is not running: %w", id, err)
	}
	pspec := *spec.Process
	pspec.Args = opts.Command
	pspec.Terminal = opts.TTY
	execID := "exec-" + newID()[:16]
	eio, err := newExecIO(defaults.DefaultFIFODir, execID, opts)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	defer eio.Close()
	p, err := t.Exec(ctx, execID, &pspec, func(string) (cio.IO, error) { return eio, nil })
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	// The process is deleted with a fresh context (ctx may be over by then).
	bg := r.ns(context.Background())
	deleted := false
	defer func() {
		if !deleted {
			_, _ = p.Delete(bg, containerd.WithProcessKill)
		}
	}()
	exitC, err := p.Wait(ctx)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: wait: %w", id, err)
	}
	if err := p.Start(ctx); err != nil {
		return -1, fmt.Errorf("exec in %s: start %v: %w", id, opts.Command, err)
	}
	if opts.Stdin != nil {
		// Ends with opts.Stdin, which the caller ends (remotecommand does once the client
		// closes stdin or Exec has returned).
		go eio.copyStdin(opts.Stdin, func() { r.closeExecStdin(bg, p, id) })
	}
	for {
		select {
		case st := <-exitC:
			code, _, err := st.Result()
			if err != nil {
				return -1, fmt.Errorf("exec in %s: %w", id, err)
			}
			// The shim's delete waits for its copy of the output into the FIFOs and closes
			// its ends; only then does eio (through Cancel and Wait) let its readers end.
			deleted = true
			if _, err := p.Delete(bg); err != nil {
				return -1, fmt.Errorf("exec in %s: delete exec %s: %w", id, execID, err)
			}
			return int(code), nil
		case sz, ok := <-opts.Resize:
			if !ok {
				opts.Resize = nil
				continue
			}
			_ = p.Resize(ctx, uint32(sz.Width), uint32(sz.Height))
		case <-ctx.Done():
			_ = p.Kill(bg, syscall.SIGKILL)
			return -1, fmt.Errorf("exec in %s: %w", id, ctx.Err())
		}
	}
}

// closeExecStdin has the shim close its own write end of the exec's stdin FIFO, without
// which the process never reads the end of its input: a failure is retried and logged.
func (r *Runtime) closeExecStdin(ctx context.Context, p containerd.Process, id string) {
	var err error
	for i := 0; i < 5; i++ {
		if err = p.CloseIO(ctx, containerd.WithStdinCloser); err == nil || errdefs.IsNotFound(err) {
			return
		}
		time.Sleep(time.Duration(i+1) * 100 * time.Millisecond)
	}
	r.log.Warn("exec: the process's stdin could not be closed; it may wait for input", "container", id, "exec", p.ID(), "err", err)
}

// execIO is the kubelet's end of one exec's FIFOs, a cio.IO the client hands to
// containerd in place of cio.NewCreator's, whose readers open lazily and whose Cancel
// drops what they have not read yet. Here the read end of stdout and stderr is open before
// the shim learns the FIFOs' names, and a write end held from the start keeps the readers
// from seeing the end of the output before Cancel: a process that exits at once loses
// nothing, whenever the shim copies its output. Every descriptor is an *os.File, closed
// once.
type execIO struct {
	cfg     cio.Config
	fifos   *cio.FIFOSet
	readers []*os.File // stdout, stderr (without TTY)
	holds   []*os.File // write ends matching readers, closed by Cancel
	stdin   io.WriteCloser
	copies  sync.WaitGroup
	done    chan struct{} // closed when copies are over (once newExecIO succeeded)
	cancel  sync.Once
	close   sync.Once
	closeIn sync.Once // fifo's Close must not run twice at once
}

// newExecIO creates the FIFOs of exec id in a new directory under dir and starts copying
// their output to opts.Stdout and opts.Stderr (one at a time: probes pass one buffer for
// both).
func newExecIO(dir, id string, opts container.ExecOptions) (_ *execIO, err error) {
	fifos, err := cio.NewFIFOSetInDir(dir, id, opts.TTY)
	if err != nil {
		return nil, fmt.Errorf("fifo dir: %w", err)
	}
	x := &execIO{cfg: fifos.Config, fifos: fifos, done: make(chan struct{})}
	defer func() {
		if err != nil {
			_ = x.Close()
		}
	}()
	if opts.Stdin == nil {
		x.cfg.Stdin = ""
	} else if x.stdin, err = openStdin(x.cfg.Stdin); err != nil {
		return nil, err
	}
	if opts.TTY {
		x.cfg.Stderr = ""
	}
	var mu sync.Mutex
	for _, s := range []struct {
		path string
		w    io.Writer
	}{{x.cfg.Stdout, opts.Stdout}, {x.cfg.Stderr, opts.Stderr}} {
		if s.path == "" {
			continue
		}
		rd, hold, err := openOutput(s.path)
		if err != nil {
			return nil, err
		}
		x.readers, x.holds = append(x.readers, rd), append(x.holds, hold)
		w := s.w
		if w == nil {
			w = io.Discard
		}
		x.copies.Add(1)
		go func() {
			defer x.copies.Done()
			copyOutput(lockedWriter{&mu, w}, rd)
		}()
	}
	go func() { x.copies.Wait(); close(x.done) }()
	return x, nil
}

// openOutput makes an output FIFO and opens its read end (O_NONBLOCK: no writer yet), then
// a write end that keeps the reader from seeing the end of the output until it is closed.
func openOutput(path string) (rd, hold *os.File, err error) {
	if err := unix.Mkfifo(path, 0o700); err != nil {
		return nil, nil, fmt.Errorf("mkfifo %s: %w", path, err)
	}
	if rd, err = os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0); err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	if hold, err = os.OpenFile(path, os.O_WRONLY|unix.O_NONBLOCK, 0); err != nil {
		rd.Close()
		return nil, nil, fmt.Errorf("open %s for writing: %w", path, err)
	}
	return rd, hold, nil
}

// openStdin makes the stdin FIFO. Its write end opens once the shim reads it (after
// Start); writes wait for that, and Close gives up waiting.
func openStdin(path string) (io.WriteCloser, error) {
	w, err := fifo.OpenFifo(context.Background(), path, unix.O_WRONLY|unix.O_CREAT|unix.O_NONBLOCK, 0o700)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return w, nil
}

// copyOutput copies rd to w until the end of the output; once w fails (the client went
// away) it keeps reading, so that the process is never blocked on a full pipe.
func copyOutput(w io.Writer, rd io.Reader) {
	buf := make([]byte, 32<<10)
	if _, err := io.CopyBuffer(w, rd, buf); err == nil || !errors.Is(err, errWrite) {
		return
	}
	_, _ = io.CopyBuffer(io.Discard, rd, buf)
}

// errWrite marks lockedWriter's failures, so that copyOutput tells them from the reader's.
var errWrite = errors.New("write exec output")

// lockedWriter serialises the stdout and stderr copies, which may share a writer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("%w: %w", errWrite, err)
	}
	return n, nil
}

// copyStdin copies in to the process's stdin, then closes the FIFO and calls closeIO,
// which closes the shim's own write end, so that the process reads the end of its input.
func (x *execIO) copyStdin(in io.Reader, closeIO func()) {
	_, _ = io.Copy(x.stdin, in)
	x.closeStdin()
	closeIO()
}

func (x *execIO) closeStdin() {
	x.closeIn.Do(func() {
		if x.stdin != nil {
			_ = x.stdin.Close()
		}
	})
}

// Config implements cio.IO.
func (x *execIO) Config() cio.Config { return x.cfg }

// Cancel implements cio.IO: it closes the held write ends, so that the readers end once
// the shim has closed its own. containerd calls it after the shim deleted the process (or
// never started it), when the output is all in the FIFOs: nothing is dropped.
func (x *execIO) Cancel() {
	x.cancel.Do(func() {
		for _, f := range x.holds {
			_ = f.Close()
		}
	})
}

// Wait implements cio.IO: it waits for the output copies, at most drainTimeout (a shim
// that kept its write end open loses the rest of its output).
func (x *execIO) Wait() {
	select {
	case <-x.done:
		return
	case <-time.After(drainTimeout):
	}
	for _, f := range x.readers {
		_ = f.Close()
	}
	<-x.done
}

// Close implements cio.IO: it ends the copies (dropping what was not read: Cancel and Wait
// come first when the output matters) and removes the FIFOs. It may be called again.
func (x *execIO) Close() error {
	var err error
	x.close.Do(func() {
		x.Cancel()
		for _, f := range x.readers {
			_ = f.Close()
		}
		x.copies.Wait()
		x.closeStdin()
		err = x.fifos.Close()
	})
	return err
}
