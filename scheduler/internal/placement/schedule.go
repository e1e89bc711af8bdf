package placement

import (
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"

	"seven.dev/api/labels"
)

// MaxNodeScore is the highest score a score plugin gives a node (upstream's framework.MaxNodeScore).
const MaxNodeScore int64 = 100

// Status is a filter's refusal of one node: the plugin and its reasons.
type Status struct {
	Plugin  string
	Reasons []string
	// Unresolvable marks refusals that no change to other pods could lift (upstream's
	// UnschedulableAndUnresolvable), as opposed to, say, Insufficient cpu.
	Unresolvable bool
}

func unschedulable(plugin string, reasons ...string) *Status {
	return &Status{Plugin: plugin, Reasons: reasons}
}

func unresolvable(plugin string, reasons ...string) *Status {
	return &Status{Plugin: plugin, Reasons: reasons, Unresolvable: true}
}

// CycleState is what one scheduling attempt knows about the pod; plugins keep the data they
// precompute in PreFilter and PreScore here.
type CycleState struct {
	Pod      *PodInfo
	Snapshot *Snapshot
	// SpreadSelectors select the pods that belong with this one (same service, replication
	// controller or replica set), for SelectorSpread.
	SpreadSelectors []labels.Selector

	interPod      *interPodState
	interPodScore map[string]map[string]int64
}

// FilterPlugin rejects nodes a pod cannot run on. Filter returns nil for a node that fits.
type FilterPlugin interface {
	Name() string
	Filter(s *CycleState, n *NodeInfo) *Status
}

// PreFilterPlugin precomputes, once per attempt, what its Filter needs.
type PreFilterPlugin interface {
	PreFilter(s *CycleState)
}

// ScorePlugin ranks the nodes that passed the filters. Normalize maps the raw scores of
// every feasible node (in place) onto 0..MaxNodeScore.
type ScorePlugin interface {
	Name() string
	// PreScore prepares the scores of nodes; it returns false when the plugin has nothing to
	// say about this pod, and is then skipped.
	PreScore(s *CycleState, nodes []*NodeInfo) bool
	Score(s *CycleState, n *NodeInfo) int64
	Normalize(s *CycleState, nodes []*NodeInfo, scores []int64)
}

// WeightedScore is a score plugin with its weight in the sum.
type WeightedScore struct {
	Plugin ScorePlugin
	Weight int64
}

// Profile is a placement pipeline: filters run in order, the first refusal wins; scores are
// summed with their weights.
type Profile struct {
	Filters []FilterPlugin
	Scores  []WeightedScore
}

// DefaultProfile is upstream's default plugin set (as far as Seven implements it) in upstream's
// order and with upstream's weights; SelectorSpread stands in for PodTopologySpread's default
// constraints, with its weight.
func DefaultProfile() Profile {
	return Profile{
		Filters: []FilterPlugin{
			nodeReady{}, nodeUnschedulable{}, nodeName{}, taintToleration{}, nodeAffinity{},
			nodePorts{}, nodeResourcesFit{}, interPodAffinity{},
		},
		Scores: []WeightedScore{
			{taintTolerationScore{}, 3},
			{nodeAffinityScore{}, 2},
			{selectorSpread{}, 2},
			{interPodAffinityScore{}, 2},
			{leastAllocated{}, 1},
			{balancedAllocation{}, 1},
		},
	}
}

// Input is everything one placement decision depends on.
type Input struct {
	Pod      *PodInfo
	Snapshot *Snapshot
	// SpreadSelectors, see CycleState.
	SpreadSelectors []labels.Selector
	// PercentageOfNodesToScore bounds how many feasible nodes are looked for before scoring:
	// 0 is upstream's adaptive default (50% less 1% per 125 nodes, at least 5%), 100 means all.
	// At least 100 nodes are always looked for.
	PercentageOfNodesToScore int
	// StartIndex is where the search for feasible nodes starts in Snapshot.Nodes; feed each
	// Result.NextStartIndex back in so that successive pods look at different nodes.
	StartIndex int
}

// Result is a placement decision.
type Result struct {
	// Node is the chosen node; "" when the pod fits nowhere, and then Err says why.
	Node string
	Err  error
	// Evaluated and Feasible count the nodes filtered and the nodes that passed.
	Evaluated, Feasible int
	// Score is the chosen node's weighted score (0 when it was the only feasible node).
	Score int64
	// NextStartIndex is the StartIndex of the next attempt.
	NextStartIndex int
}

// ErrNoNodesAvailable is upstream's error for a cluster without nodes.
var ErrNoNodesAvailable = errors.New("no nodes available to schedule pods")

// FitError says why a pod fits on no node: every node's refusal.
type FitError struct {
	NumAllNodes int
	// NodeToStatus holds the refusal of every node, by node name.
	NodeToStatus map[string]*Status
	// PreFilterMsg, when set, is a refusal that applies to every node at once.
	PreFilterMsg string
}

// Error renders upstream's message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s)
// didn't match Pod's node affinity/selector." (reasons counted over nodes, "<count> <reason>"
// strings sorted, joined by ", "). Preemption is not implemented, so no "preemption: ..."
// part follows.
func (f *FitError) Error() string {
	msg := fmt.Sprintf("0/%v nodes are available:", f.NumAllNodes)
	if f.PreFilterMsg != "" {
		return msg + " " + f.PreFilterMsg + "."
	}
	counts := map[string]int{}
	for _, st := range f.NodeToStatus {
		for _, r := range st.Reasons {
			counts[r]++
		}
	}
	hist := make([]string, 0, len(counts))
	for r, n := range counts {
		hist = append(hist, fmt.Sprintf("%v %v", n, r))
	}
	sort.Strings(hist)
	return msg + " " + strings.Join(hist, ", ") + "."
}

// numFeasibleNodesToFind is upstream's adaptive percentageOfNodesToScore.
func numFeasibleNodesToFind(pct, all int) int {
	const minFeasible, minPct = 100, 5
	if all < minFeasible || pct >= 100 {
		return all
	}
	if pct <= 0 {
		pct = 50 - all/125
		if pct < minPct {
			pct = minPct
		}
	}
	n := all * pct / 100
	if n < minFeasible {
		return minFeasible
	}
	return n
}

// Schedule decides where in.Pod goes. rng breaks ties between equally good nodes; seed it to
// replay a decision.
func (p Profile) Schedule(in Input, rng *rand.Rand) Result {
	nodes := in.Snapshot.Nodes
	res := Result{NextStartIndex: in.StartIndex}
	if len(nodes) == 0 {
		res.Err = ErrNoNodesAvailable
		return res
	}
	if in.Pod.ParseError != nil {
		res.Err = &FitError{NumAllNodes: len(nodes), PreFilterMsg: in.Pod.ParseError.Error()}
		return res
	}
	s := &CycleState{Pod: in.Pod, Snapshot: in.Snapshot, SpreadSelectors: in.SpreadSelectors}
	for _, f := range p.Filters {
		if pf, ok := f.(PreFilterPlugin); ok {
			pf.PreFilter(s)
		}
	}
	want := numFeasibleNodesToFind(in.PercentageOfNodesToScore, len(nodes))
	start := in.StartIndex % len(nodes)
	feasible := make([]*NodeInfo, 0, min(want, len(nodes)))
	var statuses map[string]*Status
	for i := 0; i < len(nodes) && len(feasible) < want; i++ {
		n := nodes[(start+i)%len(nodes)]
		res.Evaluated++
		if st := p.filter(s, n); st != nil {
			if statuses == nil {
				statuses = map[string]*Status{}
			}
			statuses[n.Node.Name] = st
			continue
		}
		feasible = append(feasible, n)
	}
	res.NextStartIndex = (start + res.Evaluated) % len(nodes)
	res.Feasible = len(feasible)
	switch len(feasible) {
	case 0:
		res.Err = &FitError{NumAllNodes: len(nodes), NodeToStatus: statuses}
		return res
	case 1:
		res.Node = feasible[0].Node.Name
		return res
	}
	total := p.score(s, feasible)
	best, ties := -1, 0
	for i := range feasible {
		switch {
		case best < 0 || total[i] > total[best]:
			best, ties = i, 1
		case total[i] == total[best]:
			// Reservoir sampling: each of the k tied nodes ends up chosen with chance 1/k.
			ties++
			if rng.Intn(ties) == 0 {
				best = i
			}
		}
	}
	res.Node, res.Score = feasible[best].Node.Name, total[best]
	return res
}

func (p Profile) filter(s *CycleState, n *NodeInfo) *Status {
	for _, f := range p.Filters {
		if st := f.Filter(s, n); st != nil {
			return st
		}
	}
	return nil
}

func (p Profile) score(s *CycleState, nodes []*NodeInfo) []int64 {
	total := make([]int64, len(nodes))
	scores := make([]int64, len(nodes))
	for _, ws := range p.Scores {
		if !ws.Plugin.PreScore(s, nodes) {
			continue
		}
		for i, n := range nodes {
			scores[i] = ws.Plugin.Score(s, n)
		}
		ws.Plugin.Normalize(s, nodes, scores)
		for i := range nodes {
			total[i] += scores[i] * ws.Weight
		}
	}
	return total
}

// ScoreNodes runs the score plugins alone over nodes (all assumed feasible) and returns each
// plugin's normalised scores by plugin name; tests and debugging use it.
func (p Profile) ScoreNodes(in Input) map[string][]int64 {
	s := &CycleState{Pod: in.Pod, Snapshot: in.Snapshot, SpreadSelectors: in.SpreadSelectors}
	out := map[string][]int64{}
	for _, ws := range p.Scores {
		scores := make([]int64, len(in.Snapshot.Nodes))
		if ws.Plugin.PreScore(s, in.Snapshot.Nodes) {
			for i, n := range in.Snapshot.Nodes {
				scores[i] = ws.Plugin.Score(s, n)
			}
			ws.Plugin.Normalize(s, in.Snapshot.Nodes, scores)
		}
		out[ws.Plugin.Name()] = scores
	}
	return out
}
