package cluster

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
)

// sh runs a short command and returns its trimmed output, or an error carrying that output.
func sh(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// shAll runs commands in order and stops at the first error.
func shAll(ctx context.Context, cmds ...[]string) error {
	for _, c := range cmds {
		if _, err := sh(ctx, c[0], c[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// addBridge creates the underlay bridge with the host address and records it.
func addBridge(ctx context.Context, cfg Config, st *stateFile) error {
	if _, err := sh(ctx, "ip", "link", "add", cfg.Bridge, "type", "bridge"); err != nil {
		return err
	}
	if err := st.update(func(s *State) { s.Links = append(s.Links, cfg.Bridge) }); err != nil {
		return err
	}
	return shAll(ctx,
		[]string{"ip", "addr", "add", cfg.HostIP() + "/24", "dev", cfg.Bridge},
		[]string{"ip", "link", "set", cfg.Bridge, "up"})
}

// addNodeNetns creates node i's namespace: a veth into the bridge (eth0 inside) with the
// node's address, lo up, a default route via the bridge address and IP forwarding on.
func addNodeNetns(ctx context.Context, cfg Config, st *stateFile, i int) error {
	ns, veth := cfg.Netns(i), cfg.HostVeth(i)
	if _, err := sh(ctx, "ip", "netns", "add", ns); err != nil {
		return err
	}
	if err := st.update(func(s *State) { s.Netns = appendNew(s.Netns, ns) }); err != nil {
		return err
	}
	if _, err := sh(ctx, "ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns); err != nil {
		return err
	}
	if err := st.update(func(s *State) { s.Links = appendNew(s.Links, veth) }); err != nil {
		return err
	}
	return shAll(ctx,
		[]string{"ip", "link", "set", veth, "master", cfg.Bridge, "up"},
		[]string{"ip", "-n", ns, "link", "set", "lo", "up"},
		[]string{"ip", "-n", ns, "addr", "add", cfg.NodeIP(i) + "/24", "dev", "eth0"},
		[]string{"ip", "-n", ns, "link", "set", "eth0", "up"},
		[]string{"ip", "-n", ns, "route", "add", "default", "via", cfg.HostIP()},
		[]string{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"})
}

// allowBridgeForward lets traffic between the nodes through the root namespace's FORWARD
// chain when its policy is not ACCEPT: with br_netfilter loaded, bridged frames traverse it,
// and a host firewall (docker sets DROP) would cut the nodes off from one another.
func allowBridgeForward(ctx context.Context, cfg Config, st *stateFile) error {
	out, err := sh(ctx, "iptables", "-t", "filter", "-S", "FORWARD")
	if err != nil || strings.Contains(out, "-P FORWARD ACCEPT") {
		return nil // no iptables, or nothing to open
	}
	rule := []string{"-t", "filter", "FORWARD", "-i", cfg.Bridge, "-o", cfg.Bridge,
		"-m", "comment", "--comment", "seven-cluster:" + cfg.Prefix, "-j", "ACCEPT"}
	if _, err := sh(ctx, "iptables", append([]string{"-I"}, rule...)...); err != nil {
		return err
	}
	return st.update(func(s *State) { s.IPTables = append(s.IPTables, rule) })
}

// removeNetwork deletes what s recorded: iptables rules, namespaces, links. Missing ones
// are not errors (Down is idempotent); the namespaces take their iptables, vxlan devices
// and the veths' inner ends with them.
func removeNetwork(ctx context.Context, s State) []error {
	var errs []error
	for _, r := range s.IPTables {
		if _, err := sh(ctx, "iptables", append([]string{"-D"}, r...)...); err != nil && !strings.Contains(err.Error(), "does a matching rule exist") && !strings.Contains(err.Error(), "Bad rule") {
			errs = append(errs, err)
		}
	}
	for _, ns := range s.Netns {
		if netnsExists(ctx, ns) {
			if _, err := sh(ctx, "ip", "netns", "del", ns); err != nil && netnsExists(ctx, ns) {
				errs = append(errs, err)
			}
		}
	}
	// Veths first (deleting the namespace usually took them already), the bridge last.
	for i := len(s.Links) - 1; i >= 0; i-- {
		if linkExists(ctx, s.Links[i]) {
			// A veth can vanish between the check and the delete: its namespace is going.
			if _, err := sh(ctx, "ip", "link", "del", s.Links[i]); err != nil && linkExists(ctx, s.Links[i]) {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// leftoversByName finds namespaces and links that carry cfg's names although no state file
// records them (a state file lost with its directory), so Up can remove them first.
func leftoversByName(ctx context.Context, cfg Config) State {
	s := State{Prefix: cfg.Prefix, Bridge: cfg.Bridge}
	nsRE := regexp.MustCompile("^" + regexp.QuoteMeta(cfg.Prefix) + `-node-\d+$`)
	if out, err := sh(ctx, "ip", "netns", "list"); err == nil {
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && nsRE.MatchString(f[0]) {
				s.Netns = append(s.Netns, f[0])
			}
		}
	}
	vethRE := regexp.MustCompile("^" + regexp.QuoteMeta(cfg.Prefix) + `-v\d+$`)
	if out, err := sh(ctx, "ip", "-o", "link", "show"); err == nil {
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
			if name == cfg.Bridge || vethRE.MatchString(name) {
				s.Links = append(s.Links, name)
			}
		}
	}
	// The bridge goes last (removeNetwork walks links backwards).
	for i, l := range s.Links {
		if l == cfg.Bridge && i != 0 {
			s.Links[0], s.Links[i] = s.Links[i], s.Links[0]
		}
	}
	return s
}

func netnsExists(ctx context.Context, ns string) bool {
	out, err := sh(ctx, "ip", "netns", "list")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == ns {
			return true
		}
	}
	return false
}

func linkExists(ctx context.Context, name string) bool {
	_, err := sh(ctx, "ip", "link", "show", "dev", name)
	return err == nil
}

// appendNew appends v to list unless it is there already (a node started again).
func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
