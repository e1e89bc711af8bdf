package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Backend types flanneld implements.
const (
	TypeVXLAN  = "vxlan"
	TypeHostGW = "host-gw"
)

// Defaults for the vxlan backend. 8472 is the Linux kernel's historical vxlan port and the one
// flannel uses, not IANA's 4789.
const (
	DefaultVNI       = 1
	DefaultVXLANPort = 8472
)

// Config is the network configuration with every default filled in.
type Config struct {
	// Network is the whole overlay network, e.g. 172.17.0.0/16.
	Network netip.Prefix
	// SubnetLen is the prefix length of each node's subnet.
	SubnetLen int
	// SubnetMin and SubnetMax bound the subnets handed out (network addresses, inclusive).
	SubnetMin netip.Addr
	SubnetMax netip.Addr
	// Backend says how nodes reach each other's subnets.
	Backend Backend
}

// Backend is the "Backend" object of the config.
type Backend struct {
	// Type is TypeVXLAN or TypeHostGW.
	Type string
	// VNI and Port are used by vxlan only.
	VNI  int
	Port int
}

// wire is the JSON document as operators write it (flannel's field names).
type wire struct {
	Network    string
	SubnetLen  int
	SubnetMin  string
	SubnetMax  string
	EnableIPv6 bool
	Backend    *wireBackend
}

type wireBackend struct {
	Type string
	VNI  *int
	Port *int
}

// Parse decodes and validates a config document. Errors name the field at fault; unknown
// fields are ignored, as flannel does, so a config written for flannel still works.
func Parse(data []byte) (*Config, error) {
	var w wire
	if err := json.Unmarshal(bytes.TrimSpace(data), &w); err != nil {
		return nil, fmt.Errorf("network config is not valid JSON: %w", describeJSONError(data, err))
	}
	return fromWire(w)
}

func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("%w (at byte %d of %q)", err, syn.Offset, abbreviate(data))
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("field %s: want %s, got %s", typ.Field, typ.Type, typ.Value)
	}
	return err
}

func abbreviate(b []byte) string {
	s := string(b)
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

func fromWire(w wire) (*Config, error) {
	if w.EnableIPv6 {
		return nil, errors.New("EnableIPv6: IPv6 networks are not supported")
	}
	if w.Network == "" {
		return nil, errors.New("Network: missing (e.g. \"Network\": \"172.17.0.0/16\")")
	}
	network, err := netip.ParsePrefix(strings.TrimSpace(w.Network))
	if err != nil {
		return nil, fmt.Errorf("Network: %q is not a CIDR such as 172.17.0.0/16", w.Network)
	}
	if !network.Addr().Is4() {
		return nil, fmt.Errorf("Network: %s is not IPv4 (IPv6 is not supported)", network)
	}
	network = network.Masked()
	c := &Config{Network: network, SubnetLen: w.SubnetLen}

	switch {
	case c.SubnetLen == 0:
		// flannel's default: a /24 per node, or a quarter of the network when that is smaller
		// than a /22 (a network smaller than /28 leaves no useful subnets).
		if network.Bits() > 28 {
			return nil, fmt.Errorf("Network: %s is too small; the smallest useful network is a /28", network)
		}
		c.SubnetLen = 24
		if network.Bits() > 22 {
			c.SubnetLen = network.Bits() + 2
		}
	case c.SubnetLen < 0 || c.SubnetLen > 30:
		return nil, fmt.Errorf("SubnetLen: %d is outside 1..30 (each node needs room for a tunnel and a bridge address)", c.SubnetLen)
	case c.SubnetLen < network.Bits()+2:
		// The first subnet is never handed out, so fewer than four subnets leaves too few.
		return nil, fmt.Errorf("SubnetLen: /%d leaves fewer than four subnets in Network %s", c.SubnetLen, network)
	}

	size := uint32(1) << (32 - c.SubnetLen)
	base := toUint(network.Addr())
	last := base | (^uint32(0) >> network.Bits())
	// flannel's defaults: from the second subnet (the first would give a node's bridge the
	// network's own address) to the last one.
	c.SubnetMin = fromUint(base + size)
	c.SubnetMax = fromUint(last + 1 - size)
	if c.SubnetMin, err = bound("SubnetMin", w.SubnetMin, c.SubnetMin, network, c.SubnetLen); err != nil {
		return nil, err
	}
	if c.SubnetMax, err = bound("SubnetMax", w.SubnetMax, c.SubnetMax, network, c.SubnetLen); err != nil {
		return nil, err
	}
	if toUint(c.SubnetMin) > toUint(c.SubnetMax) {
		return nil, fmt.Errorf("SubnetMin %s is above SubnetMax %s", c.SubnetMin, c.SubnetMax)
	}

	c.Backend, err = backendFromWire(w.Backend)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func bound(field, value string, def netip.Addr, network netip.Prefix, subnetLen int) (netip.Addr, error) {
	if value == "" {
		return def, nil
	}
	a, err := netip.ParseAddr(strings.TrimSpace(value))
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("%s: %q is not an IPv4 address", field, value)
	}
	if !network.Contains(a) {
		return netip.Addr{}, fmt.Errorf("%s: %s is not in Network %s", field, a, network)
	}
	if netip.PrefixFrom(a, subnetLen).Masked().Addr() != a {
		return netip.Addr{}, fmt.Errorf("%s: %s is not the start of a /%d subnet", field, a, subnetLen)
	}
	return a, nil
}

func backendFromWire(b *wireBackend) (Backend, error) {
	if b == nil || b.Type == "" {
		// flannel defaults to its userspace "udp" backend, which Seven does not have; vxlan is
		// what every seed cluster ends up running.
		return Backend{Type: TypeVXLAN, VNI: DefaultVNI, Port: DefaultVXLANPort}, nil
	}
	switch strings.ToLower(b.Type) {
	case TypeVXLAN:
		out := Backend{Type: TypeVXLAN, VNI: DefaultVNI, Port: DefaultVXLANPort}
		if b.VNI != nil {
			if *b.VNI < 1 || *b.VNI > 1<<24-1 {
				return Backend{}, fmt.Errorf("Backend.VNI: %d is outside 1..16777215", *b.VNI)
			}
			out.VNI = *b.VNI
		}
		if b.Port != nil && *b.Port != 0 {
			if *b.Port < 1 || *b.Port > 65535 {
				return Backend{}, fmt.Errorf("Backend.Port: %d is not a UDP port", *b.Port)
			}
			out.Port = *b.Port
		}
		return out, nil
	case TypeHostGW:
		return Backend{Type: TypeHostGW}, nil
	default:
		return Backend{}, fmt.Errorf("Backend.Type: %q is not supported (use %q or %q)", b.Type, TypeVXLAN, TypeHostGW)
	}
}

// Contains reports whether p is a subnet this config may hand out: inside the network, of
// SubnetLen, aligned and between SubnetMin and SubnetMax.
func (c *Config) Contains(p netip.Prefix) bool {
	if !p.IsValid() || p.Bits() != c.SubnetLen || p.Masked() != p || !c.Network.Contains(p.Addr()) {
		return false
	}
	v := toUint(p.Addr())
	return v >= toUint(c.SubnetMin) && v <= toUint(c.SubnetMax)
}

// Capacity is the number of subnets between SubnetMin and SubnetMax.
func (c *Config) Capacity() int {
	size := uint32(1) << (32 - c.SubnetLen)
	return int((toUint(c.SubnetMax)-toUint(c.SubnetMin))/size) + 1
}

// SubnetAt returns the i-th subnet counting from SubnetMin (0 ≤ i < Capacity).
func (c *Config) SubnetAt(i int) netip.Prefix {
	size := uint32(1) << (32 - c.SubnetLen)
	return netip.PrefixFrom(fromUint(toUint(c.SubnetMin)+uint32(i)*size), c.SubnetLen)
}

func toUint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func fromUint(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
