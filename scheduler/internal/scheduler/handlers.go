package scheduler

import (
	"reflect"

	"seven.dev/api/core"
	"seven.dev/api/informer"
)

func assigned(p *core.Pod) bool { return p.Spec.NodeName != "" }

func terminal(p *core.Pod) bool {
	return p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed
}

// responsible reports whether the pod is this scheduler's to place now.
func (s *Scheduler) responsible(p *core.Pod) bool {
	name := p.Spec.SchedulerName
	if name == "" {
		name = core.DefaultSchedulerName
	}
	return !assigned(p) && name == s.cfg.SchedulerName && p.DeletionTimestamp == nil &&
		len(p.Spec.SchedulingGates) == 0 && !terminal(p)
}

func (s *Scheduler) podHandler() informer.Handler[*core.Pod] {
	return informer.Handler[*core.Pod]{
		OnAdd: func(p *core.Pod, _ bool) {
			switch {
			case assigned(p) && !terminal(p):
				s.cache.AddPod(p)
			case s.responsible(p):
				s.queue.Add(p)
			}
		},
		OnUpdate: func(old, p *core.Pod) {
			key := informer.KeyOf(p)
			if !assigned(p) {
				if s.responsible(p) {
					s.queue.Update(p)
				} else {
					s.queue.Delete(key)
				}
				return
			}
			if !assigned(old) {
				s.queue.Delete(key) // bound: by us, or by someone else
			}
			if terminal(p) {
				if s.cache.Knows(key) {
					s.cache.RemovePod(key)
					s.queue.MoveAllToActiveOrBackoff() // its resources are free again
				}
				return
			}
			s.cache.UpdatePod(p)
			if assigned(old) && !reflect.DeepEqual(old.Labels, p.Labels) {
				s.queue.MoveAllToActiveOrBackoff() // affinity and spreading may change
			}
		},
		OnDelete: func(p *core.Pod, _ bool) {
			key := informer.KeyOf(p)
			if assigned(p) {
				s.cache.RemovePod(key)
				s.queue.MoveAllToActiveOrBackoff()
				return
			}
			s.queue.Delete(key)
		},
	}
}

func (s *Scheduler) nodeHandler() informer.Handler[*core.Node] {
	return informer.Handler[*core.Node]{
		OnAdd: func(n *core.Node, _ bool) {
			s.cache.AddNode(n)
			s.queue.MoveAllToActiveOrBackoff()
		},
		OnUpdate: func(old, n *core.Node) {
			s.cache.UpdateNode(n)
			if nodeChangeMatters(old, n) {
				s.queue.MoveAllToActiveOrBackoff()
			}
		},
		OnDelete: func(n *core.Node, _ bool) {
			s.cache.RemoveNode(n.Name)
		},
	}
}

// nodeChangeMatters reports whether a node update may let a parked pod fit (upstream's
// node events: labels, taints, allocatable, schedulability, conditions), as opposed to a
// heartbeat.
func nodeChangeMatters(old, n *core.Node) bool {
	if old.Spec.Unschedulable != n.Spec.Unschedulable ||
		!reflect.DeepEqual(old.Labels, n.Labels) ||
		!reflect.DeepEqual(old.Spec.Taints, n.Spec.Taints) ||
		!reflect.DeepEqual(old.Status.Allocatable, n.Status.Allocatable) {
		return true
	}
	status := func(n *core.Node) map[core.NodeConditionType]core.ConditionStatus {
		m := map[core.NodeConditionType]core.ConditionStatus{}
		for _, c := range n.Status.Conditions {
			m[c.Type] = c.Status
		}
		return m
	}
	return !reflect.DeepEqual(status(old), status(n))
}
