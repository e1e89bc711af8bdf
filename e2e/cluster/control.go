package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"
)

// Restart stops the daemon name on node (node "" for the control plane) and starts it again
// with the same command line: with kill it is SIGKILLed (a crash), else SIGTERMed and given
// StopGrace (a clean restart). The new process replaces the old one in the state file. It
// does not wait for the daemon to be ready.
func (c *Cluster) Restart(name, node string, kill bool) error {
	p, ok := c.proc(name, node)
	if !ok {
		return fmt.Errorf("no %s on %q in this cluster", name, node)
	}
	if kill {
		if alive(p) {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
		if left := waitGone([]Proc{p}, 10*time.Second); len(left) > 0 {
			return fmt.Errorf("%s (pid %d) survived SIGKILL", name, p.PID)
		}
	} else if _, survived := stopProcs([]Proc{p}, c.Config.StopGrace); len(survived) > 0 {
		return fmt.Errorf("%s (pid %d) survived SIGKILL", name, p.PID)
	}
	return c.respawn(p)
}

// proc returns the latest recorded process name on node.
func (c *Cluster) proc(name, node string) (Proc, bool) {
	ps := c.st.snapshot().Processes
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Name == name && ps[i].Node == node {
			return ps[i], true
		}
	}
	return Proc{}, false
}

// respawn starts p's command line again and records the new process in p's place.
func (c *Cluster) respawn(p Proc) error {
	if len(p.Argv) == 0 {
		return fmt.Errorf("%s: no command line recorded", p.Name)
	}
	s, err := spawn(Proc{Name: p.Name, Node: p.Node, Log: p.Log, Argv: p.Argv})
	if err != nil {
		return err
	}
	return c.st.update(func(st *State) {
		for i := range st.Processes {
			if st.Processes[i].PID == p.PID && st.Processes[i].Name == p.Name {
				st.Processes[i] = s.Proc
				return
			}
		}
		st.Processes = append(st.Processes, s.Proc)
	})
}

// nodeIndex is the 1-based index of the node called name.
func (c *Cluster) nodeIndex(name string) (int, error) {
	for i, n := range c.Nodes {
		if n.Name == name {
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("no node %q in this cluster", name)
}

// KillNode makes a node fail as a machine does: its daemons are SIGKILLed, its containers
// killed and removed, its pod network mounts dropped, and its network namespace and underlay
// link deleted, so nothing answers at its address. StartNode brings it back.
func (c *Cluster) KillNode(ctx context.Context, name string) error {
	i, err := c.nodeIndex(name)
	if err != nil {
		return err
	}
	var ps []Proc
	for _, p := range c.st.snapshot().Processes {
		if p.Node == name && alive(p) {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
			ps = append(ps, p)
		}
	}
	var errs []error
	if left := waitGone(ps, 10*time.Second); len(left) > 0 {
		errs = append(errs, fmt.Errorf("node %s: %d daemons survived SIGKILL", name, len(left)))
	}
	if sock := c.st.snapshot().ContainerdSocket; sock != "" {
		errs = append(errs, removeContainersIn(ctx, sock, c.Config.Prefix+"-"+name)...)
	}
	errs = append(errs, unmountUnder(c.Config.NodeDir(i))...)
	if _, err := sh(ctx, "ip", "netns", "del", c.Config.Netns(i)); err != nil {
		errs = append(errs, err)
	}
	if linkExists(ctx, c.Config.HostVeth(i)) {
		if _, err := sh(ctx, "ip", "link", "del", c.Config.HostVeth(i)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// StartNode brings back a node KillNode removed: its namespace and link, then its daemons
// with their former command lines.
func (c *Cluster) StartNode(ctx context.Context, name string) error {
	i, err := c.nodeIndex(name)
	if err != nil {
		return err
	}
	if !netnsExists(ctx, c.Config.Netns(i)) {
		if err := addNodeNetns(ctx, c.Config, c.st, i); err != nil {
			return err
		}
	}
	var errs []error
	for _, d := range []string{"flanneld", "kubelet", "kube-proxy"} {
		p, ok := c.proc(d, name)
		if !ok || alive(p) {
			continue
		}
		errs = append(errs, c.respawn(p))
	}
	return errors.Join(errs...)
}

// removeContainersIn kills and removes every task and container of one containerd namespace.
func removeContainersIn(ctx context.Context, sock, ns string) []error {
	ctr := func(args ...string) (string, error) {
		return sh(ctx, "ctr", append([]string{"--address", sock, "--timeout", "10s", "-n", ns}, args...)...)
	}
	tasks, _ := ctr("tasks", "ls", "-q")
	for _, id := range strings.Fields(tasks) {
		_, _ = ctr("tasks", "kill", "-s", "SIGKILL", id)
	}
	var errs []error
	for _, id := range strings.Fields(tasks) {
		if _, err := ctr("tasks", "delete", "-f", id); err != nil && !strings.Contains(err.Error(), "not found") {
			errs = append(errs, err)
		}
	}
	ctrs, _ := ctr("containers", "ls", "-q")
	for _, id := range strings.Fields(ctrs) {
		if _, err := ctr("containers", "delete", id); err != nil && !strings.Contains(err.Error(), "not found") {
			errs = append(errs, err)
		}
	}
	// The pods' cgroups: the kubelet's cgroup root is /seven/<namespace> in every hierarchy.
	const rmCgroups = `rc=0; for d in /sys/fs/cgroup/*/seven/"$1" /sys/fs/cgroup/seven/"$1"; do
  if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + || rc=1; rmdir "${d%/*}" 2>/dev/null; fi
done; exit $rc`
	if _, err := sh(ctx, "sh", "-c", rmCgroups, "sh", ns); err != nil {
		errs = append(errs, fmt.Errorf("remove cgroups of %s: %w", ns, err))
	}
	return errs
}
