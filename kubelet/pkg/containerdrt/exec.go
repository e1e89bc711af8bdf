package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/containerd/containerd"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/cio"

	"seven.dev/kubelet/pkg/container"
)

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
	var stdin io.Reader
	if opts.Stdin != nil {
		stdin = opts.Stdin
	}
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil || opts.TTY {
		stderr = io.Discard
	}
	copts := []cio.Opt{cio.WithStreams(stdin, stdout, stderr)}
	if opts.TTY {
		copts = append(copts, cio.WithTerminal)
	}
	execID := "exec-" + newID()[:16]
	p, err := t.Exec(ctx, execID, &pspec, cio.NewCreator(copts...))
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	holds, err := holdReaders(ctx, p.IO().Config())
	defer closeAll(holds)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	// The process is deleted with a fresh context (ctx may be over by then).
	deleted := false
	defer func() {
		if !deleted {
			_, _ = p.Delete(r.ns(context.Background()), containerd.WithProcessKill)
		}
	}()
	exitC, err := p.Wait(ctx)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: wait: %w", id, err)
	}
	if err := p.Start(ctx); err != nil {
		return -1, fmt.Errorf("exec in %s: start %v: %w", id, opts.Command, err)
	}
	if opts.Stdin != nil && !opts.TTY {
		// Close the process's stdin once ours ends, so that `cat` and friends finish.
		go func() {
			if rc, ok := opts.Stdin.(interface{ Done() <-chan struct{} }); ok {
				select {
				case <-rc.Done():
				case <-ctx.Done():
				}
				_ = p.CloseIO(r.ns(context.Background()), containerd.WithStdinCloser)
			}
		}()
	}
	for {
		select {
		case st := <-exitC:
			// The shim's delete waits for its copy of the output; only then may the readers
			// see the end (and containerd's Process.Delete would cancel them first).
			_, derr := r.client.TaskService().DeleteProcess(r.ns(context.Background()), &tasksapi.DeleteProcessRequest{ContainerID: id, ExecID: execID})
			closeAll(holds)
			holds = nil
			if derr == nil {
				deleted = true
				p.IO().Wait()
				p.IO().Close()
			}
			code, _, err := st.Result()
			if err != nil {
				return -1, fmt.Errorf("exec in %s: %w", id, err)
			}
			return int(code), nil
		case sz, ok := <-opts.Resize:
			if !ok {
				opts.Resize = nil
				continue
			}
			_ = p.Resize(ctx, uint32(sz.Width), uint32(sz.Height))
		case <-ctx.Done():
			_ = p.Kill(r.ns(context.Background()), syscall.SIGKILL)
			return -1, errors.Join(ctx.Err())
		}
	}
}

// holdReaders opens the write end of the exec's output fifos, which succeeds only once
// cio's reader (opened lazily by a goroutine) is there: a short process's output written
// before that would be lost. The returned descriptors keep the readers from seeing the
// end of the output until they are closed.
func holdReaders(ctx context.Context, cfg cio.Config) ([]int, error) {
	var fds []int
	for _, path := range []string{cfg.Stdout, cfg.Stderr} {
		if path == "" || (cfg.Terminal && path == cfg.Stderr) {
			continue
		}
		for {
			fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
			if err == nil {
				fds = append(fds, fd)
				break
			}
			if !errors.Is(err, unix.ENXIO) { // ENXIO: no reader yet
				return fds, fmt.Errorf("open %s: %w", path, err)
			}
			select {
			case <-ctx.Done():
				return fds, ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	}
	return fds, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		_ = unix.Close(fd)
	}
}
