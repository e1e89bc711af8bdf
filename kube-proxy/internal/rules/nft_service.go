package rules

import (
	"slices"
	"strconv"
	"strings"

	"seven.dev/api/core"
)

// nftFragment is everything one service contributes to the nftables ruleset. Fragments of
// services that did not change are reused as they are by a partial sync.
type nftFragment struct {
	// lbMax is the most endpoints of a port that uses the shared lb- chains.
	lbMax  int
	chains []nftChain
	sets   []nftSet
	elems  []nftElem
	udp    []udpPort
	rules  int
}

// nftChain is a chain and its rules (what follows "add rule ip kube-proxy <chain>").
type nftChain struct {
	name  string
	rules []string
}

// nftSet is a ClientIP affinity set: the clients an endpoint served recently.
type nftSet struct{ name, timeout string }

// nftElem is one element of a verdict map.
type nftElem struct{ m, key, val string }

func (f *nftFragment) appendNames(chains, sets []string) ([]string, []string) {
	for _, c := range f.chains {
		chains = append(chains, c.name)
	}
	for _, s := range f.sets {
		sets = append(sets, s.name)
	}
	return chains, sets
}

func (f *nftFragment) chain(name string, rules ...string) {
	f.chains = append(f.chains, nftChain{name, rules})
	f.rules += len(rules)
}

// buildNFTFragment computes the nftables objects of one service, or nil for services
// kube-proxy does not program.
func buildNFTFragment(opts *Options, svc *core.Service, eps *core.Endpoints) *nftFragment {
	if !programmable(svc) {
		return nil
	}
	f := &nftFragment{}
	for i := range svc.Spec.Ports {
		// Only ports with chains of their own (see buildNFTPort) name endpoint chains.
		withChains := affinity(svc) > 0 || svc.Spec.ExternalTrafficPolicy == core.ServiceExternalTrafficPolicyLocal
		if p := resolvePort(opts, svc, &svc.Spec.Ports[i], eps, withChains); p != nil {
			buildNFTPort(opts, f, p)
		}
	}
	return f
}

// nftNames are the names of one service port's chains. Like upstream's nftables mode they
// carry a hash (so they stay unique) and the readable name (so `nft list` can be read);
// the "/" in them marks them as per-service objects.
type nftNames struct {
	svc, ext, local, base string
	// timeout is the affinity timeout in seconds, part of the affinity sets' names: a set's
	// timeout cannot be changed by "add set", so a new timeout makes new sets.
	timeout int
}

func nftPortNames(p *servicePort) nftNames {
	port := p.sp.Name
	if port == "" {
		port = p.port
	}
	base := p.svc.Namespace + "/" + p.svc.Name + "/" + p.proto + "/" + port
	h := portProtoHash(p.name, p.proto)[:8]
	return nftNames{svc: "service-" + h + "-" + base, ext: "external-" + h + "-" + base, local: "local-" + h + "-" + base, base: base,
		timeout: affinity(p.svc)}
}

// endpoint chain and affinity set names: the KUBE-SEP hash, the port and the endpoint.
func (n nftNames) endpoint(e endpoint) (chain, set string) {
	suffix := e.chain[len(prefixSEP):][:8] + "-" + n.base + "__" + e.ip + "/" + strconv.Itoa(int(e.port))
	return "endpoint-" + suffix, "affinity-" + strconv.Itoa(n.timeout) + "-" + suffix
}

func buildNFTPort(opts *Options, f *nftFragment, p *servicePort) {
	if u, ok := p.udp(); ok {
		f.udp = append(f.udp, u)
	}
	svc, clusterIP := p.svc, p.svc.Spec.ClusterIP
	key := func(ip string) string { return ip + " . " + p.proto + " . " + p.port }
	elem := func(m, k, v string) { f.elems = append(f.elems, nftElem{m, k, v}) }
	// What the filter hooks do with external traffic nobody can serve: reject when there
	// is no endpoint at all (the client sees "connection refused" at once), drop when only
	// local ones are missing.
	extVerdict := "goto " + nftReject
	if p.hasEndpoints {
		extVerdict = "drop"
	}
	var nodePort string
	if p.sp.NodePort != 0 {
		nodePort = p.proto + " . " + strconv.Itoa(int(p.sp.NodePort))
	}
	if !p.hasEndpoints {
		elem(nftNoEndpointServices, key(clusterIP), "goto "+nftReject)
	}
	for _, eip := range svc.Spec.ExternalIPs {
		if isIPv4(eip) && !p.hasExternalEndpoints {
			elem(nftNoEndpointExternal, key(eip), extVerdict)
		}
	}
	if nodePort != "" && !p.hasExternalEndpoints {
		elem(nftNoEndpointNodePorts, nodePort, extVerdict)
	}
	if !p.hasEndpoints {
		return
	}
	// Hairpin: an endpoint reaching its own service and landing on itself is masqueraded
	// in nat-postrouting (one set of "ip . ip" pairs instead of a rule per endpoint).
	for _, e := range p.endpoints {
		elem(nftHairpin, e.ip+" . "+e.ip, "")
	}
	if affinity(svc) == 0 && !p.extLocal {
		buildNFTSharedPort(f, p, key, nodePort)
		return
	}
	buildNFTChainPort(opts, f, p, key, nodePort)
}

// buildNFTSharedPort programs a service port without chains of its own: its addresses
// goto the shared chain for its number of endpoints, which picks endpoint slot
// "numgen random mod n" in the endpoint maps. Every change is then a few map elements,
// and a full sync writes no rule per service.
func buildNFTSharedPort(f *nftFragment, p *servicePort, key func(string) string, nodePort string) {
	n := len(p.endpoints)
	slot := func(k string, i int) string { return k + " . " + strconv.Itoa(i) }
	target := func(e endpoint) string { return e.ip + " . " + strconv.Itoa(int(e.port)) }
	frontends := func(m, lbMap string, k string, kind lbKind) {
		lb := nftLB{kind, n}
		f.lbMax = max(f.lbMax, n)
		f.elems = append(f.elems, nftElem{m, k, "goto " + lb.name()})
		for i, e := range p.endpoints {
			f.elems = append(f.elems, nftElem{lbMap, slot(k, i), target(e)})
		}
	}
	frontends(nftServiceIPs, nftEndpointIPs, key(p.svc.Spec.ClusterIP), lbClusterIP)
	for _, eip := range p.svc.Spec.ExternalIPs {
		if isIPv4(eip) {
			frontends(nftServiceIPs, nftEndpointIPs, key(eip), lbExternalIP)
		}
	}
	if nodePort != "" {
		frontends(nftServiceNodePorts, nftEndpointNodePorts, nodePort, lbNodePort)
	}
}

// buildNFTChainPort programs a service port that needs chains of its own: ClientIP
// affinity (a set per endpoint) or externalTrafficPolicy Local (two endpoint lists).
func buildNFTChainPort(opts *Options, f *nftFragment, p *servicePort, key func(string) string, nodePort string) {
	names := nftPortNames(p)
	svc, clusterIP := p.svc, p.svc.Spec.ClusterIP
	elem := func(m, k, v string) { f.elems = append(f.elems, nftElem{m, k, v}) }
	// External traffic under policy Cluster goes straight to the service chain, marked for
	// masquerading by the services chain (one set lookup) rather than by a chain per
	// service.
	extTarget := "goto " + names.svc
	if p.extLocal {
		extTarget = "goto " + names.ext
	}
	elem(nftServiceIPs, key(clusterIP), "goto "+names.svc)
	for _, eip := range svc.Spec.ExternalIPs {
		if !isIPv4(eip) {
			continue
		}
		elem(nftServiceIPs, key(eip), extTarget)
		if !p.extLocal {
			elem(nftMasqExternalIPs, key(eip), "")
		}
	}
	if nodePort != "" {
		elem(nftServiceNodePorts, nodePort, extTarget)
		if !p.extLocal {
			elem(nftMasqNodePorts, nodePort, "")
		}
	}

	// The service chain: masquerade what does not come from a pod, then spread.
	masq := "ip daddr " + clusterIP + " " + p.proto + " dport " + p.port + " " + opts.nftMasqMatch() + "jump " + nftMarkMasq
	sticky := affinity(svc)
	f.chain(names.svc, append([]string{masq}, nftBalancing(names, p.proto, p.endpoints, sticky > 0)...)...)

	// The external chain, for policy Local only: pods and the node itself may still use
	// any endpoint; the rest only the local ones.
	if p.extLocal {
		var rules []string
		if opts.ClusterCIDR != "" {
			rules = append(rules, "ip saddr "+opts.ClusterCIDR+" goto "+names.svc)
		}
		rules = append(rules, "fib saddr type local jump "+nftMarkMasq, "fib saddr type local goto "+names.svc)
		if p.hasExternalEndpoints {
			rules = append(rules, "goto "+names.local)
		}
		f.chain(names.ext, rules...)
		if len(p.local) > 0 {
			f.chain(names.local, nftBalancing(names, p.proto, p.local, sticky > 0)...)
		}
	}
	// With ClientIP affinity, a chain per endpoint records the client and DNATs.
	if sticky > 0 {
		for _, e := range p.endpoints {
			chain, set := names.endpoint(e)
			f.sets = append(f.sets, nftSet{set, strconv.Itoa(sticky) + "s"})
			f.chain(chain, "update @"+set+" { ip saddr }", nftDNAT(p.proto, e))
		}
	}
}

func nftDNAT(proto string, e endpoint) string {
	return "meta l4proto " + proto + " dnat to " + e.String()
}

// nftBalancing returns the rules that pick an endpoint: a client seen recently goes back to
// its endpoint, the others go to endpoint i of n with probability 1/(n-i), drawn afresh by
// each rule, so every endpoint gets 1/n (as iptables mode's statistic matches do). One
// "numgen random mod n map { ... }" rule would do the same, but each such rule is an
// anonymous set, and the kernel names a new set by scanning all the table's sets: tens of
// thousands of them made a full sync quadratic.
func nftBalancing(names nftNames, proto string, endpoints []endpoint, sticky bool) []string {
	var rules []string
	target := func(e endpoint) string {
		if sticky {
			chain, _ := names.endpoint(e)
			return "goto " + chain
		}
		return nftDNAT(proto, e)
	}
	if sticky {
		for _, e := range endpoints {
			_, set := names.endpoint(e)
			rules = append(rules, "ip saddr @"+set+" "+target(e))
		}
	}
	for i, e := range endpoints {
		if n := len(endpoints) - i; n > 1 {
			rules = append(rules, "numgen random mod "+strconv.Itoa(n)+" == 0 "+target(e))
		} else {
			rules = append(rules, target(e))
		}
	}
	return rules
}

// claimElements records next's map element claims (sorted dirty service keys wrote new
// fragments) and returns the elements to delete and to add: after a full sync (maps
// flushed) every winner, in service order; after a partial one, the keys whose winning
// verdict changed. nElems is how many elements the dirty fragments hold.
func (next *NFTState) claimElements(prev *NFTState, changed map[string]bool, dirty []string, full bool, nElems int) (gone, added []nftElem) {
	if full {
		next.claims = newClaimTable(nElems)
		added = make([]nftElem, 0, nElems)
		for _, key := range dirty {
			for _, e := range next.frags[key].elems {
				// dirty is sorted, so the first claim seen is the winner.
				if next.claims.add(elemKey{e.m, e.key}, claim{key, e.val}) {
					added = append(added, e)
				}
			}
		}
		return nil, added
	}
	next.claims = prev.claims.derive()
	affected := map[elemKey]bool{}
	for key := range changed {
		if f := prev.frags[key]; f != nil {
			for _, e := range f.elems {
				affected[elemKey{e.m, e.key}] = true
			}
		}
	}
	fresh := map[elemKey][]claim{}
	for _, key := range dirty {
		for _, e := range next.frags[key].elems {
			k := elemKey{e.m, e.key}
			affected[k] = true
			fresh[k] = append(fresh[k], claim{key, e.val})
		}
	}
	for k := range affected {
		before := prev.claims.get(k)
		var after []claim
		for _, c := range before {
			if !changed[c.svc] {
				after = append(after, c)
			}
		}
		after = append(after, fresh[k]...)
		slices.SortFunc(after, func(a, b claim) int { return strings.Compare(a.svc, b.svc) })
		next.claims.set(k, after)
		switch {
		case len(before) > 0 && len(after) > 0 && before[0].val == after[0].val:
		default:
			if len(before) > 0 {
				gone = append(gone, nftElem{k.m, k.key, before[0].val})
			}
			if len(after) > 0 {
				added = append(added, nftElem{k.m, k.key, after[0].val})
			}
		}
	}
	return gone, added
}
