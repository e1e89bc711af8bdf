package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// containerdConfig is the cluster's own containerd: its own root, state and sockets, so it
// never meets the machine's containerd, and no CRI plugin (the kubelet uses the client API).
func containerdConfig(dir, sock string) string {
	return fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = %q
[ttrpc]
  address = %q
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc", filepath.Join(dir, "opt"))
}

// writeContainerdConfig writes the config into cfg's containerd directory and returns its path.
func writeContainerdConfig(cfg Config) (string, error) {
	dir := cfg.containerdDir()
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "config.toml")
	return path, os.WriteFile(path, []byte(containerdConfig(dir, cfg.ContainerdSocket())), 0o644)
}

// waitContainerd waits until containerd answers on sock.
func waitContainerd(ctx context.Context, sock string, s *started) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := sh(ctx, "ctr", "--address", sock, "version"); err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("containerd exited:\n%s", tail(s.Log, 15))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("containerd did not answer on %s within 20s:\n%s", sock, tail(s.Log, 15))
		}
	}
}

// removeContainers kills every task and deletes every container in every namespace of the
// containerd at sock (the kubelets' namespaces; the cluster's containerd holds nothing else).
func removeContainers(ctx context.Context, sock string) []error {
	if _, err := os.Stat(sock); err != nil {
		return nil
	}
	ctr := func(args ...string) (string, error) {
		return sh(ctx, "ctr", append([]string{"--address", sock, "--timeout", "10s"}, args...)...)
	}
	nss, err := ctr("namespaces", "ls", "-q")
	if err != nil {
		return nil // containerd is not running: nothing can run under it either (shims aside)
	}
	var errs []error
	for _, ns := range strings.Fields(nss) {
		errs = append(errs, removeContainersIn(ctx, sock, ns)...)
	}
	return errs
}

// shimsOf finds containerd-shim processes serving the containerd at sock: started by the
// cluster's containerd, they outlive it by design. Matched on the cluster's own socket path.
func shimsOf(sock string) []Proc {
	ents, _ := os.ReadDir("/proc")
	var out []Proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
		if len(args) == 0 || !bytes.Contains(args[0], []byte("containerd-shim")) {
			continue
		}
		for j := 0; j+1 < len(args); j++ {
			if string(args[j]) == "-address" && string(args[j+1]) == sock {
				st, _ := procStartTime(pid)
				out = append(out, Proc{Name: "containerd-shim", PID: pid, StartTime: st})
				break
			}
		}
	}
	return out
}

// unmountUnder lazily unmounts every mount point below dir, deepest first (container
// rootfs and volume mounts left by a crash).
func unmountUnder(dir string) []error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return []error{err}
	}
	var points []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		p := strings.ReplaceAll(f[4], `\040`, " ")
		if strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	var errs []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && err != syscall.EINVAL && err != syscall.ENOENT {
			errs = append(errs, fmt.Errorf("unmount %s: %w", p, err))
		}
	}
	return errs
}
