package subnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"

	"seven.dev/flanneld/internal/config"
)

// ErrNoFreeSubnet means every subnet between SubnetMin and SubnetMax is leased.
var ErrNoFreeSubnet = errors.New("no free subnet")

// maxCandidates bounds the free subnets Choose picks among. Picking at random among many
// keeps nodes that start together from racing for the same subnet, as flannel does.
const maxCandidates = 100

// Choice is Choose's decision.
type Choice struct {
	// Subnet is the subnet to hold.
	Subnet netip.Prefix
	// Existing is the node's own lease to take over, or nil to create a new one.
	Existing *Lease
}

// Choose picks the subnet for the node with publicIP, given the leases that exist. In order:
// the previous subnet (from the node's subnet file) when it is free or already the node's;
// else a lease that already carries the node's public IP (its own lease from before a
// restart); else a free subnet picked at random by rnd among the first free ones.
func Choose(cfg *config.Config, leases []Lease, publicIP netip.Addr, previous netip.Prefix, rnd *rand.Rand) (Choice, error) {
	bySubnet := make(map[netip.Prefix]*Lease, len(leases))
	for i := range leases {
		bySubnet[leases[i].Subnet] = &leases[i]
	}
	if previous.IsValid() && cfg.Contains(previous) {
		l, taken := bySubnet[previous]
		switch {
		case !taken:
			return Choice{Subnet: previous}, nil
		case l.Attrs.PublicIP == publicIP:
			return Choice{Subnet: previous, Existing: l}, nil
		}
	}
	own := make([]*Lease, 0, 1)
	for i := range leases {
		if leases[i].Attrs.PublicIP == publicIP && cfg.Contains(leases[i].Subnet) {
			own = append(own, &leases[i])
		}
	}
	if len(own) > 0 {
		sort.Slice(own, func(i, j int) bool { return own[i].Subnet.Addr().Less(own[j].Subnet.Addr()) })
		return Choice{Subnet: own[0].Subnet, Existing: own[0]}, nil
	}

	free := make([]netip.Prefix, 0, maxCandidates)
	for i, n := 0, cfg.Capacity(); i < n && len(free) < maxCandidates; i++ {
		if p := cfg.SubnetAt(i); bySubnet[p] == nil {
			free = append(free, p)
		}
	}
	if len(free) == 0 {
		return Choice{}, fmt.Errorf("%w in %s between %s and %s: all %d are leased", ErrNoFreeSubnet, cfg.Network, cfg.SubnetMin, cfg.SubnetMax, cfg.Capacity())
	}
	return Choice{Subnet: free[rnd.IntN(len(free))]}, nil
}
