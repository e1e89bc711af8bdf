package subnet

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"

	"seven.dev/flanneld/internal/config"
)

func mustConfig(t *testing.T, doc string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lease(subnet, publicIP string) Lease {
	return Lease{Subnet: netip.MustParsePrefix(subnet), Attrs: Attrs{PublicIP: netip.MustParseAddr(publicIP), BackendType: "vxlan"}}
}

func TestChoose(t *testing.T) {
	small := `{"Network":"10.9.0.0/16","SubnetMin":"10.9.1.0","SubnetMax":"10.9.3.0"}`
	me := "192.168.0.10"
	tests := []struct {
		name       string
		cfg        string
		leases     []Lease
		previous   string
		want       []string // acceptable subnets
		wantAdopt  bool
		wantNoFree bool
	}{
		{name: "empty network", cfg: small, want: []string{"10.9.1.0/24", "10.9.2.0/24", "10.9.3.0/24"}},
		{name: "only one free", cfg: small, leases: []Lease{lease("10.9.1.0/24", "192.168.0.1"), lease("10.9.3.0/24", "192.168.0.3")}, want: []string{"10.9.2.0/24"}},
		{name: "previous free", cfg: small, previous: "10.9.3.0/24", want: []string{"10.9.3.0/24"}},
		{name: "previous still ours", cfg: small, leases: []Lease{lease("10.9.3.0/24", me)}, previous: "10.9.3.0/24", want: []string{"10.9.3.0/24"}, wantAdopt: true},
		{name: "previous taken by another", cfg: small, leases: []Lease{lease("10.9.3.0/24", "192.168.0.3"), lease("10.9.1.0/24", "192.168.0.1")}, previous: "10.9.3.0/24", want: []string{"10.9.2.0/24"}},
		{name: "previous outside the range", cfg: small, leases: []Lease{lease("10.9.1.0/24", "192.168.0.1"), lease("10.9.2.0/24", "192.168.0.2")}, previous: "10.9.200.0/24", want: []string{"10.9.3.0/24"}},
		{name: "own lease found by public IP", cfg: small, leases: []Lease{lease("10.9.1.0/24", "192.168.0.1"), lease("10.9.2.0/24", me)}, want: []string{"10.9.2.0/24"}, wantAdopt: true},
		{name: "own lease outside today's range is not reused", cfg: small, leases: []Lease{lease("10.9.9.0/24", me)}, want: []string{"10.9.1.0/24", "10.9.2.0/24", "10.9.3.0/24"}},
		{name: "exhausted", cfg: small, leases: []Lease{lease("10.9.1.0/24", "192.168.0.1"), lease("10.9.2.0/24", "192.168.0.2"), lease("10.9.3.0/24", "192.168.0.3")}, wantNoFree: true},
		{name: "exhausted but one is ours", cfg: small, leases: []Lease{lease("10.9.1.0/24", "192.168.0.1"), lease("10.9.2.0/24", me), lease("10.9.3.0/24", "192.168.0.3")}, want: []string{"10.9.2.0/24"}, wantAdopt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustConfig(t, tt.cfg)
			var prev netip.Prefix
			if tt.previous != "" {
				prev = netip.MustParsePrefix(tt.previous)
			}
			got, err := Choose(cfg, tt.leases, netip.MustParseAddr(me), prev, rand.New(rand.NewPCG(1, 2)))
			if tt.wantNoFree {
				if !errors.Is(err, ErrNoFreeSubnet) {
					t.Fatalf("Choose error = %v, want ErrNoFreeSubnet", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Choose: %v", err)
			}
			ok := false
			for _, w := range tt.want {
				ok = ok || got.Subnet == netip.MustParsePrefix(w)
			}
			if !ok {
				t.Errorf("Choose = %s, want one of %v", got.Subnet, tt.want)
			}
			if (got.Existing != nil) != tt.wantAdopt {
				t.Errorf("Choose adopt = %v, want %v", got.Existing != nil, tt.wantAdopt)
			}
		})
	}
}

// Every free subnet gets picked sometimes: nodes starting together spread out.
func TestChooseSpreads(t *testing.T) {
	cfg := mustConfig(t, `{"Network":"10.9.0.0/16"}`)
	rnd := rand.New(rand.NewPCG(3, 4))
	seen := map[netip.Prefix]bool{}
	for range 2000 {
		c, err := Choose(cfg, nil, netip.MustParseAddr("192.168.0.1"), netip.Prefix{}, rnd)
		if err != nil {
			t.Fatal(err)
		}
		if !cfg.Contains(c.Subnet) {
			t.Fatalf("Choose = %s, outside the config", c.Subnet)
		}
		seen[c.Subnet] = true
	}
	if len(seen) != maxCandidates {
		t.Errorf("picked %d distinct subnets, want all %d candidates", len(seen), maxCandidates)
	}
}

func TestExhaustionMessage(t *testing.T) {
	cfg := mustConfig(t, `{"Network":"10.9.0.0/16","SubnetMin":"10.9.1.0","SubnetMax":"10.9.1.0"}`)
	_, err := Choose(cfg, []Lease{lease("10.9.1.0/24", "192.168.0.1")}, netip.MustParseAddr("192.168.0.2"), netip.Prefix{}, rand.New(rand.NewPCG(1, 1)))
	want := "no free subnet in 10.9.0.0/16 between 10.9.1.0 and 10.9.1.0: all 1 are leased"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}
