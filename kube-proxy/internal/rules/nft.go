package rules

import (
	"bytes"
	"maps"
	"slices"
	"strings"
)

// NFTTable is the nftables table (family ip) that nftables mode owns: upstream's name.
const NFTTable = "kube-proxy"

// The verdict maps that dispatch packets in nftables mode, so that the fixed chains never
// change with the services: a service only adds or removes map elements and its own chains.
const (
	// nftServiceIPs: cluster IP and external IP . protocol . port : goto service or
	// external chain (iptables mode's nat KUBE-SERVICES).
	nftServiceIPs = "service-ips"
	// nftServiceNodePorts: protocol . node port : goto external chain (KUBE-NODEPORTS).
	nftServiceNodePorts = "service-nodeports"
	// nftNoEndpointServices: cluster IP . protocol . port : goto reject-chain (filter
	// KUBE-SERVICES).
	nftNoEndpointServices = "no-endpoint-services"
	// nftNoEndpointExternal and nftNoEndpointNodePorts: external IPs and node ports
	// without (local) endpoints : goto reject-chain or drop (KUBE-EXTERNAL-SERVICES).
	nftNoEndpointExternal  = "no-endpoint-external"
	nftNoEndpointNodePorts = "no-endpoint-nodeports"
	// Sets: the external IPs and node ports of services with policy Cluster (whose
	// traffic is masqueraded), and "endpoint IP . endpoint IP" pairs (hairpin).
	nftMasqExternalIPs = "masquerade-external-ips"
	nftMasqNodePorts   = "masquerade-nodeports"
	nftHairpin         = "hairpin-endpoints"
)

// Fixed chains referenced by the per-service ones.
const (
	nftMarkMasq = "mark-for-masquerade"
	nftReject   = "reject-chain"
)

var nftMaps = []struct{ kind, name, typ string }{
	{"map", nftServiceIPs, "ipv4_addr . inet_proto . inet_service : verdict"},
	{"map", nftServiceNodePorts, "inet_proto . inet_service : verdict"},
	{"map", nftNoEndpointServices, "ipv4_addr . inet_proto . inet_service : verdict"},
	{"map", nftNoEndpointExternal, "ipv4_addr . inet_proto . inet_service : verdict"},
	{"map", nftNoEndpointNodePorts, "inet_proto . inet_service : verdict"},
	{"set", nftMasqExternalIPs, "ipv4_addr . inet_proto . inet_service"},
	{"set", nftMasqNodePorts, "inet_proto . inet_service"},
	{"set", nftHairpin, "ipv4_addr . ipv4_addr"},
}

// IsNFTServiceObject reports whether a chain or set of NFTTable is one nftables mode creates
// per service or endpoint (their names, and only theirs, contain "/"), and so may delete
// once nothing needs it.
func IsNFTServiceObject(name string) bool { return strings.Contains(name, "/") }

// NFTState is what an nftables sync remembers for the next one. It is immutable once
// returned.
type NFTState struct {
	opts  Options
	frags map[string]*nftFragment // by service key; nil fragments are not stored
	// claims lists, per map key, the services whose elements want it, by service key:
	// the first one's verdict is the one in the kernel, as the first matching rule wins in
	// iptables mode. Valid clusters have one claim per key, but a map cannot hold a key
	// twice, and one bad Service must not make every sync fail.
	claims map[elemKey][]claim
}

type elemKey struct{ m, key string }

type claim struct{ svc, val string }

func (s *NFTState) udp(key string) []udpPort {
	if f := s.frags[key]; f != nil {
		return f.udp
	}
	return nil
}

// NFTResult is one nftables sync's transaction and what it leaves behind.
type NFTResult struct {
	// Script is the input of nft -f: one atomic transaction.
	Script []byte
	// State is the next sync's previous state; keep it only once Script is applied.
	State *NFTState
	// Full tells whether this was a full sync.
	Full bool
	// Conntrack lists the UDP conntrack entries to delete once Script is applied.
	Conntrack []ConntrackEntry
	// Rules counts the rules of the per-service chains after the sync.
	Rules int
	// ChainsWritten counts the chains the transaction rewrites or deletes.
	ChainsWritten int
}

// BuildNFT computes the nft transaction that brings table ip kube-proxy from prev (nil on
// the first sync) to in. in.ExistingChains and in.ExistingSets name the table's chains and
// sets found in the kernel before a full sync; the per-service ones nothing needs are
// deleted. It never modifies its arguments.
//
// A full sync flushes the table's rules and maps (not the affinity sets, whose elements are
// the clients' affinity) and writes everything again; a partial one rewrites only the
// chains of changed services and adds or deletes only their map elements.
func BuildNFT(opts Options, in Input, prev *NFTState) NFTResult {
	full := prev == nil || in.Changed == nil || prev.opts != opts
	next := &NFTState{opts: opts, frags: make(map[string]*nftFragment, len(in.Services))}
	var dirty []string
	if full {
		for key, svc := range in.Services {
			if f := buildNFTFragment(&opts, svc, in.Endpoints[key]); f != nil {
				next.frags[key] = f
			}
		}
		dirty = slices.Collect(maps.Keys(next.frags))
	} else {
		maps.Copy(next.frags, prev.frags)
		for key := range in.Changed {
			delete(next.frags, key)
			if svc := in.Services[key]; svc != nil {
				if f := buildNFTFragment(&opts, svc, in.Endpoints[key]); f != nil {
					next.frags[key] = f
					dirty = append(dirty, key)
				}
			}
		}
	}
	slices.Sort(dirty)

	// What the changed services had before: their chains, sets and map elements.
	var oldChains, oldSets []string
	if full {
		oldChains = append(oldChains, in.ExistingChains...)
		oldSets = append(oldSets, in.ExistingSets...)
		if prev != nil {
			for _, f := range prev.frags {
				oldChains, oldSets = f.appendNames(oldChains, oldSets)
			}
		}
	} else {
		for key := range in.Changed {
			if f := prev.frags[key]; f != nil {
				oldChains, oldSets = f.appendNames(oldChains, oldSets)
			}
		}
	}
	activeChains, activeSets := map[string]bool{}, map[string]bool{}
	for _, key := range dirty {
		f := next.frags[key]
		for _, c := range f.chains {
			activeChains[c.name] = true
		}
		for _, s := range f.sets {
			activeSets[s.name] = true
		}
	}
	staleChains := staleNames(oldChains, activeChains)
	staleSets := staleNames(oldSets, activeSets)

	w := &nftWriter{}
	res := NFTResult{State: next, Full: full}
	if full {
		w.static(&opts)
	}
	// Elements first out: a chain can be deleted only once nothing refers to it, and a key
	// that moves to another verdict must be deleted before it is added again.
	gone, added := next.claimElements(prev, in.Changed, dirty, full)
	w.elements("delete", gone, false)
	if !full { // a full sync flushed the whole table
		for _, c := range staleChains {
			w.line("flush chain", c)
		}
	}
	// Every chain and set exists before the first rule that names it: within a batch the
	// kernel resolves names as it goes.
	for _, key := range dirty {
		f := next.frags[key]
		for _, s := range f.sets {
			w.line("add set", s.name+" { type ipv4_addr ; flags dynamic,timeout ; timeout "+s.timeout+" ; }")
		}
		for _, c := range f.chains {
			w.line("add chain", c.name)
			if !full {
				w.line("flush chain", c.name)
			}
		}
		res.ChainsWritten += len(f.chains)
	}
	for _, key := range dirty {
		for _, c := range next.frags[key].chains {
			for _, r := range c.rules {
				w.line("add rule", c.name+" "+r)
			}
		}
	}
	w.elements("add", added, true)
	for _, c := range staleChains {
		w.line("delete chain", c)
	}
	for _, s := range staleSets {
		w.line("delete set", s)
	}
	res.ChainsWritten += len(staleChains)
	res.Script = w.b.Bytes()
	for _, f := range next.frags {
		res.Rules += f.rules
	}
	if prev != nil {
		changed := in.Changed
		if full {
			changed = map[string]bool{}
			for k := range prev.frags {
				changed[k] = true
			}
			for k := range next.frags {
				changed[k] = true
			}
		}
		res.Conntrack = staleConntrack(prev.udp, next.udp, changed)
	}
	return res
}

// staleNames returns the sorted per-service names in old that are not active.
func staleNames(old []string, active map[string]bool) []string {
	slices.Sort(old)
	var out []string
	for _, n := range slices.Compact(old) {
		if !active[n] && IsNFTServiceObject(n) {
			out = append(out, n)
		}
	}
	return out
}

// nftWriter assembles an nft script; every object lives in table ip kube-proxy.
type nftWriter struct{ b bytes.Buffer }

// line writes "<verb> ip kube-proxy <rest>".
func (w *nftWriter) line(verb, rest string) {
	w.b.WriteString(verb)
	w.b.WriteString(" ip " + NFTTable + " ")
	w.b.WriteString(rest)
	w.b.WriteByte('\n')
}

// elements writes one add or delete element command per map, in map and key order.
func (w *nftWriter) elements(verb string, elems []nftElem, withValue bool) {
	slices.SortFunc(elems, func(a, b nftElem) int {
		if c := strings.Compare(a.m, b.m); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	for i := 0; i < len(elems); {
		j := i
		var b strings.Builder
		for ; j < len(elems) && elems[j].m == elems[i].m; j++ {
			if j > i {
				b.WriteString(", ")
			}
			b.WriteString(elems[j].key)
			if withValue && elems[j].val != "" {
				b.WriteString(" : " + elems[j].val)
			}
		}
		w.line(verb+" element", elems[i].m+" { "+b.String()+" }")
		i = j
	}
}

// static writes the table, its base chains, maps and fixed chains, after flushing every
// rule and map element of the table.
func (w *nftWriter) static(opts *Options) {
	m := opts.mark()
	w.b.WriteString("add table ip " + NFTTable + "\nflush table ip " + NFTTable + "\n")
	for _, bc := range []struct{ name, spec string }{
		{"nat-prerouting", "type nat hook prerouting priority -100"},
		{"nat-output", "type nat hook output priority -100"},
		{"nat-postrouting", "type nat hook postrouting priority 100"},
		{"filter-input", "type filter hook input priority 0"},
		{"filter-forward", "type filter hook forward priority 0"},
		{"filter-output", "type filter hook output priority 0"},
	} {
		w.line("add chain", bc.name+" { "+bc.spec+" ; }")
	}
	for _, mp := range nftMaps {
		w.line("add "+mp.kind, mp.name+" { type "+mp.typ+" ; }")
		w.line("flush "+mp.kind, mp.name)
	}
	nodePorts := "fib daddr type local "
	if !opts.LocalhostNodePorts {
		nodePorts += "ip daddr != 127.0.0.0/8 "
	}
	input := []string{"ct state new jump external-services-check"}
	output := []string{"ct state new jump cluster-services-check"}
	var firewall []string
	if opts.LocalhostNodePorts {
		// route_localnet=1 lets 127.0.0.1:<nodePort> be DNATed to a pod; it must not also
		// let other hosts reach services bound to 127.0.0.1.
		firewall = []string{
			"ct state established,related return",
			"ct status dnat return",
			"ip daddr 127.0.0.0/8 ip saddr != 127.0.0.0/8 drop"}
		input = append(input, "jump firewall-localnet")
		output = append(output, "jump firewall-localnet")
	}
	chains := []nftChain{
		{"nat-prerouting", []string{"jump services"}},
		{"nat-output", []string{"jump services"}},
		{"nat-postrouting", []string{
			"ct status dnat ip saddr . ip daddr @" + nftHairpin + " jump " + nftMarkMasq,
			"jump masquerading"}},
		// Node ports after the IPs, so a cluster or external IP that is also local
		// matches its own element first.
		{"services", []string{
			"ip daddr . meta l4proto . th dport @" + nftMasqExternalIPs + " jump " + nftMarkMasq,
			"ip daddr . meta l4proto . th dport vmap @" + nftServiceIPs,
			nodePorts + "meta l4proto . th dport @" + nftMasqNodePorts + " jump " + nftMarkMasq,
			nodePorts + "meta l4proto . th dport vmap @" + nftServiceNodePorts}},
		{"masquerading", []string{
			"meta mark & " + m + " == 0 return",
			// Clear the mark: a packet re-entering the stack (e.g. over vxlan) must not
			// be masqueraded again.
			"meta mark set meta mark ^ " + m,
			"masquerade fully-random"}},
		{nftMarkMasq, []string{"meta mark set meta mark | " + m}},
		{"filter-input", input},
		{"filter-forward", []string{
			"ct state invalid drop",
			"ct state new jump cluster-services-check",
			"ct state new jump external-services-check"}},
		{"filter-output", output},
		{"cluster-services-check", []string{"ip daddr . meta l4proto . th dport vmap @" + nftNoEndpointServices}},
		{"external-services-check", []string{
			"ip daddr . meta l4proto . th dport vmap @" + nftNoEndpointExternal,
			"fib daddr type local meta l4proto . th dport vmap @" + nftNoEndpointNodePorts}},
		{nftReject, []string{"reject"}},
		{"firewall-localnet", firewall},
	}
	for _, c := range chains {
		w.line("add chain", c.name)
	}
	for _, c := range chains {
		for _, r := range c.rules {
			w.line("add rule", c.name+" "+r)
		}
	}
}
