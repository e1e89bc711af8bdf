package placement

// topologyPair is one topology domain: a node label key and its value.
type topologyPair struct{ key, value string }

// interPodState is InterPodAffinity's PreFilter result (upstream's preFilterState).
type interPodState struct {
	// existingAnti counts, per domain, existing pods whose required anti-affinity terms match
	// the incoming pod.
	existingAnti map[topologyPair]int
	// affinity counts, per domain, existing pods matching all the incoming pod's required
	// affinity terms; anti counts those matching each of its required anti-affinity terms.
	affinity, anti map[topologyPair]int
}

// interPodAffinity enforces required pod affinity and anti-affinity, the incoming pod's and
// that of the pods already placed.
type interPodAffinity struct{}

func (interPodAffinity) Name() string { return InterPodAffinityName }

func (interPodAffinity) PreFilter(s *CycleState) {
	st := &interPodState{}
	s.interPod = st
	pod := s.Pod
	nsl := s.Snapshot.nsLabels
	needOwn := len(pod.RequiredAffinity)+len(pod.RequiredAntiAffinity) > 0
	for _, n := range s.Snapshot.Nodes {
		if n.PodsWithRequiredAntiAffinity == 0 && !needOwn {
			continue
		}
		for _, ep := range n.Pods {
			for i := range ep.RequiredAntiAffinity {
				t := &ep.RequiredAntiAffinity[i]
				if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(pod.Pod, nsl) {
					st.existingAnti = inc(st.existingAnti, topologyPair{t.TopologyKey, v}, 1)
				}
			}
			if !needOwn {
				continue
			}
			if len(pod.RequiredAffinity) > 0 && matchesAll(pod.RequiredAffinity, ep, nsl) {
				for _, t := range pod.RequiredAffinity {
					if v, ok := n.Node.Labels[t.TopologyKey]; ok {
						st.affinity = inc(st.affinity, topologyPair{t.TopologyKey, v}, 1)
					}
				}
			}
			for i := range pod.RequiredAntiAffinity {
				t := &pod.RequiredAntiAffinity[i]
				if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(ep.Pod, nsl) {
					st.anti = inc(st.anti, topologyPair{t.TopologyKey, v}, 1)
				}
			}
		}
	}
}

func inc(m map[topologyPair]int, k topologyPair, d int) map[topologyPair]int {
	if m == nil {
		m = map[topologyPair]int{}
	}
	m[k] += d
	return m
}

func matchesAll(terms []AffinityTerm, p *PodInfo, nsl func(string) map[string]string) bool {
	for i := range terms {
		if !terms[i].matches(p.Pod, nsl) {
			return false
		}
	}
	return true
}

func (interPodAffinity) Filter(s *CycleState, n *NodeInfo) *Status {
	st := s.interPod
	pod := s.Pod
	if len(pod.RequiredAffinity) > 0 && !satisfiesAffinity(s, st, n) {
		return unresolvable(InterPodAffinityName, ReasonAffinityNotMatch)
	}
	for _, t := range pod.RequiredAntiAffinity {
		if v, ok := n.Node.Labels[t.TopologyKey]; ok && st.anti[topologyPair{t.TopologyKey, v}] > 0 {
			return unschedulable(InterPodAffinityName, ReasonAntiAffinityNotMatch)
		}
	}
	if len(st.existingAnti) > 0 {
		for k, v := range n.Node.Labels {
			if st.existingAnti[topologyPair{k, v}] > 0 {
				return unschedulable(InterPodAffinityName, ReasonExistingAntiAffinity)
			}
		}
	}
	return nil
}

// satisfiesAffinity follows upstream: every term's domain on this node must hold a matching
// pod; but when no pod anywhere matches and the pod matches its own terms, it may start the
// group on any node that has the topology keys.
func satisfiesAffinity(s *CycleState, st *interPodState, n *NodeInfo) bool {
	all := true
	for _, t := range s.Pod.RequiredAffinity {
		v, ok := n.Node.Labels[t.TopologyKey]
		if !ok {
			return false
		}
		if st.affinity[topologyPair{t.TopologyKey, v}] <= 0 {
			all = false
		}
	}
	if all {
		return true
	}
	return len(st.affinity) == 0 && matchesAll(s.Pod.RequiredAffinity, s.Pod, s.Snapshot.nsLabels)
}

// interPodAffinityScore favours domains with pods the incoming pod prefers to be near (and
// pods that prefer it), and disfavours those it prefers to avoid, as upstream's
// InterPodAffinity score with hardPodAffinityWeight 1.
type interPodAffinityScore struct{}

func (interPodAffinityScore) Name() string { return InterPodAffinityName }

func (interPodAffinityScore) PreScore(s *CycleState, _ []*NodeInfo) bool {
	pod := s.Pod
	own := len(pod.PreferredAffinity)+len(pod.PreferredAntiAffinity) > 0
	nsl := s.Snapshot.nsLabels
	scores := map[string]map[string]int64{}
	add := func(key, value string, w int64) {
		m := scores[key]
		if m == nil {
			m = map[string]int64{}
			scores[key] = m
		}
		m[value] += w
	}
	found := false
	for _, n := range s.Snapshot.Nodes {
		if !own && n.PodsWithAffinity == 0 {
			continue
		}
		for _, ep := range n.Pods {
			if own {
				for _, t := range pod.PreferredAffinity {
					if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(ep.Pod, nsl) {
						add(t.TopologyKey, v, t.Weight)
						found = true
					}
				}
				for _, t := range pod.PreferredAntiAffinity {
					if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(ep.Pod, nsl) {
						add(t.TopologyKey, v, -t.Weight)
						found = true
					}
				}
			}
			if !ep.HasAffinity() {
				continue
			}
			for _, t := range ep.RequiredAffinity {
				if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(pod.Pod, nsl) {
					add(t.TopologyKey, v, 1)
					found = true
				}
			}
			for _, t := range ep.PreferredAffinity {
				if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(pod.Pod, nsl) {
					add(t.TopologyKey, v, t.Weight)
					found = true
				}
			}
			for _, t := range ep.PreferredAntiAffinity {
				if v, ok := n.Node.Labels[t.TopologyKey]; ok && t.matches(pod.Pod, nsl) {
					add(t.TopologyKey, v, -t.Weight)
					found = true
				}
			}
		}
	}
	s.interPodScore = scores
	return found
}

func (interPodAffinityScore) Score(s *CycleState, n *NodeInfo) int64 {
	var total int64
	for key, byValue := range s.interPodScore {
		if v, ok := n.Node.Labels[key]; ok {
			total += byValue[v]
		}
	}
	return total
}

// Normalize maps [min, max] onto [0, MaxNodeScore], as upstream.
func (interPodAffinityScore) Normalize(_ *CycleState, _ []*NodeInfo, scores []int64) {
	lo, hi := minMax(scores)
	for i := range scores {
		if hi > lo {
			scores[i] = MaxNodeScore * (scores[i] - lo) / (hi - lo)
		} else {
			scores[i] = 0
		}
	}
}

func minMax(v []int64) (lo, hi int64) {
	for i, x := range v {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	return lo, hi
}
