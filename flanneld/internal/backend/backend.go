package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"

	"github.com/vishvananda/netlink"

	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/subnet"
)

// ExternalInterface is the node's underlay interface: where overlay traffic leaves and
// arrives.
type ExternalInterface struct {
	Name  string
	Index int
	MTU   int
	// Addr is the interface's own address, the tunnel's source.
	Addr netip.Addr
	// PublicIP is the address other nodes send to; Addr unless -public-ip says otherwise
	// (a node behind NAT).
	PublicIP netip.Addr
}

// Local is what a backend publishes about this node and what pods on it should use.
type Local struct {
	// Data is the lease's BackendData, e.g. vxlan's {"VNI":1,"VtepMAC":"..."}.
	Data json.RawMessage
	// MTU is the MTU for pods' interfaces (FLANNEL_MTU).
	MTU int
}

// Backend programs one node's side of the overlay. Calls come from one goroutine.
type Backend interface {
	// Prepare creates or adopts the node's device, before the node has a subnet, and says
	// what to publish in its lease. Adopting keeps a restarted node's device (and MAC).
	Prepare(ctx context.Context) (Local, error)
	// Activate configures the device for the node's own lease.
	Activate(ctx context.Context, own subnet.Lease) error
	// Reconcile makes the kernel hold exactly the routes (and fdb and neighbour entries) to
	// the given other nodes' subnets: it adds what is missing, replaces what changed and
	// removes what belongs to nodes no longer listed, including leftovers of an earlier run.
	Reconcile(ctx context.Context, remotes []subnet.Lease) error
}

// Factory builds a backend for cfg on ext, programming the kernel through nl (the network
// namespace nl was opened in).
type Factory func(cfg *config.Config, ext ExternalInterface, nl *netlink.Handle) (Backend, error)

// Registry maps a backend type ("vxlan", "host-gw") to its factory.
type Registry map[string]Factory

// New builds the backend cfg asks for.
func (r Registry) New(cfg *config.Config, ext ExternalInterface, nl *netlink.Handle) (Backend, error) {
	f, ok := r[cfg.Backend.Type]
	if !ok {
		types := make([]string, 0, len(r))
		for t := range r {
			types = append(types, t)
		}
		sort.Strings(types)
		return nil, fmt.Errorf("backend %q is not available (have %s)", cfg.Backend.Type, strings.Join(types, ", "))
	}
	return f(cfg, ext, nl)
}

// Dump runs a netlink dump, retrying when the kernel reports the dump was interrupted by a
// concurrent change (its result may then be inconsistent).
func Dump[T any](list func() ([]T, error)) ([]T, error) {
	var err error
	for range 5 {
		var out []T
		out, err = list()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return out, err
		}
	}
	return nil, err
}

// PrefixOf converts a netlink destination to a prefix; ok is false for none or non-IPv4.
func PrefixOf(n *net.IPNet) (p netip.Prefix, ok bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP.To4())
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a, ones), true
}

// IPNet converts a prefix to netlink's form.
func IPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
