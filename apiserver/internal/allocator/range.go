package allocator

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// DefaultNodePortRange is kube-apiserver's default --service-node-port-range.
const DefaultNodePortRange = "30000-32767"

// CIDRRange is the set of usable addresses of an IPv4 CIDR: every address in it except the
// network and broadcast addresses. Usable addresses are numbered by offset, 0 being the
// first usable address (10.254.0.1 in 10.254.0.0/16), which callers reserve for the
// "kubernetes" Service. The zero CIDRRange is empty.
type CIDRRange struct {
	prefix netip.Prefix
	base   uint32 // the address at offset 0
	size   int
}

// NewCIDRRange parses an IPv4 CIDR such as "10.254.0.0/16". Host bits are masked off, as
// net.ParseCIDR does for --service-cluster-ip-range. A range must hold at least one usable
// address, so /31 and /32 are rejected; IPv6 is not supported.
func NewCIDRRange(cidr string) (CIDRRange, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return CIDRRange{}, fmt.Errorf("parse CIDR %q: %w", cidr, err)
	}
	if !p.Addr().Is4() {
		return CIDRRange{}, fmt.Errorf("parse CIDR %q: only IPv4 ranges are supported", cidr)
	}
	p = p.Masked()
	hostBits := 32 - p.Bits()
	size := (1 << hostBits) - 2 // minus network and broadcast
	if size < 1 {
		return CIDRRange{}, fmt.Errorf("CIDR %s is too small: it has no usable addresses", p)
	}
	return CIDRRange{prefix: p, base: addrToUint32(p.Addr()) + 1, size: size}, nil
}

// Size is the number of usable addresses.
func (r CIDRRange) Size() int { return r.size }

// Prefix is the CIDR the range was made from, host bits masked off.
func (r CIDRRange) Prefix() netip.Prefix { return r.prefix }

// String is the CIDR, as upstream's error messages show it: "10.254.0.0/16".
func (r CIDRRange) String() string {
	if !r.prefix.IsValid() {
		return ""
	}
	return r.prefix.String()
}

// Offset is the position of ip among the usable addresses, and false if ip is not one of
// them (outside the CIDR, or its network or broadcast address). IPv4-mapped IPv6 addresses
// are treated as their IPv4 form.
func (r CIDRRange) Offset(ip netip.Addr) (int, bool) {
	ip = ip.Unmap()
	if r.size == 0 || !ip.Is4() {
		return 0, false
	}
	v := addrToUint32(ip)
	if v < r.base {
		return 0, false
	}
	off := uint64(v - r.base)
	if off >= uint64(r.size) {
		return 0, false
	}
	return int(off), true
}

// Contains reports whether ip is a usable address of the range.
func (r CIDRRange) Contains(ip netip.Addr) bool {
	_, ok := r.Offset(ip)
	return ok
}

// IP is the address at offset, or the zero netip.Addr when offset is outside [0, Size()).
func (r CIDRRange) IP(offset int) netip.Addr {
	if offset < 0 || offset >= r.size {
		return netip.Addr{}
	}
	return uint32ToAddr(r.base + uint32(offset))
}

func addrToUint32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func uint32ToAddr(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// PortRange is a contiguous range of ports, numbered by offset from its first port.
// The zero PortRange is empty.
type PortRange struct {
	base int
	size int
}

// NewPortRange parses upstream's --service-node-port-range syntax: "30000-32767",
// "30000+2767" (first port plus count of further ports) or a single port "30000".
// Surrounding spaces are ignored. Unlike upstream's flag, an empty string is an error:
// an allocator needs a range, and defaulting (DefaultNodePortRange) is the caller's job.
// Port 0 is rejected too, since it cannot be a NodePort.
func NewPortRange(s string) (PortRange, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return PortRange{}, fmt.Errorf("parse port range %q: empty", s)
	}
	hyphen := strings.Index(v, "-")
	plus := strings.Index(v, "+")
	var low, high int
	var err error
	switch {
	case hyphen == -1 && plus == -1:
		low, err = parsePort(v)
		high = low
	case hyphen != -1 && plus == -1:
		low, err = parsePort(v[:hyphen])
		if err == nil {
			high, err = parsePort(v[hyphen+1:])
		}
	case plus != -1 && hyphen == -1:
		var extra int
		low, err = parsePort(v[:plus])
		if err == nil {
			extra, err = parsePort(v[plus+1:])
		}
		high = low + extra
	default:
		return PortRange{}, fmt.Errorf("unable to parse port range: %s", v)
	}
	if err != nil {
		return PortRange{}, fmt.Errorf("parse port range %q: %w", s, err)
	}
	if low > 65535 || high > 65535 {
		return PortRange{}, fmt.Errorf("the port range cannot be greater than 65535: %s", v)
	}
	if high < low {
		return PortRange{}, fmt.Errorf("end port cannot be less than start port: %s", v)
	}
	if low == 0 {
		return PortRange{}, fmt.Errorf("the port range cannot include port 0: %s", v)
	}
	return PortRange{base: low, size: high - low + 1}, nil
}

// parsePort accepts only plain decimal digits, so that "+5" or "-5" inside a range are
// syntax errors rather than signed numbers.
func parsePort(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid port %q: %w", s, err)
	}
	return n, nil
}

// Base is the first port of the range.
func (r PortRange) Base() int { return r.base }

// Size is the number of ports in the range.
func (r PortRange) Size() int { return r.size }

// String is the range as upstream shows it: "30000-32767".
func (r PortRange) String() string {
	if r.size == 0 {
		return ""
	}
	return fmt.Sprintf("%d-%d", r.base, r.base+r.size-1)
}

// Offset is the position of port in the range, and false if port is outside it.
func (r PortRange) Offset(port int) (int, bool) {
	off := port - r.base
	if off < 0 || off >= r.size {
		return 0, false
	}
	return off, true
}

// Contains reports whether port is in the range.
func (r PortRange) Contains(port int) bool {
	_, ok := r.Offset(port)
	return ok
}

// Port is the port at offset, or 0 when offset is outside [0, Size()).
func (r PortRange) Port(offset int) int {
	if offset < 0 || offset >= r.size {
		return 0
	}
	return r.base + offset
}
