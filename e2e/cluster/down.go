package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Down stops the cluster and removes everything it created; see the package function Down.
func (c *Cluster) Down() error {
	return Down(context.Background(), c.Config)
}

// Down removes the cluster recorded in cfg.Dir's state file, and any namespace or link named
// like cfg's that no state file records (a state file lost with its directory). In order:
// the node daemons, the scheduler and controller manager, every container of the cluster's
// containerd, containerd and its shims, the API server, mounts below cfg.Dir, iptables rules,
// namespaces, links, the data directories and the state file. Logs stay. Idempotent.
func Down(ctx context.Context, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return ErrNotRoot
	}
	sf, err := loadState(cfg.statePath())
	if err != nil {
		return err
	}
	s := sf.snapshot()
	var errs []error
	report := func(killed, survived []string) {
		if len(killed) > 0 {
			cfg.Logf("killed after %s: %s", cfg.StopGrace, strings.Join(killed, " "))
		}
		if len(survived) > 0 {
			errs = append(errs, fmt.Errorf("still running after SIGKILL: %s", strings.Join(survived, " ")))
		}
	}
	isNode := func(p Proc) bool { return p.Node != "" }
	byName := func(names ...string) func(Proc) bool {
		return func(p Proc) bool { return slices.Contains(names, p.Name) }
	}
	stop := func(match func(Proc) bool) {
		var ps []Proc
		for _, p := range s.Processes {
			if match(p) {
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 {
			report(stopProcs(ps, cfg.StopGrace))
		}
	}
	if len(s.Processes) > 0 {
		cfg.Logf("stopping the daemons of %s", cfg.Dir)
	}
	stop(isNode)
	stop(byName("kube-scheduler", "kube-controller-manager"))
	if s.ContainerdSocket != "" {
		errs = append(errs, removeContainers(ctx, s.ContainerdSocket)...)
		stop(byName("containerd"))
		report(stopProcs(shimsOf(s.ContainerdSocket), cfg.StopGrace))
	}
	stop(func(Proc) bool { return true }) // the API server, and anything else recorded
	errs = append(errs, unmountUnder(cfg.Dir)...)

	errs = append(errs, removeNetwork(ctx, s)...)
	errs = append(errs, removeNetwork(ctx, leftoversByName(ctx, cfg))...)
	if len(errs) > 0 {
		return errors.Join(errs...) // keep the state file: the next Down tries again
	}
	for _, d := range []string{"etcd", "nodes", "containerd"} {
		if err := os.RemoveAll(filepath.Join(cfg.Dir, d)); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, sf.remove())
	return errors.Join(errs...)
}
