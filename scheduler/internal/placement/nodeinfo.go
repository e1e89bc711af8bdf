package placement

import (
	"fmt"

	"seven.dev/api/core"
	"seven.dev/api/labels"
)

// HostPort is one host port a pod holds on its node.
type HostPort struct {
	IP       string // "" means every address (0.0.0.0)
	Protocol core.Protocol
	Port     int32
}

// conflicts reports whether two host ports cannot both be held on one node.
func (p HostPort) conflicts(o HostPort) bool {
	if p.Port != o.Port || p.Protocol != o.Protocol {
		return false
	}
	return p.IP == o.IP || p.IP == "" || o.IP == "" || p.IP == "0.0.0.0" || o.IP == "0.0.0.0"
}

// AffinityTerm is a parsed core.PodAffinityTerm.
type AffinityTerm struct {
	Selector    labels.Selector
	TopologyKey string
	// Namespaces are the namespaces named in the term (or the pod's own when it names none and
	// has no namespace selector).
	Namespaces map[string]bool
	// NamespaceSelector, when not nil, also selects namespaces by their labels.
	NamespaceSelector labels.Selector
}

// WeightedAffinityTerm is a parsed core.WeightedPodAffinityTerm.
type WeightedAffinityTerm struct {
	AffinityTerm
	Weight int64
}

// matches reports whether pod falls under the term: in one of its namespaces, with matching labels.
func (t *AffinityTerm) matches(pod *core.Pod, nsLabels func(string) map[string]string) bool {
	if !t.Namespaces[pod.Namespace] && (t.NamespaceSelector == nil || !t.NamespaceSelector.Matches(nsLabels(pod.Namespace))) {
		return false
	}
	return t.Selector.Matches(pod.Labels)
}

// PodInfo is a pod with what the scheduler derives from it computed once: its requests, host
// ports and parsed affinity terms. Build it with NewPodInfo; it is immutable afterwards.
type PodInfo struct {
	Pod *core.Pod
	// Key is "namespace/name".
	Key string
	// Requests is what the pod asks for (upstream's PodRequests); NonZero is the same with
	// DefaultMilliCPURequest and DefaultMemoryRequest for containers that ask for nothing.
	Requests, NonZero Resource
	Ports             []HostPort

	RequiredAffinity      []AffinityTerm
	RequiredAntiAffinity  []AffinityTerm
	PreferredAffinity     []WeightedAffinityTerm
	PreferredAntiAffinity []WeightedAffinityTerm
	// ParseError is set when an affinity term's selector does not parse; such a pod fits
	// nowhere (upstream rejects it in PreFilter).
	ParseError error
}

// NewPodInfo derives a PodInfo from pod, which it keeps and never modifies.
func NewPodInfo(pod *core.Pod) *PodInfo {
	pi := &PodInfo{
		Pod:      pod,
		Key:      pod.Namespace + "/" + pod.Name,
		Requests: podRequests(pod, containerRequests),
		NonZero:  podRequests(pod, containerNonZeroRequests),
	}
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort <= 0 {
				continue
			}
			proto := p.Protocol
			if proto == "" {
				proto = core.ProtocolTCP
			}
			pi.Ports = append(pi.Ports, HostPort{IP: p.HostIP, Protocol: proto, Port: p.HostPort})
		}
	}
	if a := pod.Spec.Affinity; a != nil {
		if a.PodAffinity != nil {
			pi.RequiredAffinity = pi.terms(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
			pi.PreferredAffinity = pi.weightedTerms(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		}
		if a.PodAntiAffinity != nil {
			pi.RequiredAntiAffinity = pi.terms(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
			pi.PreferredAntiAffinity = pi.weightedTerms(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		}
	}
	return pi
}

// HasAffinity reports whether the pod has any inter-pod (anti-)affinity term.
func (pi *PodInfo) HasAffinity() bool {
	return len(pi.RequiredAffinity)+len(pi.RequiredAntiAffinity)+len(pi.PreferredAffinity)+len(pi.PreferredAntiAffinity) > 0
}

func (pi *PodInfo) terms(in []core.PodAffinityTerm) []AffinityTerm {
	out := make([]AffinityTerm, 0, len(in))
	for i := range in {
		t, err := pi.parseTerm(&in[i])
		if err != nil {
			pi.ParseError = err
			continue
		}
		out = append(out, t)
	}
	return out
}

func (pi *PodInfo) weightedTerms(in []core.WeightedPodAffinityTerm) []WeightedAffinityTerm {
	out := make([]WeightedAffinityTerm, 0, len(in))
	for i := range in {
		t, err := pi.parseTerm(&in[i].PodAffinityTerm)
		if err != nil {
			pi.ParseError = err
			continue
		}
		out = append(out, WeightedAffinityTerm{AffinityTerm: t, Weight: int64(in[i].Weight)})
	}
	return out
}

// parseTerm follows upstream's newAffinityTerm, including matchLabelKeys and
// mismatchLabelKeys, which add "key in (my value)" and "key notin (my value)" requirements.
func (pi *PodInfo) parseTerm(t *core.PodAffinityTerm) (AffinityTerm, error) {
	sel, err := labels.SelectorFromLabelSelector(t.LabelSelector)
	if err != nil {
		return AffinityTerm{}, fmt.Errorf("pod %s: affinity term selector: %w", pi.Key, err)
	}
	for _, k := range t.MatchLabelKeys {
		if v, ok := pi.Pod.Labels[k]; ok {
			r, err := labels.NewRequirement(k, labels.In, []string{v})
			if err != nil {
				return AffinityTerm{}, fmt.Errorf("pod %s: matchLabelKeys %q: %w", pi.Key, k, err)
			}
			sel = sel.Add(*r)
		}
	}
	for _, k := range t.MismatchLabelKeys {
		if v, ok := pi.Pod.Labels[k]; ok {
			r, err := labels.NewRequirement(k, labels.NotIn, []string{v})
			if err != nil {
				return AffinityTerm{}, fmt.Errorf("pod %s: mismatchLabelKeys %q: %w", pi.Key, k, err)
			}
			sel = sel.Add(*r)
		}
	}
	at := AffinityTerm{Selector: sel, TopologyKey: t.TopologyKey, Namespaces: map[string]bool{}}
	for _, ns := range t.Namespaces {
		at.Namespaces[ns] = true
	}
	if t.NamespaceSelector != nil {
		nsSel, err := labels.SelectorFromLabelSelector(t.NamespaceSelector)
		if err != nil {
			return AffinityTerm{}, fmt.Errorf("pod %s: affinity term namespace selector: %w", pi.Key, err)
		}
		at.NamespaceSelector = nsSel
	} else if len(t.Namespaces) == 0 {
		at.Namespaces[pi.Pod.Namespace] = true
	}
	return at, nil
}

// NodeInfo is a node with the pods bound or assumed on it and their summed requests. A NodeInfo
// is immutable once built: WithPod and WithoutPod return changed copies, so a snapshot can
// share NodeInfos with the cache that made it.
type NodeInfo struct {
	// Node is nil while pods name a node the cache has not seen (yet).
	Node *core.Node
	Pods []*PodInfo
	// Allocatable is the node's status.allocatable (capacity when allocatable is empty).
	Allocatable Resource
	// Requested sums the pods' Requests, NonZeroRequested their NonZero.
	Requested, NonZeroRequested Resource
	UsedPorts                   []HostPort
	// PodsWithAffinity counts pods with any inter-pod affinity term,
	// PodsWithRequiredAntiAffinity those with a required anti-affinity term.
	PodsWithAffinity, PodsWithRequiredAntiAffinity int
}

// NewNodeInfo returns the NodeInfo of node with pods on it.
func NewNodeInfo(node *core.Node, pods ...*PodInfo) *NodeInfo {
	ni := &NodeInfo{}
	ni.setNode(node)
	for _, p := range pods {
		ni.addPod(p)
	}
	return ni
}

// Name returns the node's name ("" when the node is unknown).
func (n *NodeInfo) Name() string {
	if n.Node == nil {
		return ""
	}
	return n.Node.Name
}

func (n *NodeInfo) setNode(node *core.Node) {
	n.Node = node
	n.Allocatable = Resource{}
	if node == nil {
		return
	}
	alloc := node.Status.Allocatable
	if len(alloc) == 0 {
		alloc = node.Status.Capacity
	}
	n.Allocatable = ResourceFromList(alloc)
}

func (n *NodeInfo) clone() *NodeInfo {
	c := *n
	c.Pods = append([]*PodInfo(nil), n.Pods...)
	c.UsedPorts = append([]HostPort(nil), n.UsedPorts...)
	return &c
}

// WithNode returns a copy of n describing node.
func (n *NodeInfo) WithNode(node *core.Node) *NodeInfo {
	c := n.clone()
	c.setNode(node)
	return c
}

// WithPod returns a copy of n with p added.
func (n *NodeInfo) WithPod(p *PodInfo) *NodeInfo {
	c := n.clone()
	c.addPod(p)
	return c
}

// WithoutPod returns a copy of n without the pod with key, and whether it was there.
func (n *NodeInfo) WithoutPod(key string) (*NodeInfo, bool) {
	for i, p := range n.Pods {
		if p.Key != key {
			continue
		}
		c := &NodeInfo{}
		c.setNode(n.Node)
		for j, q := range n.Pods {
			if j != i {
				c.addPod(q)
			}
		}
		return c, true
	}
	return n, false
}

func (n *NodeInfo) addPod(p *PodInfo) {
	n.Pods = append(n.Pods, p)
	n.Requested.Add(p.Requests)
	n.NonZeroRequested.Add(p.NonZero)
	n.UsedPorts = append(n.UsedPorts, p.Ports...)
	if p.HasAffinity() {
		n.PodsWithAffinity++
	}
	if len(p.RequiredAntiAffinity) > 0 {
		n.PodsWithRequiredAntiAffinity++
	}
}

// Snapshot is the cluster as one scheduling attempt sees it.
type Snapshot struct {
	// Nodes are the known nodes, in a stable order (the order feasibility search rotates over).
	Nodes []*NodeInfo
	// NamespaceLabels returns a namespace's labels for affinity terms' namespace selectors;
	// nil means only the label kubernetes.io/metadata.name, which every namespace carries.
	NamespaceLabels func(namespace string) map[string]string
}

func (s *Snapshot) nsLabels(ns string) map[string]string {
	if s.NamespaceLabels != nil {
		return s.NamespaceLabels(ns)
	}
	return map[string]string{core.LabelMetadataName: ns}
}
