package rules

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"seven.dev/api/core"
)

// Options are the node-wide settings the rules depend on.
type Options struct {
	// NodeName is this node's name (--hostname-override): endpoints whose nodeName matches
	// are local, for externalTrafficPolicy Local.
	NodeName string
	// ClusterCIDR is the pod network (--cluster-cidr); traffic to a cluster IP from outside
	// it is masqueraded. Empty means pods cannot be told apart, see buildPort.
	ClusterCIDR string
	// MasqueradeAll masquerades all traffic to cluster IPs (--masquerade-all).
	MasqueradeAll bool
	// MasqueradeBit is the fwmark bit that asks KUBE-POSTROUTING to masquerade (upstream's
	// --iptables-masquerade-bit, 14 when 0).
	MasqueradeBit int
	// LocalhostNodePorts makes node ports answer on 127.0.0.1 too (upstream's
	// --iptables-localhost-nodeports, on by default). It needs route_localnet=1.
	LocalhostNodePorts bool
}

func (o *Options) mark() string {
	bit := o.MasqueradeBit
	if bit <= 0 || bit > 31 {
		bit = 14
	}
	return fmt.Sprintf("%#x", uint32(1)<<bit)
}

// Input is the cluster state to program.
type Input struct {
	// Services and Endpoints are keyed by "<namespace>/<name>"; they are only read.
	Services  map[string]*core.Service
	Endpoints map[string]*core.Endpoints
	// Changed names the services whose Service or Endpoints changed since the previous
	// sync. Nil asks for a full sync.
	Changed map[string]bool
	// ExistingChains are the nat chains found in the kernel before a full sync: the
	// service and endpoint chains among them that nothing needs any more are deleted
	// (what a previous kube-proxy left behind); in nftables mode, the chains of table ip
	// kube-proxy. Ignored by partial syncs.
	ExistingChains []string
	// ExistingSets are, for nftables mode, the sets of table ip kube-proxy found before a
	// full sync; the affinity sets nothing needs any more are deleted.
	ExistingSets []string
}

// Result is one sync's transaction and what it leaves behind.
type Result struct {
	// Restore is the input of iptables-restore --noflush.
	Restore []byte
	// State is the next sync's previous state; keep it only once Restore is applied.
	State *State
	// Full tells whether this was a full sync.
	Full bool
	// Conntrack lists the UDP conntrack entries to delete once Restore is applied.
	Conntrack []ConntrackEntry
	// NATRules and FilterRules count kube-proxy's rules in each table after the sync.
	NATRules, FilterRules int
	// ChainsWritten counts the chains the transaction flushes and rewrites or deletes.
	ChainsWritten int
}

// State is what a sync remembers for the next one. It is immutable once returned.
type State struct {
	opts  Options
	frags map[string]*fragment // by service key; nil fragments are not stored
	top   map[string][]byte    // "table chain" -> rules last written
}

// Build computes the iptables-restore transaction that brings the rules from prev (nil on
// the first sync) to in. It never modifies its arguments.
func Build(opts Options, in Input, prev *State) Result {
	full := prev == nil || in.Changed == nil || prev.opts != opts
	next := &State{opts: opts, frags: make(map[string]*fragment, len(in.Services)), top: map[string][]byte{}}
	large := endpointCount(in) > largeClusterEndpoints
	sc := &scratch{}
	var dirty []string // service keys whose chains are written
	if full {
		for key, svc := range in.Services {
			if f := buildFragment(&opts, svc, in.Endpoints[key], large, sc); f != nil {
				next.frags[key] = f
			}
		}
		dirty = slices.Collect(maps.Keys(next.frags))
	} else {
		maps.Copy(next.frags, prev.frags)
		for key := range in.Changed {
			delete(next.frags, key)
			if svc := in.Services[key]; svc != nil {
				if f := buildFragment(&opts, svc, in.Endpoints[key], large, sc); f != nil {
					next.frags[key] = f
					dirty = append(dirty, key)
				}
			}
		}
	}
	slices.Sort(dirty)
	var keys []string // every service key, sorted: only when a top-level chain is rebuilt
	// joined returns a top-level chain's lines from every service, in key order; or, in a
	// partial sync where no changed service's lines for it changed, the last sync's.
	joined := func(table, chain string, part func(*fragment) []byte, tail func([]byte) []byte) []byte {
		if !full && !partChanged(prev, next, in.Changed, part) {
			return prev.top[table+" "+chain]
		}
		if keys == nil {
			keys = slices.Sorted(maps.Keys(next.frags))
		}
		b := joinFrags(next, keys, part)
		if tail != nil {
			b = tail(b)
		}
		return b
	}

	w := &restoreWriter{}
	res := Result{State: next, Full: full}

	// filter
	filter := w.table("filter")
	filter.top(ChainServices, joined("filter", ChainServices, func(f *fragment) []byte { return f.filterServices }, nil))
	filter.top(ChainExternalServices, joined("filter", ChainExternalServices, func(f *fragment) []byte { return f.filterExternal }, nil))
	filter.top(ChainForward, forwardRules(&opts))
	filter.top(ChainFirewall, firewallRules(&opts))
	// nat
	nat := w.table("nat")
	nat.top(ChainServices, joined("nat", ChainServices, func(f *fragment) []byte { return f.natServices }, func(b []byte) []byte {
		return append(b, natServicesTail(&opts)...)
	}))
	nat.top(ChainNodePorts, joined("nat", ChainNodePorts, func(f *fragment) []byte { return f.natNodePorts }, nil))
	nat.top(ChainPostrouting, postroutingRules(&opts))
	nat.top(ChainMarkMasq, []byte("-A "+ChainMarkMasq+" -j MARK --or-mark "+opts.mark()+"\n"))
	active := map[string]bool{}
	nChains := 0
	for _, key := range dirty {
		nChains += len(next.frags[key].chains)
	}
	nat.chains = make([]string, 0, nChains+16)
	nat.rules = make([][]byte, 0, len(dirty))
	for _, key := range dirty {
		f := next.frags[key]
		for _, c := range f.chains {
			nat.declare(c)
			active[c] = true
		}
		nat.rules = append(nat.rules, f.rules) // copied once, into the transaction
	}
	// Chains nothing needs any more: flushed (declared) and deleted in the same transaction.
	var stale []string
	if full {
		stale = append(stale, in.ExistingChains...)
		if prev != nil {
			for _, f := range prev.frags {
				stale = append(stale, f.chains...)
			}
		}
	} else {
		for key := range in.Changed {
			if f := prev.frags[key]; f != nil {
				stale = append(stale, f.chains...)
			}
		}
	}
	slices.Sort(stale)
	for _, c := range slices.Compact(stale) {
		if !active[c] && IsServiceChain(c) {
			nat.declare(c)
			nat.deletes = append(nat.deletes, "-X "+c+"\n")
		}
	}

	// Only what differs from the last sync is written; a full sync writes everything.
	for _, t := range w.tables {
		for _, tc := range t.tops {
			id := t.name + " " + tc.chain
			next.top[id] = tc.rules
			if full || !bytes.Equal(prev.top[id], tc.rules) {
				t.declare(tc.chain)
				t.topRules.Write(tc.rules)
			}
		}
	}
	res.Restore, res.ChainsWritten = w.bytes()
	res.NATRules, res.FilterRules = countRules(next)
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

// udp returns the UDP ports of one service.
func (s *State) udp(key string) []udpPort {
	if f := s.frags[key]; f != nil {
		return f.udp
	}
	return nil
}

// joinFrags concatenates one top-level chain's lines from every service, in key order.
func joinFrags(s *State, keys []string, part func(*fragment) []byte) []byte {
	n := 0
	for _, k := range keys {
		n += len(part(s.frags[k]))
	}
	b := make([]byte, 0, n+256) // room for a tail rule
	for _, k := range keys {
		b = append(b, part(s.frags[k])...)
	}
	return b
}

// partChanged reports whether any changed service's lines for one top-level chain differ
// between the two states.
func partChanged(prev, next *State, changed map[string]bool, part func(*fragment) []byte) bool {
	lines := func(f *fragment) []byte {
		if f == nil {
			return nil
		}
		return part(f)
	}
	for key := range changed {
		if !bytes.Equal(lines(prev.frags[key]), lines(next.frags[key])) {
			return true
		}
	}
	return false
}

// endpointCount counts the endpoint addresses of every service port, as upstream counts
// them for its large cluster mode.
func endpointCount(in Input) int {
	n := 0
	for key := range in.Services {
		if e := in.Endpoints[key]; e != nil {
			for _, ss := range e.Subsets {
				n += len(ss.Addresses) * len(ss.Ports)
			}
		}
	}
	return n
}

// natServicesTail is the last rule of nat KUBE-SERVICES: node ports last, so a cluster or
// external IP that is also local matches its own rule.
func natServicesTail(opts *Options) string {
	line := "-A " + ChainServices + " " + comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain") + " -m addrtype --dst-type LOCAL"
	if !opts.LocalhostNodePorts {
		line += " ! -d 127.0.0.0/8"
	}
	return line + " -j " + ChainNodePorts + "\n"
}

func postroutingRules(opts *Options) []byte {
	m := opts.mark()
	return []byte("-A " + ChainPostrouting + " -m mark ! --mark " + m + "/" + m + " -j RETURN\n" +
		// Clear the mark: a packet re-entering the stack (e.g. over vxlan) must not be
		// masqueraded again.
		"-A " + ChainPostrouting + " -j MARK --xor-mark " + m + "\n" +
		"-A " + ChainPostrouting + " " + comment("kubernetes service traffic requiring SNAT") + " -j MASQUERADE --random-fully\n")
}

func forwardRules(opts *Options) []byte {
	m := opts.mark()
	return []byte("-A " + ChainForward + " -m conntrack --ctstate INVALID -j DROP\n" +
		"-A " + ChainForward + " " + comment("kubernetes forwarding rules") + " -m mark --mark " + m + "/" + m + " -j ACCEPT\n" +
		"-A " + ChainForward + " " + comment("kubernetes forwarding conntrack rule") + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n")
}

func firewallRules(opts *Options) []byte {
	if !opts.LocalhostNodePorts {
		return nil
	}
	// route_localnet=1 lets 127.0.0.1:<nodePort> be DNATed to a pod; it must not also let
	// other hosts reach services bound to 127.0.0.1.
	return []byte("-A " + ChainFirewall + " " + comment("block incoming localnet connections") +
		" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n")
}

func countRules(s *State) (nat, filter int) {
	for _, f := range s.frags {
		nat += f.natRules
		filter += f.filterRules
	}
	for id, r := range s.top {
		if id == "filter "+ChainForward || id == "filter "+ChainFirewall {
			filter += bytes.Count(r, []byte("\n"))
		}
		if id == "nat "+ChainPostrouting || id == "nat "+ChainMarkMasq {
			nat += bytes.Count(r, []byte("\n"))
		}
	}
	return nat + 1, filter // + the KUBE-SERVICES jump to KUBE-NODEPORTS
}

// restoreWriter assembles an iptables-restore input, table by table.
type restoreWriter struct{ tables []*tableWriter }

type topChain struct {
	chain string
	rules []byte
}

type tableWriter struct {
	name     string
	tops     []topChain
	chains   []string // declared, for ":CHAIN - [0:0]" lines
	topRules bytes.Buffer
	rules    [][]byte // the services' chains, shared with their fragments
	deletes  []string
}

func (w *restoreWriter) table(name string) *tableWriter {
	t := &tableWriter{name: name}
	w.tables = append(w.tables, t)
	return t
}

func (t *tableWriter) top(chain string, rules []byte) {
	t.tops = append(t.tops, topChain{chain, rules})
}

// declare writes a chain line: in a --noflush restore it creates the chain or flushes it.
func (t *tableWriter) declare(chain string) {
	t.chains = append(t.chains, chain)
}

func (w *restoreWriter) bytes() ([]byte, int) {
	var b bytes.Buffer
	size := 0
	for _, t := range w.tables {
		size += 32 + 32*len(t.chains) + t.topRules.Len()
		for _, r := range t.rules {
			size += len(r)
		}
		for _, d := range t.deletes {
			size += len(d)
		}
	}
	b.Grow(size)
	n := 0
	for _, t := range w.tables {
		if len(t.chains) == 0 {
			continue
		}
		n += len(t.chains)
		b.WriteString("*" + t.name + "\n")
		// Declared in name order: iptables-nft (1.8.9) keeps its chains in a list sorted
		// by name, which is cheap to add to in that order only (2,000 services x 5
		// endpoints: 3 s of CPU instead of 11); iptables-legacy gains a little too.
		slices.Sort(t.chains)
		for _, c := range t.chains {
			b.WriteString(":" + c + " - [0:0]\n")
		}
		b.Write(t.topRules.Bytes())
		for _, r := range t.rules {
			b.Write(r)
		}
		for _, d := range t.deletes {
			b.WriteString(d)
		}
		b.WriteString("COMMIT\n")
	}
	return b.Bytes(), n
}
