package iptables

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestWithTunable(t *testing.T) {
	for _, tc := range []struct{ env, want []string }{
		{[]string{"A=1"}, []string{"A=1", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
		{[]string{"GLIBC_TUNABLES=glibc.malloc.arena_max=2", "A=1"}, []string{"A=1", "GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"}},
		{[]string{"GLIBC_TUNABLES="}, []string{"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
	} {
		if got := withTunable(tc.env, "glibc.malloc.hugetlb=1"); !slices.Equal(got, tc.want) {
			t.Errorf("withTunable(%q) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestJumpSaved(t *testing.T) {
	// As iptables-save (legacy and nft, 1.8.9) prints them.
	for _, tc := range []struct {
		j    Jump
		want string
	}{
		{Jumps[0], `-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`},
		{Jumps[5], `-A INPUT -j KUBE-FIREWALL`},
		{Jumps[7], `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`},
	} {
		if got := tc.j.saved(); got != tc.want {
			t.Errorf("saved() = %s, want %s", got, tc.want)
		}
	}
}

// TestEnsureJumpsTwice runs EnsureJumps twice in a throwaway namespace (root only): the
// second run finds every jump in iptables-save's output and adds none.
func TestEnsureJumpsTwice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for _, bin := range []string{"ip", "iptables", "iptables-save"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("needs %s", bin)
		}
	}
	ns := fmt.Sprintf("kp-ipt-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	r := Runner{Prefix: []string{"ip", "netns", "exec", ns}}
	ctx := context.Background()
	for i := range 2 {
		chains, err := r.EnsureJumps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int]int{0: 0, 1: 2}[i]; len(chains) != want { // KUBE-SERVICES, KUBE-POSTROUTING
			t.Errorf("run %d: nat KUBE- chains %q, want %d", i, chains, want)
		}
	}
	out, err := r.Run(ctx, nil, "iptables-save")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range Jumps {
		if n := strings.Count(string(out), "\n"+j.saved()+"\n"); n != 1 {
			t.Errorf("%s appears %d times in:\n%s", j.saved(), n, out)
		}
	}
}
