package rules

import (
	"cmp"
	"slices"
	"strconv"
)

// ConntrackEntry selects UDP conntrack entries to delete. UDP has no connection to end, so
// without this a client keeps sending to an endpoint that is gone for as long as it keeps
// the flow alive (or to nowhere, for flows that began while the service had no endpoints).
type ConntrackEntry struct {
	// TCP selects TCP entries; UDP otherwise.
	TCP bool
	// OrigDst is the address the client sent to (a cluster or external IP), or "".
	OrigDst string
	// OrigPortDst is the node port the client sent to, or 0.
	OrigPortDst int32
	// DstNAT is the endpoint address the flow was translated to; "" matches any.
	DstNAT string
}

// Args are the conntrack(8) arguments that delete the entries.
func (c ConntrackEntry) Args() []string {
	proto := "udp"
	if c.TCP {
		proto = "tcp"
	}
	args := []string{"-D", "-p", proto}
	if c.OrigDst != "" {
		args = append(args, "--orig-dst", c.OrigDst)
	}
	if c.OrigPortDst != 0 {
		args = append(args, "--orig-port-dst", strconv.Itoa(int(c.OrigPortDst)))
	}
	if c.DstNAT != "" {
		args = append(args, "--dst-nat", c.DstNAT)
	}
	return args
}

// staleConntrack compares the UDP ports of the changed services before and after a sync;
// prevUDP and nextUDP return a service's UDP ports (nil for none or no service).
func staleConntrack(prevUDP, nextUDP func(key string) []udpPort, changed map[string]bool) []ConntrackEntry {
	set := map[ConntrackEntry]bool{}
	for key := range changed {
		oldPorts, newPorts := map[string]udpPort{}, map[string]udpPort{}
		for _, u := range prevUDP(key) {
			oldPorts[u.name] = u
		}
		for _, u := range nextUDP(key) {
			newPorts[u.name] = u
		}
		for name, o := range oldPorts {
			if o.tcp {
				continue // TCP ends flows to a removed endpoint itself
			}
			n, ok := newPorts[name]
			for _, ep := range o.endpoints {
				gone := !ok || !slices.Contains(n.endpoints, ep)
				for _, vip := range o.vips {
					if gone || !slices.Contains(n.vips, vip) {
						set[ConntrackEntry{OrigDst: vip, DstNAT: ep}] = true
					}
				}
				if o.nodePort != 0 && (gone || n.nodePort != o.nodePort) {
					set[ConntrackEntry{OrigPortDst: o.nodePort, DstNAT: ep}] = true
				}
			}
		}
		for name, n := range newPorts {
			if o, ok := oldPorts[name]; len(n.endpoints) == 0 || ok && len(o.endpoints) > 0 {
				continue
			}
			// The first endpoints: flows begun while there were none were never translated,
			// and their entries would keep the client's retries (a TCP SYN's too) so.
			for _, vip := range n.vips {
				set[ConntrackEntry{TCP: n.tcp, OrigDst: vip}] = true
			}
			if n.nodePort != 0 {
				set[ConntrackEntry{TCP: n.tcp, OrigPortDst: n.nodePort}] = true
			}
		}
	}
	out := make([]ConntrackEntry, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b ConntrackEntry) int {
		return cmp.Or(cmp.Compare(a.OrigDst, b.OrigDst), cmp.Compare(a.OrigPortDst, b.OrigPortDst), cmp.Compare(a.DstNAT, b.DstNAT),
			cmp.Compare(btoi(a.TCP), btoi(b.TCP)))
	})
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
