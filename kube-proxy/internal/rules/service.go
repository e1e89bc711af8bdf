package rules

import (
	"bytes"
	"cmp"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"seven.dev/api/core"
)

// fragment is everything one service contributes to the ruleset. Fragments of services that
// did not change are reused as they are by a partial sync.
type fragment struct {
	// chains are the nat chains the service owns (KUBE-SVC/SVL/EXT/SEP), in writing order;
	// rules holds their -A lines.
	chains []string
	rules  []byte
	// Lines for the shared top-level chains.
	natServices, natNodePorts      []byte
	filterServices, filterExternal []byte
	// udp describes the service's UDP ports, for the conntrack clean-up.
	udp []udpPort
	// natRules and filterRules count the rules above, for the metrics.
	natRules, filterRules int
}

// udpPort is what a UDP (or TCP) service port's conntrack entries can point at.
type udpPort struct {
	name      string   // service port name, the key between two syncs
	tcp       bool     // a TCP port: only its first endpoints clean conntrack up
	vips      []string // cluster IP and external IPs
	nodePort  int32
	endpoints []string // endpoint IPs
}

// endpoint is one ready address of a service port.
type endpoint struct {
	ip    string
	addr  [4]byte // ip, parsed: the sort key
	port  int32
	local bool
	chain string // KUBE-SEP name, when asked for
}

func (e endpoint) String() string { return net.JoinHostPort(e.ip, strconv.Itoa(int(e.port))) }

// ruleWriter appends lines to one buffer and counts them.
type ruleWriter struct {
	buf *bytes.Buffer
	n   *int
}

// line writes parts separated by spaces; empty parts (a comment left out) are skipped.
func (w ruleWriter) line(parts ...string) {
	first := true
	for _, p := range parts {
		if p == "" {
			continue
		}
		if !first {
			w.buf.WriteByte(' ')
		}
		w.buf.WriteString(p)
		first = false
	}
	w.buf.WriteByte('\n')
	*w.n++
}

// comment renders an iptables comment match.
func comment(text string) string { return `-m comment --comment "` + text + `"` }

// largeClusterEndpoints is upstream's largeClusterEndpointsThreshold: with more endpoints
// than this in all, the rules of the KUBE-SVC/SVL jumps to endpoints and of the KUBE-SEP
// chains carry no comment. The kernel stores 256 bytes per comment, these rules are three
// quarters of a large ruleset, and iptables-legacy copies the whole table on every change
// (upstream puts the saving at 40% of the table).
const largeClusterEndpoints = 1000

// buildFragment computes the rules of one service. It returns nil for services kube-proxy
// does not program (headless, ExternalName, no cluster IP). large leaves the endpoint
// rules' comments out (see largeClusterEndpoints).
func buildFragment(opts *Options, svc *core.Service, eps *core.Endpoints, large bool, sc *scratch) *fragment {
	if !programmable(svc) {
		return nil
	}
	if sc == nil {
		sc = &scratch{}
	}
	for _, b := range sc.bufs() {
		b.Reset()
	}
	f := &fragment{}
	for i := range svc.Spec.Ports {
		if p := resolvePort(opts, svc, &svc.Spec.Ports[i], eps, true); p != nil {
			buildPort(opts, f, sc, p, large)
		}
	}
	for i, b := range sc.bufs() {
		*f.parts()[i] = bytes.Clone(b.Bytes())
	}
	return f
}

// scratch holds the buffers a fragment is written into before its parts are copied out at
// their final size: reused from one service to the next, they stop growing after the
// first few, where buffers of each fragment's own would grow (and be copied) for every one.
type scratch struct {
	rules, natServices, natNodePorts, filterServices, filterExternal bytes.Buffer
}

func (s *scratch) bufs() [5]*bytes.Buffer {
	return [5]*bytes.Buffer{&s.rules, &s.natServices, &s.natNodePorts, &s.filterServices, &s.filterExternal}
}

// parts are the fragment's fields in the order of scratch.bufs.
func (f *fragment) parts() [5]*[]byte {
	return [5]*[]byte{&f.rules, &f.natServices, &f.natNodePorts, &f.filterServices, &f.filterExternal}
}

func buildPort(opts *Options, f *fragment, sc *scratch, p *servicePort, large bool) {
	if u, ok := p.udp(); ok {
		f.udp = append(f.udp, u)
	}
	svc, sp, name, endpoints, local := p.svc, p.sp, p.name, p.endpoints, p.local
	svcChain, svlChain, extChain := serviceChains(name, p.proto)
	clusterIP := svc.Spec.ClusterIP
	port := p.port
	match := "-m " + p.proto + " -p " + p.proto
	externallyAccessible, extLocal := p.externallyAccessible, p.extLocal
	hasEndpoints, hasExternalEndpoints := p.hasEndpoints, p.hasExternalEndpoints
	externalPolicyChain := svcChain
	if extLocal {
		externalPolicyChain = svlChain
	}
	// Traffic the filter table turns away: REJECT when there is no endpoint at all (the
	// client sees "connection refused" at once), DROP when only local ones are missing.
	extFilterTarget, extFilterComment := "REJECT", name+" has no endpoints"
	if hasEndpoints {
		extFilterTarget, extFilterComment = "DROP", name+" has no local endpoints"
	}

	natServices := ruleWriter{&sc.natServices, &f.natRules}
	natNodePorts := ruleWriter{&sc.natNodePorts, &f.natRules}
	filterServices := ruleWriter{&sc.filterServices, &f.filterRules}
	filterExternal := ruleWriter{&sc.filterExternal, &f.filterRules}
	chains := ruleWriter{&sc.rules, &f.natRules}

	// The cluster IP.
	if hasEndpoints {
		natServices.line("-A", ChainServices, comment(name+" cluster IP"), match, "-d", clusterIP, "--dport", port, "-j", svcChain)
	} else {
		filterServices.line("-A", ChainServices, comment(name+" has no endpoints"), match, "-d", clusterIP, "--dport", port, "-j", "REJECT")
	}
	// External IPs.
	for _, eip := range svc.Spec.ExternalIPs {
		if hasEndpoints {
			natServices.line("-A", ChainServices, comment(name+" external IP"), match, "-d", eip, "--dport", port, "-j", extChain)
		}
		if !hasExternalEndpoints {
			filterExternal.line("-A", ChainExternalServices, comment(extFilterComment), match, "-d", eip, "--dport", port, "-j", extFilterTarget)
		}
	}
	// The node port, on every local address.
	if sp.NodePort != 0 {
		np := strconv.Itoa(int(sp.NodePort))
		if hasEndpoints {
			natNodePorts.line("-A", ChainNodePorts, comment(name), match, "--dport", np, "-j", extChain)
		}
		if !hasExternalEndpoints {
			filterExternal.line("-A", ChainExternalServices, comment(extFilterComment), "-m addrtype --dst-type LOCAL", match, "--dport", np, "-j", extFilterTarget)
		}
	}
	if !hasEndpoints {
		return
	}

	// KUBE-SVC: masquerade what does not come from a pod, then spread over the endpoints.
	f.chains = append(f.chains, svcChain)
	vip := comment(name+" cluster IP") + " " + match + " -d " + clusterIP + " --dport " + port
	switch {
	case opts.MasqueradeAll:
		chains.line("-A", svcChain, vip, "-j", ChainMarkMasq)
	case opts.ClusterCIDR != "":
		chains.line("-A", svcChain, vip, "!", "-s", opts.ClusterCIDR, "-j", ChainMarkMasq)
	default:
		// Without --cluster-cidr pods cannot be told from the rest; at least masquerade what
		// the node itself sends, so replies from a pod on another node come back through
		// this node's conntrack entry instead of straight to an address that never sent.
		chains.line("-A", svcChain, vip, "-m addrtype --src-type LOCAL", "-j", ChainMarkMasq)
	}
	writeBalancing(chains, svc, name, svcChain, endpoints, large)

	// KUBE-EXT: node ports and external IPs.
	if externallyAccessible {
		f.chains = append(f.chains, extChain)
		if !extLocal {
			chains.line("-A", extChain, comment("masquerade traffic for "+name+" external destinations"), "-j", ChainMarkMasq)
		} else {
			if opts.ClusterCIDR != "" {
				chains.line("-A", extChain, comment("pod traffic for "+name+" external destinations"), "-s", opts.ClusterCIDR, "-j", svcChain)
			}
			chains.line("-A", extChain, comment("masquerade LOCAL traffic for "+name+" external destinations"), "-m addrtype --src-type LOCAL", "-j", ChainMarkMasq)
			chains.line("-A", extChain, comment("route LOCAL traffic for "+name+" external destinations"), "-m addrtype --src-type LOCAL", "-j", svcChain)
		}
		if hasExternalEndpoints {
			chains.line("-A", extChain, "-j", externalPolicyChain)
		}
	}
	// KUBE-SVL: the local endpoints only, for externalTrafficPolicy Local.
	if extLocal && len(local) > 0 {
		f.chains = append(f.chains, svlChain)
		writeBalancing(chains, svc, name, svlChain, local, large)
	}
	// KUBE-SEP: hairpin masquerade and the DNAT itself.
	sepComment := comment(name)
	if large {
		sepComment = ""
	}
	for _, e := range endpoints {
		f.chains = append(f.chains, e.chain)
		args := []string{"-A", e.chain, sepComment}
		chains.line(append(args, "-s", e.ip, "-j", ChainMarkMasq)...)
		if affinity(svc) > 0 {
			args = append(args, "-m recent --name", e.chain, "--set")
		}
		chains.line(append(args, match, "-j DNAT --to-destination", e.String())...)
	}
}

// writeBalancing writes a KUBE-SVC or KUBE-SVL chain's jumps: affinity first, then a random
// choice where rule i of n matches with probability 1/(n-i), so every endpoint gets 1/n.
// large leaves the comments out.
func writeBalancing(w ruleWriter, svc *core.Service, name, chain string, endpoints []endpoint, large bool) {
	jumpComment := func(e endpoint) string {
		if large {
			return ""
		}
		return comment(name + " -> " + e.String())
	}
	if secs := affinity(svc); secs > 0 {
		for _, e := range endpoints {
			w.line("-A", chain, jumpComment(e), "-m recent --name", e.chain,
				"--rcheck --seconds", strconv.Itoa(secs), "--reap", "-j", e.chain)
		}
	}
	for i, e := range endpoints {
		args := []string{"-A", chain, jumpComment(e)}
		if n := len(endpoints) - i; n > 1 {
			args = append(args, "-m statistic --mode random --probability", strconv.FormatFloat(1.0/float64(n), 'f', 10, 64))
		}
		w.line(append(args, "-j", e.chain)...)
	}
}

// affinity returns the ClientIP affinity timeout in seconds, or 0 without affinity.
func affinity(svc *core.Service) int {
	if svc.Spec.SessionAffinity != core.ServiceAffinityClientIP {
		return 0
	}
	if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil && *c.ClientIP.TimeoutSeconds > 0 {
		return int(*c.ClientIP.TimeoutSeconds)
	}
	return int(core.DefaultClientIPServiceAffinitySeconds)
}

// portEndpoints returns the ready endpoints of one service port, sorted. An Endpoints port
// belongs to the service port with the same name (the endpoints controller resolves named
// targetPorts per pod and names the result after the service port); a hand-written subset
// may instead name the targetPort, or leave its only port unnamed for a one-port service.
func portEndpoints(opts *Options, sp *core.ServicePort, eps *core.Endpoints, name, proto string, withChains bool) []endpoint {
	if eps == nil {
		return nil
	}
	var out []endpoint
	for _, ss := range eps.Subsets {
		p, ok := matchPort(sp, ss.Ports, proto)
		if !ok {
			continue
		}
		for _, a := range ss.Addresses {
			addr, err := netip.ParseAddr(a.IP)
			if err != nil || !addr.Unmap().Is4() {
				continue
			}
			out = append(out, endpoint{ip: a.IP, port: p, addr: addr.Unmap().As4(),
				local: a.NodeName != nil && *a.NodeName == opts.NodeName && opts.NodeName != ""})
		}
	}
	// Sorted by address and port; of duplicates the first listed stays.
	slices.SortStableFunc(out, func(a, b endpoint) int {
		return cmp.Or(bytes.Compare(a.addr[:], b.addr[:]), cmp.Compare(a.port, b.port))
	})
	out = slices.CompactFunc(out, func(a, b endpoint) bool { return a.addr == b.addr && a.port == b.port })
	if withChains {
		for i := range out {
			out[i].chain = endpointChain(name, proto, out[i].String())
		}
	}
	return out
}

func matchPort(sp *core.ServicePort, ports []core.EndpointPort, proto string) (int32, bool) {
	sameProto := func(p core.EndpointPort) bool {
		return strings.EqualFold(string(p.Protocol), proto) || (p.Protocol == "" && proto == "tcp")
	}
	for _, p := range ports {
		if p.Name == sp.Name && sameProto(p) {
			return p.Port, true
		}
	}
	if sp.TargetPort.StrVal != "" {
		for _, p := range ports {
			if p.Name == sp.TargetPort.StrVal && sameProto(p) {
				return p.Port, true
			}
		}
	}
	if len(ports) == 1 && ports[0].Name == "" && sameProto(ports[0]) {
		return ports[0].Port, true
	}
	return 0, false
}
