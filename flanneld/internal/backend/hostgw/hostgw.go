// Package hostgw is flanneld's host-gw backend: no device and no encapsulation, just a route
// to every other node's subnet via that node's public IP on the external interface. It needs
// all nodes on one L2 segment.
//
// It owns the routes on the external interface that fall inside the overlay network and
// touches no other route.
package hostgw

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"seven.dev/flanneld/internal/backend"
	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/subnet"
)

// Backend is the host-gw backend.
type Backend struct {
	network netip.Prefix
	ext     backend.ExternalInterface
	nl      *netlink.Handle
	own     netip.Prefix
}

// New is the backend.Factory for host-gw.
func New(cfg *config.Config, ext backend.ExternalInterface, nl *netlink.Handle) (backend.Backend, error) {
	return &Backend{network: cfg.Network, ext: ext, nl: nl}, nil
}

// Prepare has no device to create; pods use the external interface's MTU.
func (b *Backend) Prepare(context.Context) (backend.Local, error) {
	return backend.Local{MTU: b.ext.MTU}, nil
}

// Activate remembers the node's own subnet, which never gets a route from here.
func (b *Backend) Activate(_ context.Context, own subnet.Lease) error {
	b.own = own.Subnet
	return nil
}

type route struct {
	subnet netip.Prefix
	gw     netip.Addr
}

// routesFor lists the routes remotes need, skipping the node's own subnet and leases that
// are not host-gw.
func routesFor(own netip.Prefix, self netip.Addr, remotes []subnet.Lease) []route {
	var out []route
	for _, l := range remotes {
		if l.Subnet == own || l.Attrs.PublicIP == self || l.Attrs.BackendType != config.TypeHostGW {
			continue
		}
		out = append(out, route{subnet: l.Subnet, gw: l.Attrs.PublicIP})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].subnet.Addr().Less(out[j].subnet.Addr()) })
	return out
}

// Reconcile makes the main table hold exactly one route per remote subnet, via its node.
func (b *Backend) Reconcile(_ context.Context, remotes []subnet.Lease) error {
	idx := b.ext.Index
	routes, err := backend.Dump(func() ([]netlink.Route, error) {
		return b.nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{LinkIndex: idx, Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return fmt.Errorf("host-gw: list routes on %s: %w", b.ext.Name, err)
	}
	have := map[netip.Prefix]netlink.Route{}
	for _, r := range routes {
		p, ok := backend.PrefixOf(r.Dst)
		// Only gateway routes inside the overlay are ours: the interface's own connected
		// route and anything an operator added elsewhere are left alone.
		if !ok || r.Gw == nil || p == b.own || !b.network.Contains(p.Addr()) || p.Bits() < b.network.Bits() {
			continue
		}
		have[p] = r
	}
	var errs []error
	want := map[netip.Prefix]bool{}
	for _, r := range routesFor(b.own, b.ext.PublicIP, remotes) {
		want[r.subnet] = true
		gw := net.IP(r.gw.AsSlice())
		if cur, ok := have[r.subnet]; ok && cur.Gw.Equal(gw) {
			continue
		}
		nr := &netlink.Route{LinkIndex: idx, Dst: backend.IPNet(r.subnet), Gw: gw}
		if err := b.nl.RouteReplace(nr); err != nil {
			errs = append(errs, fmt.Errorf("route %s via %s dev %s: %w", r.subnet, r.gw, b.ext.Name, err))
		}
	}
	for p, r := range have {
		if !want[p] {
			if err := b.nl.RouteDel(&r); err != nil && !errors.Is(err, syscall.ESRCH) {
				errs = append(errs, fmt.Errorf("delete route %s: %w", p, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("host-gw: reconcile: %w", errors.Join(errs...))
	}
	return nil
}
