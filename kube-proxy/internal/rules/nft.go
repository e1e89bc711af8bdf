package rules

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// NFTTable is the nftables table (family ip) that nftables mode owns: upstream's name.
const NFTTable = "kube-proxy"

// The maps that dispatch packets in nftables mode, so that the fixed chains never change
// with the services: a service only adds or removes map elements (and, with ClientIP
// affinity or externalTrafficPolicy Local, its own chains).
const (
	// nftServiceIPs: cluster IP and external IP . protocol . port : goto a shared lb-
	// chain, or the service's own chain (iptables mode's nat KUBE-SERVICES).
	nftServiceIPs = "service-ips"
	// nftServiceNodePorts: protocol . node port : goto a shared lb- chain, or the
	// service's own (KUBE-NODEPORTS).
	nftServiceNodePorts = "service-nodeports"
	// nftNoEndpointServices: cluster IP . protocol . port : goto reject-chain (filter
	// KUBE-SERVICES).
	nftNoEndpointServices = "no-endpoint-services"
	// nftNoEndpointExternal and nftNoEndpointNodePorts: external IPs and node ports
	// without (local) endpoints : goto reject-chain or drop (KUBE-EXTERNAL-SERVICES).
	nftNoEndpointExternal  = "no-endpoint-external"
	nftNoEndpointNodePorts = "no-endpoint-nodeports"
	// Sets: the external IPs and node ports of services with chains of their own and
	// policy Cluster (whose traffic is masqueraded), and "endpoint IP . endpoint IP"
	// pairs (hairpin).
	nftMasqExternalIPs = "masquerade-external-ips"
	nftMasqNodePorts   = "masquerade-nodeports"
	nftHairpin         = "hairpin-endpoints"
	// nftEndpointIPs: cluster IP or external IP . protocol . port . slot : endpoint IP .
	// port, and nftEndpointNodePorts: protocol . node port . slot : endpoint IP . port.
	// Slot i of n is endpoint i of the port's n endpoints; the shared lb- chains draw it.
	nftEndpointIPs       = "endpoint-ips"
	nftEndpointNodePorts = "endpoint-nodeports"
)

// Fixed chains referenced by the per-service and shared ones.
const (
	nftMarkMasq = "mark-for-masquerade"
	nftReject   = "reject-chain"
)

var nftMaps = []struct{ kind, name, typ string }{
	{"map", nftServiceIPs, "type ipv4_addr . inet_proto . inet_service : verdict"},
	{"map", nftServiceNodePorts, "type inet_proto . inet_service : verdict"},
	{"map", nftNoEndpointServices, "type ipv4_addr . inet_proto . inet_service : verdict"},
	{"map", nftNoEndpointExternal, "type ipv4_addr . inet_proto . inet_service : verdict"},
	{"map", nftNoEndpointNodePorts, "type inet_proto . inet_service : verdict"},
	{"set", nftMasqExternalIPs, "type ipv4_addr . inet_proto . inet_service"},
	{"set", nftMasqNodePorts, "type inet_proto . inet_service"},
	{"set", nftHairpin, "type ipv4_addr . ipv4_addr"},
	// typeof, since a numgen result has no type name of its own; the modulus in it is
	// only a placeholder.
	{"map", nftEndpointIPs, "typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport"},
	{"map", nftEndpointNodePorts, "typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport"},
}

// lbKind says which traffic a shared lb- chain serves.
type lbKind uint8

const (
	lbClusterIP  lbKind = iota // to a cluster IP: masquerade what does not come from a pod
	lbExternalIP               // to an external IP (policy Cluster): masquerade all
	lbNodePort                 // to a node port (policy Cluster): masquerade all
)

// nftLB is a shared chain that DNATs to slot "numgen random mod n" of an endpoint map:
// every service port with n endpoints (and no affinity, no policy Local) uses it.
type nftLB struct {
	kind lbKind
	n    int
}

var lbKindNames = [...]string{lbClusterIP: "cluster-ip", lbExternalIP: "external-ip", lbNodePort: "node-port"}

// nftLBPrefix starts the names of the shared chains, and only theirs.
const nftLBPrefix = "lb-"

// nftLBMin is the fewest endpoints the shared chains are written for: a full sync writes
// them for 1 to nftLBMin endpoints, or to the power of two above the most any service
// port has. Only full syncs write them because nft 1.0.6 (Debian 12) cannot add a rule
// that names a "typeof" map it reads back from the kernel ("conflicting protocols
// specified: ip vs. th"); a full sync deletes and re-declares the endpoint maps first.
const nftLBMin = 8

// nftLBChains lists the shared chains for up to max endpoints, in writing order.
func nftLBChains(max int) []nftLB {
	var out []nftLB
	for kind := range lbKind(len(lbKindNames)) {
		for n := 1; n <= max; n++ {
			out = append(out, nftLB{kind, n})
		}
	}
	return out
}

func (l nftLB) name() string { return nftLBPrefix + lbKindNames[l.kind] + "-" + strconv.Itoa(l.n) }

// rules returns the chain's rules: mark for masquerading, then DNAT to a random slot.
func (l nftLB) rules(opts *Options) []string {
	mod := " . numgen random mod " + strconv.Itoa(l.n) + " map @"
	if l.kind == lbNodePort {
		return []string{"jump " + nftMarkMasq, "dnat ip to meta l4proto . th dport" + mod + nftEndpointNodePorts}
	}
	masq := "jump " + nftMarkMasq
	if l.kind == lbClusterIP {
		masq = opts.nftMasqMatch() + masq
	}
	return []string{masq, "dnat ip to ip daddr . meta l4proto . th dport" + mod + nftEndpointIPs}
}

// nftMasqMatch returns the match (with a trailing space, or empty) for cluster IP traffic
// that must be masqueraded.
func (o *Options) nftMasqMatch() string {
	switch {
	case o.MasqueradeAll:
		return ""
	case o.ClusterCIDR != "":
		return "ip saddr != " + o.ClusterCIDR + " "
	default:
		// Without --cluster-cidr pods cannot be told from the rest; masquerade what the
		// node itself sends (see the iptables builder).
		return "fib saddr type local "
	}
}

// IsNFTServiceObject reports whether a chain or set of NFTTable is one nftables mode creates
// per service or endpoint (their names, and only theirs, contain "/"), and so may delete
// once nothing needs it.
func IsNFTServiceObject(name string) bool { return strings.Contains(name, "/") }

// isNFTDynamic reports whether a chain or set of NFTTable comes and goes with the
// services: a per-service object or a shared lb- chain.
func isNFTDynamic(name string) bool {
	return IsNFTServiceObject(name) || strings.HasPrefix(name, nftLBPrefix)
}

// NFTState is what an nftables sync remembers for the next one. It is immutable once
// returned.
type NFTState struct {
	opts  Options
	frags map[string]*nftFragment // by service key; nil fragments are not stored
	// claims lists, per map key, the services whose elements want it, by service key:
	// the first one's verdict is the one in the kernel, as the first matching rule wins in
	// iptables mode. Valid clusters have one claim per key, but a map cannot hold a key
	// twice, and one bad Service must not make every sync fail.
	claims *claimTable
	// lbMax is the largest endpoint count the shared lb- chains in the kernel take.
	lbMax int
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
	// Rules counts the rules of the per-service and shared lb- chains after the sync
	// (the endpoints themselves are map elements).
	Rules int
	// ChainsWritten counts the chains the transaction rewrites or deletes.
	ChainsWritten int
}

// BuildNFT computes the nft transaction that brings table ip kube-proxy from prev (nil on
// the first sync) to in. in.ExistingChains and in.ExistingSets name the table's chains and
// sets found in the kernel before a full sync; the per-service and lb- ones nothing needs
// are deleted. It never modifies its arguments.
//
// A full sync flushes the table's rules and maps (not the affinity sets, whose elements are
// the clients' affinity) and writes everything again; a partial one adds or deletes only
// the changed services' map elements and rewrites only their own chains, if they have
// any. A partial sync that would need a shared lb- chain for more endpoints than the
// kernel has is made a full one (see nftLBMin).
func BuildNFT(opts Options, in Input, prev *NFTState) NFTResult {
	full := prev == nil || in.Changed == nil || prev.opts != opts
	next := &NFTState{opts: opts, frags: make(map[string]*nftFragment, len(in.Services))}
	var dirty []string
	if !full {
		maps.Copy(next.frags, prev.frags)
		next.lbMax = prev.lbMax
		for key := range in.Changed {
			delete(next.frags, key)
			if svc := in.Services[key]; svc != nil {
				if f := buildNFTFragment(&opts, svc, in.Endpoints[key]); f != nil {
					next.frags[key] = f
					dirty = append(dirty, key)
					// Only a full sync may write the rules that name the endpoint maps
					// (see nftLBMin): more endpoints than any shared chain takes make
					// this sync a full one.
					full = full || f.lbMax > prev.lbMax
				}
			}
		}
		if full {
			clear(next.frags)
			dirty = nil
		}
	}
	if full {
		next.lbMax = nftLBMin
		for key, svc := range in.Services {
			if f := buildNFTFragment(&opts, svc, in.Endpoints[key]); f != nil {
				next.frags[key] = f
				for next.lbMax < f.lbMax {
					next.lbMax *= 2
				}
			}
		}
		dirty = slices.Collect(maps.Keys(next.frags))
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
			for _, l := range nftLBChains(prev.lbMax) {
				oldChains = append(oldChains, l.name())
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
	var lbChains []nftLB // shared chains to write: all of them, in a full sync
	if full {
		lbChains = nftLBChains(next.lbMax)
	}
	for _, l := range lbChains {
		activeChains[l.name()] = true
	}
	size, nElems := 0, 0
	for _, key := range dirty {
		f := next.frags[key]
		for _, c := range f.chains {
			activeChains[c.name] = true
		}
		for _, s := range f.sets {
			activeSets[s.name] = true
		}
		nElems += len(f.elems)
		size += 48*len(f.elems) + 128*f.rules
	}
	staleChains := staleNames(oldChains, activeChains)
	staleSets := staleNames(oldSets, activeSets)

	w := &nftWriter{}
	w.b.Grow(size + 8192)
	res := NFTResult{State: next, Full: full}
	if full {
		w.static(&opts)
	}
	// Elements first out: a chain can be deleted only once nothing refers to it, and a key
	// that moves to another verdict must be deleted before it is added again.
	gone, added := next.claimElements(prev, in.Changed, dirty, full, nElems)
	w.elements("delete", gone, false, !full)
	if !full { // a full sync flushed the whole table
		for _, c := range staleChains {
			w.line("flush chain", c)
		}
	}
	// Every chain and set exists before the first rule or element that names it: within
	// a batch the kernel resolves names as it goes.
	for _, l := range lbChains {
		w.line("add chain", l.name())
	}
	res.ChainsWritten += len(lbChains)
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
	for _, l := range lbChains {
		for _, r := range l.rules(&opts) {
			w.line("add rule", l.name()+" "+r)
		}
	}
	for _, key := range dirty {
		for _, c := range next.frags[key].chains {
			for _, r := range c.rules {
				w.line("add rule", c.name+" "+r)
			}
		}
	}
	w.elements("add", added, true, !full)
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
	res.Rules += 2 * 3 * next.lbMax
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

// staleNames returns the sorted names in old that come and go with the services and are
// not active.
func staleNames(old []string, active map[string]bool) []string {
	slices.Sort(old)
	var out []string
	for _, n := range slices.Compact(old) {
		if !active[n] && isNFTDynamic(n) {
			out = append(out, n)
		}
	}
	return out
}

// nftWriter assembles an nft script in one buffer; every object lives in table ip
// kube-proxy.
type nftWriter struct{ b bytes.Buffer }

// line writes "<verb> ip kube-proxy <rest>".
func (w *nftWriter) line(verb, rest string) {
	w.b.WriteString(verb)
	w.b.WriteString(" ip " + NFTTable + " ")
	w.b.WriteString(rest)
	w.b.WriteByte('\n')
}

// elements writes one add or delete element command per map, in map order; within a map
// in key order when sortKeys, else in the order given.
func (w *nftWriter) elements(verb string, elems []nftElem, withValue, sortKeys bool) {
	cmpKey := func(a, b nftElem) int { return strings.Compare(a.key, b.key) }
	if !sortKeys {
		cmpKey = func(nftElem, nftElem) int { return 0 }
	}
	slices.SortStableFunc(elems, func(a, b nftElem) int {
		return cmp.Or(strings.Compare(a.m, b.m), cmpKey(a, b))
	})
	for i := 0; i < len(elems); {
		w.b.WriteString(verb + " element ip " + NFTTable + " " + elems[i].m + " { ")
		j := i
		for ; j < len(elems) && elems[j].m == elems[i].m; j++ {
			if j > i {
				w.b.WriteString(", ")
			}
			w.b.WriteString(elems[j].key)
			if withValue && elems[j].val != "" {
				w.b.WriteString(" : ")
				w.b.WriteString(elems[j].val)
			}
		}
		w.b.WriteString(" }\n")
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
		decl := mp.name + " { " + mp.typ + " ; }"
		w.line("add "+mp.kind, decl)
		if strings.HasPrefix(mp.typ, "typeof ") {
			// Emptied by deleting and declaring it again, so that nft takes its type
			// from this script rather than from the kernel (see nftLBMin).
			w.line("delete "+mp.kind, mp.name)
			w.line("add "+mp.kind, decl)
		} else {
			w.line("flush "+mp.kind, mp.name)
		}
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
