// Package vxlan is flanneld's vxlan backend: one kernel vxlan device per node
// (flannel.<VNI>, learning off) and, for every other node, an fdb entry (its VTEP MAC → its
// public IP), a permanent neighbour (its subnet's network address → its VTEP MAC) and an
// onlink route (its subnet via that address on the device), exactly flannel's layout.
//
// It owns the device and everything on it, and touches nothing else.
package vxlan

import (
	"context"
	"encoding/json"
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

// Overhead is what vxlan encapsulation adds to a packet over IPv4: outer IP (20), UDP (8),
// vxlan (8) and inner Ethernet (14) headers.
const Overhead = 50

// LeaseData is the BackendData a vxlan node publishes.
type LeaseData struct {
	VNI     int    `json:"VNI"`
	VtepMAC string `json:"VtepMAC"`
}

// Backend is the vxlan backend.
type Backend struct {
	vni, port int
	ext       backend.ExternalInterface
	nl        *netlink.Handle

	index int // the device's ifindex, once prepared
	own   netip.Prefix
}

// New is the backend.Factory for vxlan.
func New(cfg *config.Config, ext backend.ExternalInterface, nl *netlink.Handle) (backend.Backend, error) {
	if ext.MTU <= Overhead {
		return nil, fmt.Errorf("vxlan: interface %s MTU %d leaves no room for vxlan's %d bytes", ext.Name, ext.MTU, Overhead)
	}
	return &Backend{vni: cfg.Backend.VNI, port: cfg.Backend.Port, ext: ext, nl: nl}, nil
}

// DeviceName is the device for vni, flannel's name.
func DeviceName(vni int) string { return fmt.Sprintf("flannel.%d", vni) }

// Prepare creates the device, or adopts the one a previous run left if it matches, so the
// VTEP MAC other nodes know stays valid across restarts.
func (b *Backend) Prepare(context.Context) (backend.Local, error) {
	name := DeviceName(b.vni)
	want := &netlink.Vxlan{
		LinkAttrs:    netlink.LinkAttrs{Name: name, MTU: b.ext.MTU - Overhead},
		VxlanId:      b.vni,
		VtepDevIndex: b.ext.Index,
		SrcAddr:      b.ext.Addr.AsSlice(),
		Port:         b.port,
		Learning:     false,
	}
	link, err := b.nl.LinkByName(name)
	switch {
	case err == nil && compatible(link, want):
	case err == nil:
		// Left by a run with another VNI, port or underlay: flannel recreates it too.
		if err := b.nl.LinkDel(link); err != nil {
			return backend.Local{}, fmt.Errorf("vxlan: delete incompatible device %s: %w", name, err)
		}
		fallthrough
	default:
		var nf netlink.LinkNotFoundError
		if err != nil && !errors.As(err, &nf) {
			return backend.Local{}, fmt.Errorf("vxlan: look up device %s: %w", name, err)
		}
		if err := b.nl.LinkAdd(want); err != nil && !errors.Is(err, syscall.EEXIST) {
			return backend.Local{}, fmt.Errorf("vxlan: create device %s (VNI %d, port %d, on %s): %w", name, b.vni, b.port, b.ext.Name, err)
		}
		if link, err = b.nl.LinkByName(name); err != nil {
			return backend.Local{}, fmt.Errorf("vxlan: look up device %s: %w", name, err)
		}
	}
	if link.Attrs().MTU != want.MTU {
		if err := b.nl.LinkSetMTU(link, want.MTU); err != nil {
			return backend.Local{}, fmt.Errorf("vxlan: set %s MTU %d: %w", name, want.MTU, err)
		}
	}
	if err := b.nl.LinkSetUp(link); err != nil {
		return backend.Local{}, fmt.Errorf("vxlan: set %s up: %w", name, err)
	}
	b.index = link.Attrs().Index
	data, err := json.Marshal(LeaseData{VNI: b.vni, VtepMAC: link.Attrs().HardwareAddr.String()})
	if err != nil {
		return backend.Local{}, err
	}
	return backend.Local{Data: data, MTU: want.MTU}, nil
}

func compatible(l netlink.Link, want *netlink.Vxlan) bool {
	v, ok := l.(*netlink.Vxlan)
	return ok && v.VxlanId == want.VxlanId && v.Port == want.Port && v.VtepDevIndex == want.VtepDevIndex &&
		v.SrcAddr.Equal(want.SrcAddr) && !v.Learning
}

// Activate gives the device the node's subnet's network address as a /32 (and no other
// address), the address other nodes' routes point at.
func (b *Backend) Activate(_ context.Context, own subnet.Lease) error {
	link, err := b.link()
	if err != nil {
		return err
	}
	want := &netlink.Addr{IPNet: &net.IPNet{IP: own.Subnet.Addr().AsSlice(), Mask: net.CIDRMask(32, 32)}}
	addrs, err := backend.Dump(func() ([]netlink.Addr, error) { return b.nl.AddrList(link, netlink.FAMILY_V4) })
	if err != nil {
		return fmt.Errorf("vxlan: addresses of %s: %w", link.Attrs().Name, err)
	}
	for _, a := range addrs {
		if !a.IPNet.IP.Equal(want.IP) || a.IPNet.Mask.String() != want.Mask.String() {
			if err := b.nl.AddrDel(link, &a); err != nil {
				return fmt.Errorf("vxlan: remove stale address %s from %s: %w", a.IPNet, link.Attrs().Name, err)
			}
		}
	}
	if err := b.nl.AddrReplace(link, want); err != nil {
		return fmt.Errorf("vxlan: add address %s to %s: %w", want.IPNet, link.Attrs().Name, err)
	}
	b.own = own.Subnet
	return nil
}

func (b *Backend) link() (netlink.Link, error) {
	if b.index == 0 {
		return nil, errors.New("vxlan: device not prepared")
	}
	l, err := b.nl.LinkByIndex(b.index)
	if err != nil {
		return nil, fmt.Errorf("vxlan: device %s is gone (restart flanneld to recreate it): %w", DeviceName(b.vni), err)
	}
	return l, nil
}

// peer is what the kernel must hold for one remote node.
type peer struct {
	subnet   netip.Prefix
	gw       netip.Addr // the subnet's network address: the remote device's address
	publicIP netip.Addr
	mac      net.HardwareAddr
}

// peersOf turns leases into the entries to program, skipping the node's own subnet and leases
// that are not vxlan or carry no usable VTEP MAC (returned as skipped, for logging).
func peersOf(own netip.Prefix, remotes []subnet.Lease) (peers []peer, skipped []error) {
	for _, l := range remotes {
		if l.Subnet == own {
			continue
		}
		if l.Attrs.BackendType != config.TypeVXLAN {
			skipped = append(skipped, fmt.Errorf("%s (%s) runs backend %q", l.Subnet, l.Attrs.PublicIP, l.Attrs.BackendType))
			continue
		}
		var d LeaseData
		if err := json.Unmarshal(l.Attrs.BackendData, &d); err != nil {
			skipped = append(skipped, fmt.Errorf("%s (%s): BackendData: %w", l.Subnet, l.Attrs.PublicIP, err))
			continue
		}
		mac, err := net.ParseMAC(d.VtepMAC)
		if err != nil || len(mac) != 6 {
			skipped = append(skipped, fmt.Errorf("%s (%s): VtepMAC %q is not a MAC address", l.Subnet, l.Attrs.PublicIP, d.VtepMAC))
			continue
		}
		peers = append(peers, peer{subnet: l.Subnet, gw: l.Subnet.Addr(), publicIP: l.Attrs.PublicIP, mac: mac})
	}
	sort.Slice(peers, func(i, j int) bool { return peers[i].subnet.Addr().Less(peers[j].subnet.Addr()) })
	return peers, skipped
}

// Reconcile programs exactly remotes on the device. Entries are added fdb → neighbour →
// route, so a route never points at an address the kernel cannot yet resolve, and removed in
// the opposite order. It carries on past individual failures and returns them all.
func (b *Backend) Reconcile(_ context.Context, remotes []subnet.Lease) error {
	peers, skipped := peersOf(b.own, remotes)
	idx := b.index
	if _, err := b.link(); err != nil {
		return err
	}
	routes, err := backend.Dump(func() ([]netlink.Route, error) {
		return b.nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{LinkIndex: idx, Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return fmt.Errorf("vxlan: list routes: %w", err)
	}
	neighs, err := backend.Dump(func() ([]netlink.Neigh, error) { return b.nl.NeighList(idx, netlink.FAMILY_V4) })
	if err != nil {
		return fmt.Errorf("vxlan: list neighbours: %w", err)
	}
	fdb, err := backend.Dump(func() ([]netlink.Neigh, error) { return b.nl.NeighList(idx, unix.AF_BRIDGE) })
	if err != nil {
		return fmt.Errorf("vxlan: list fdb: %w", err)
	}

	haveRoute := map[netip.Prefix]netlink.Route{}
	for _, r := range routes {
		if p, ok := backend.PrefixOf(r.Dst); ok {
			haveRoute[p] = r
		}
	}
	haveNeigh := map[netip.Addr]netlink.Neigh{}
	for _, n := range neighs {
		if a, ok := netip.AddrFromSlice(n.IP.To4()); ok && n.State&netlink.NUD_PERMANENT != 0 {
			haveNeigh[a] = n
		}
	}
	haveFDB := map[string]netlink.Neigh{}
	for _, n := range fdb {
		haveFDB[fdbKey(n.HardwareAddr, n.IP)] = n
	}

	errs := skippedErr(skipped)
	wantRoute := map[netip.Prefix]bool{}
	wantNeigh := map[netip.Addr]bool{}
	wantFDB := map[string]bool{}
	for _, p := range peers {
		gw := net.IP(p.gw.AsSlice())
		fk := fdbKey(p.mac, p.publicIP.AsSlice())
		wantFDB[fk] = true
		if _, ok := haveFDB[fk]; !ok {
			err := b.nl.NeighSet(&netlink.Neigh{LinkIndex: idx, Family: unix.AF_BRIDGE, Flags: netlink.NTF_SELF,
				State: netlink.NUD_PERMANENT, IP: p.publicIP.AsSlice(), HardwareAddr: p.mac})
			if err != nil {
				errs = append(errs, fmt.Errorf("fdb %s dst %s: %w", p.mac, p.publicIP, err))
				continue
			}
		}
		wantNeigh[p.gw] = true
		if n, ok := haveNeigh[p.gw]; !ok || n.HardwareAddr.String() != p.mac.String() {
			err := b.nl.NeighSet(&netlink.Neigh{LinkIndex: idx, Family: netlink.FAMILY_V4, State: netlink.NUD_PERMANENT,
				Type: unix.RTN_UNICAST, IP: gw, HardwareAddr: p.mac})
			if err != nil {
				errs = append(errs, fmt.Errorf("neighbour %s lladdr %s: %w", p.gw, p.mac, err))
				continue
			}
		}
		wantRoute[p.subnet] = true
		if r, ok := haveRoute[p.subnet]; !ok || !r.Gw.Equal(gw) || r.Flags&int(netlink.FLAG_ONLINK) == 0 {
			err := b.nl.RouteReplace(&netlink.Route{LinkIndex: idx, Dst: backend.IPNet(p.subnet), Gw: gw, Flags: int(netlink.FLAG_ONLINK)})
			if err != nil {
				errs = append(errs, fmt.Errorf("route %s via %s: %w", p.subnet, p.gw, err))
			}
		}
	}

	for p, r := range haveRoute {
		if !wantRoute[p] {
			if err := b.nl.RouteDel(&r); err != nil && !errors.Is(err, syscall.ESRCH) {
				errs = append(errs, fmt.Errorf("delete route %s: %w", p, err))
			}
		}
	}
	for a, n := range haveNeigh {
		if !wantNeigh[a] {
			if err := b.nl.NeighDel(&n); err != nil && !errors.Is(err, syscall.ENOENT) {
				errs = append(errs, fmt.Errorf("delete neighbour %s: %w", a, err))
			}
		}
	}
	for k, n := range haveFDB {
		if !wantFDB[k] {
			// A MAC whose destination changed was already rewritten by NeighSet above, so
			// its old entry may be gone: ENOENT is fine.
			if err := b.nl.NeighDel(&n); err != nil && !errors.Is(err, syscall.ENOENT) {
				errs = append(errs, fmt.Errorf("delete fdb %s dst %s: %w", n.HardwareAddr, n.IP, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("vxlan: reconcile %s: %w", DeviceName(b.vni), errors.Join(errs...))
	}
	return nil
}

func skippedErr(skipped []error) []error {
	out := make([]error, 0, len(skipped))
	for _, s := range skipped {
		out = append(out, fmt.Errorf("skipped lease %w", s))
	}
	return out
}

func fdbKey(mac net.HardwareAddr, ip net.IP) string { return mac.String() + "/" + ip.String() }
