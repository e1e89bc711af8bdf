// Package underlay finds the node's external interface (flannel's -iface / -public-ip
// rules): the interface named or holding the address given, else the default route's.
// It only reads the kernel's state.
package underlay

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/vishvananda/netlink"

	"seven.dev/flanneld/internal/backend"
)

// Find returns the external interface. ifaces are tried in order, each an interface name or
// an address on one; empty means the default route's interface. publicIP, if set, is what
// other nodes are told to send to.
func Find(nl *netlink.Handle, ifaces []string, publicIP string) (backend.ExternalInterface, error) {
	var pub netip.Addr
	if publicIP != "" {
		var err error
		if pub, err = netip.ParseAddr(publicIP); err != nil || !pub.Is4() {
			return backend.ExternalInterface{}, fmt.Errorf("-public-ip %q is not an IPv4 address", publicIP)
		}
	}
	ext, err := find(nl, ifaces)
	if err != nil {
		return backend.ExternalInterface{}, err
	}
	ext.PublicIP = ext.Addr
	if pub.IsValid() {
		ext.PublicIP = pub
	}
	return ext, nil
}

func find(nl *netlink.Handle, ifaces []string) (backend.ExternalInterface, error) {
	if len(ifaces) == 0 {
		return defaultRouteInterface(nl)
	}
	var errs []error
	for _, spec := range ifaces {
		ext, err := byNameOrAddr(nl, strings.TrimSpace(spec))
		if err == nil {
			return ext, nil
		}
		errs = append(errs, err)
	}
	return backend.ExternalInterface{}, fmt.Errorf("no usable -iface: %w", errors.Join(errs...))
}

func byNameOrAddr(nl *netlink.Handle, spec string) (backend.ExternalInterface, error) {
	if a, err := netip.ParseAddr(spec); err == nil {
		links, err := nl.LinkList()
		if err != nil {
			return backend.ExternalInterface{}, fmt.Errorf("list interfaces: %w", err)
		}
		for _, l := range links {
			addrs, err := v4Addrs(nl, l)
			if err != nil {
				continue
			}
			for _, have := range addrs {
				if have == a {
					return describe(l, a), nil
				}
			}
		}
		return backend.ExternalInterface{}, fmt.Errorf("no interface has address %s", a)
	}
	l, err := nl.LinkByName(spec)
	if err != nil {
		return backend.ExternalInterface{}, fmt.Errorf("interface %q: %w", spec, err)
	}
	return withFirstAddr(nl, l)
}

func defaultRouteInterface(nl *netlink.Handle) (backend.ExternalInterface, error) {
	routes, err := backend.Dump(func() ([]netlink.Route, error) { return nl.RouteList(nil, netlink.FAMILY_V4) })
	if err != nil {
		return backend.ExternalInterface{}, fmt.Errorf("list routes: %w", err)
	}
	for _, r := range routes {
		if (r.Dst == nil || r.Dst.IP.IsUnspecified() && isZeroMask(r.Dst.Mask)) && r.LinkIndex > 0 {
			l, err := nl.LinkByIndex(r.LinkIndex)
			if err != nil {
				return backend.ExternalInterface{}, fmt.Errorf("default route's interface %d: %w", r.LinkIndex, err)
			}
			return withFirstAddr(nl, l)
		}
	}
	return backend.ExternalInterface{}, errors.New("no default route to pick the external interface from; set -iface")
}

func isZeroMask(m []byte) bool {
	for _, b := range m {
		if b != 0 {
			return false
		}
	}
	return true
}

func withFirstAddr(nl *netlink.Handle, l netlink.Link) (backend.ExternalInterface, error) {
	addrs, err := v4Addrs(nl, l)
	if err != nil {
		return backend.ExternalInterface{}, err
	}
	if len(addrs) == 0 {
		return backend.ExternalInterface{}, fmt.Errorf("interface %s has no IPv4 address", l.Attrs().Name)
	}
	return describe(l, addrs[0]), nil
}

func v4Addrs(nl *netlink.Handle, l netlink.Link) ([]netip.Addr, error) {
	addrs, err := backend.Dump(func() ([]netlink.Addr, error) { return nl.AddrList(l, netlink.FAMILY_V4) })
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", l.Attrs().Name, err)
	}
	var out []netip.Addr
	for _, a := range addrs {
		if a.Scope != int(netlink.SCOPE_UNIVERSE) {
			continue
		}
		if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok {
			out = append(out, ip)
		}
	}
	return out, nil
}

func describe(l netlink.Link, a netip.Addr) backend.ExternalInterface {
	return backend.ExternalInterface{Name: l.Attrs().Name, Index: l.Attrs().Index, MTU: l.Attrs().MTU, Addr: a}
}
