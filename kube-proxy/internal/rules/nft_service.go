package rules

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"seven.dev/api/core"
)

// nftFragment is everything one service contributes to the nftables ruleset. Fragments of
// services that did not change are reused as they are by a partial sync.
type nftFragment struct {
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
		if p := resolvePort(opts, svc, &svc.Spec.Ports[i], eps); p != nil {
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
	names := nftPortNames(p)
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
	// External traffic under policy Cluster goes straight to the service chain, marked for
	// masquerading by the services chain (one set lookup) rather than by a chain per
	// service: every chain costs on each sync, as nft lists them all.
	extTarget := "goto " + names.svc
	if p.extLocal {
		extTarget = "goto " + names.ext
	}

	if p.hasEndpoints {
		elem(nftServiceIPs, key(clusterIP), "goto "+names.svc)
	} else {
		elem(nftNoEndpointServices, key(clusterIP), "goto "+nftReject)
	}
	for _, eip := range svc.Spec.ExternalIPs {
		if !isIPv4(eip) {
			continue
		}
		if p.hasEndpoints {
			elem(nftServiceIPs, key(eip), extTarget)
			if !p.extLocal {
				elem(nftMasqExternalIPs, key(eip), "")
			}
		}
		if !p.hasExternalEndpoints {
			elem(nftNoEndpointExternal, key(eip), extVerdict)
		}
	}
	if p.sp.NodePort != 0 {
		np := p.proto + " . " + strconv.Itoa(int(p.sp.NodePort))
		if p.hasEndpoints {
			elem(nftServiceNodePorts, np, extTarget)
			if !p.extLocal {
				elem(nftMasqNodePorts, np, "")
			}
		}
		if !p.hasExternalEndpoints {
			elem(nftNoEndpointNodePorts, np, extVerdict)
		}
	}
	if !p.hasEndpoints {
		return
	}
	// Hairpin: an endpoint reaching its own service and landing on itself is masqueraded
	// in nat-postrouting (one set of "ip . ip" pairs instead of a rule per endpoint).
	for _, e := range p.endpoints {
		elem(nftHairpin, e.ip+" . "+e.ip, "")
	}

	// The service chain: masquerade what does not come from a pod, then spread.
	vip := "ip daddr " + clusterIP + " " + p.proto + " dport " + p.port
	var masq string
	switch {
	case opts.MasqueradeAll:
		masq = vip + " jump " + nftMarkMasq
	case opts.ClusterCIDR != "":
		masq = vip + " ip saddr != " + opts.ClusterCIDR + " jump " + nftMarkMasq
	default:
		// Without --cluster-cidr pods cannot be told from the rest; masquerade what the
		// node itself sends (see the iptables builder).
		masq = vip + " fib saddr type local jump " + nftMarkMasq
	}
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
// flushed) every winner; after a partial one, the keys whose winning verdict changed.
func (next *NFTState) claimElements(prev *NFTState, changed map[string]bool, dirty []string, full bool) (gone, added []nftElem) {
	if full {
		next.claims = map[elemKey][]claim{}
		for _, key := range dirty {
			for _, e := range next.frags[key].elems {
				k := elemKey{e.m, e.key}
				next.claims[k] = append(next.claims[k], claim{key, e.val})
			}
		}
		for k, cs := range next.claims {
			added = append(added, nftElem{k.m, k.key, cs[0].val})
		}
		return nil, added
	}
	next.claims = maps.Clone(prev.claims)
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
		before := prev.claims[k]
		var after []claim
		for _, c := range before {
			if !changed[c.svc] {
				after = append(after, c)
			}
		}
		after = append(after, fresh[k]...)
		slices.SortFunc(after, func(a, b claim) int { return strings.Compare(a.svc, b.svc) })
		if len(after) == 0 {
			delete(next.claims, k)
		} else {
			next.claims[k] = after
		}
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
