// Package privatecontainerd runs a containerd of its own for the node tests and podbench:
// its root, state, socket and log in one directory, no CRI plugin, so that it shares
// nothing with a containerd the machine may already run. Stop removes what ran under it
// (tasks, containers and the pods' cgroups of the namespaces named) before stopping it.
package privatecontainerd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/containerd/containerd"

	"seven.dev/kubelet/pkg/containerdrt"
)

// Binaries are the programs a node needs (deploy/install-deps.sh installs them).
var Binaries = []string{"containerd", "containerd-shim-runc-v2", "runc"}

// Daemon is a running containerd.
type Daemon struct {
	// Socket is its gRPC address (a path).
	Socket string
	// Log is its log file.
	Log string
	cmd *exec.Cmd
	log *os.File
}

// Missing names the first of Binaries not on $PATH, or is "".
func Missing() string {
	for _, b := range Binaries {
		if _, err := exec.LookPath(b); err != nil {
			return b
		}
	}
	return ""
}

// Start runs containerd in dir and waits (up to 20 s, or ctx) until it answers.
func Start(ctx context.Context, dir string) (*Daemon, error) {
	if b := Missing(); b != "" {
		return nil, fmt.Errorf("needs %s (deploy/install-deps.sh installs it)", b)
	}
	d := &Daemon{Socket: filepath.Join(dir, "c.sock"), Log: filepath.Join(dir, "containerd.log")}
	cfg := fmt.Sprintf("version = 2\nroot = %q\nstate = %q\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"+
		"[grpc]\n  address = %q\n[ttrpc]\n  address = %q\n[plugins.\"io.containerd.internal.v1.opt\"]\n  path = %q\n",
		filepath.Join(dir, "root"), filepath.Join(dir, "state"), d.Socket, d.Socket+".ttrpc", filepath.Join(dir, "opt"))
	cfgPath := filepath.Join(dir, "containerd.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	var err error
	if d.log, err = os.Create(d.Log); err != nil {
		return nil, err
	}
	d.cmd = exec.Command("containerd", "--config", cfgPath)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		d.log.Close()
		return nil, fmt.Errorf("start containerd: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		if c, err := containerd.New(d.Socket, containerd.WithTimeout(time.Second)); err == nil {
			_, verr := c.Version(ctx)
			c.Close()
			if verr == nil {
				return d, nil
			}
		}
		select {
		case <-ctx.Done():
			d.Stop()
			return nil, fmt.Errorf("containerd did not come up (see %s): %w", d.Log, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop removes the tasks, containers and pod cgroups of namespaces, then stops containerd
// (SIGTERM, SIGKILL after 10 s).
func (d *Daemon) Stop(namespaces ...string) error {
	var errs []error
	for _, ns := range namespaces {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := containerdrt.Purge(ctx, d.Socket, ns); err != nil {
			errs = append(errs, fmt.Errorf("clean namespace %s: %w", ns, err))
		}
		cancel()
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-done
	}
	d.log.Close()
	return errors.Join(errs...)
}
