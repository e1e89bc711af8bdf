package ipmasq

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"seven.dev/flanneld/internal/nettest"
)

var (
	network = netip.MustParsePrefix("172.17.0.0/16")
	own     = netip.MustParsePrefix("172.17.23.0/24")
)

func TestRulesGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/rules.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got := Rules(network, own); string(got) != string(want) {
		t.Errorf("Rules =\n%s\nwant\n%s", got, want)
	}
}

// nsRunner runs the real iptables inside a test namespace.
type nsRunner struct{ ns string }

func (r nsRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) error {
	cmd := nettest.NSCommand(ctx, r.ns, name, args...)
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &ExitError{Cmd: name, Output: string(out), Err: err}
	}
	return nil
}

func save(t *testing.T, r nsRunner) string {
	t.Helper()
	out, err := nettest.NSCommand(context.Background(), r.ns, "iptables-save", "-t", "nat").Output()
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "-A") || strings.HasPrefix(l, ":FLANNEL") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// Apply twice (a restart) leaves one set of rules; Remove takes them all away.
func TestApplyAndRemoveInNamespace(t *testing.T) {
	if _, err := exec.LookPath("iptables-restore"); err != nil {
		t.Skip("no iptables-restore")
	}
	lab := nettest.New(t, "10.250")
	ns, err := lab.AddNS("ipt")
	if err != nil {
		t.Fatal(err)
	}
	r := nsRunner{ns: ns}
	ctx := context.Background()
	// Whatever else is in POSTROUTING stays, and our jump goes first.
	if err := r.Run(ctx, nil, "iptables", "-w", "-t", "nat", "-A", "POSTROUTING", "-s", "10.99.0.0/16", "-j", "MASQUERADE"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := Apply(ctx, r, network, own); err != nil {
			t.Fatal(err)
		}
	}
	want := strings.Join([]string{
		":FLANNEL-POSTRTG - [0:0]",
		`-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG`,
		"-A POSTROUTING -s 10.99.0.0/16 -j MASQUERADE",
		`-A FLANNEL-POSTRTG -s 172.17.0.0/16 -d 172.17.0.0/16 -m comment --comment "flanneld masq" -j RETURN`,
		`-A FLANNEL-POSTRTG -s 172.17.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE`,
		`-A FLANNEL-POSTRTG ! -s 172.17.0.0/16 -d 172.17.23.0/24 -m comment --comment "flanneld masq" -j RETURN`,
		`-A FLANNEL-POSTRTG ! -s 172.17.0.0/16 -d 172.17.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE`,
	}, "\n")
	if got := save(t, r); got != want {
		t.Errorf("nat table after two Applies:\n%s\nwant\n%s", got, want)
	}
	// A new subnet after a restart replaces the rules rather than adding to them.
	if err := Apply(ctx, r, network, netip.MustParsePrefix("172.17.24.0/24")); err != nil {
		t.Fatal(err)
	}
	if got := save(t, r); strings.Contains(got, "172.17.23.0/24") || !strings.Contains(got, "172.17.24.0/24") {
		t.Errorf("nat table after resubnet:\n%s", got)
	}
	for range 2 { // removing what is not there is fine
		if err := Remove(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := save(t, r); got != "-A POSTROUTING -s 10.99.0.0/16 -j MASQUERADE" {
		t.Errorf("nat table after Remove:\n%s", got)
	}
}

// failRunner fails every command with err.
type failRunner struct{ err error }

func (f failRunner) Run(context.Context, []byte, string, ...string) error { return f.err }

func TestRemoveWithoutIPTables(t *testing.T) {
	err := Remove(context.Background(), failRunner{&ExitError{Cmd: "iptables", Err: &exec.Error{Name: "iptables", Err: exec.ErrNotFound}}})
	if err != nil {
		t.Errorf("Remove on a machine without iptables = %v, want nil", err)
	}
	if err := Apply(context.Background(), failRunner{&ExitError{Cmd: "iptables-restore", Err: exec.ErrNotFound}}, network, own); err == nil {
		t.Error("Apply without iptables succeeded")
	}
}
