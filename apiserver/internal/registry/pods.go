package registry

import (
	"context"
	"fmt"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/apiserver/internal/storage"
)

func podHooks() *hooks {
	return &hooks{
		returnObjectOnDelete: true,
		prepareCreate: func(obj meta.Object) {
			p := obj.(*core.Pod)
			p.Status = core.PodStatus{Phase: core.PodPending, QOSClass: QOSClass(&p.Spec)}
		},
		prepareUpdate: func(obj, old meta.Object, sub string) {
			p := obj.(*core.Pod)
			if sub == "" || sub == "status" {
				p.Status.QOSClass = old.(*core.Pod).Status.QOSClass
			}
		},
		gracePeriod: podGracePeriod,
	}
}

// podGracePeriod: an unscheduled or finished pod goes at once; a running one gets the
// requested grace (or its terminationGracePeriodSeconds) for the kubelet to stop it.
func podGracePeriod(cur meta.Object, opts *meta.DeleteOptions) (int64, bool) {
	p := cur.(*core.Pod)
	grace := int64(core.DefaultTerminationGracePeriodSeconds)
	if p.Spec.TerminationGracePeriodSeconds != nil {
		grace = *p.Spec.TerminationGracePeriodSeconds
	}
	if opts.GracePeriodSeconds != nil {
		grace = *opts.GracePeriodSeconds
		if grace < 0 {
			grace = 1
		}
	}
	if p.Spec.NodeName == "" || p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed {
		return 0, false
	}
	return grace, grace > 0
}

// QOSClass derives a pod's quality-of-service class from its containers' resources.
func QOSClass(spec *core.PodSpec) core.PodQOSClass {
	requests, limits := core.ResourceList{}, core.ResourceList{}
	guaranteed := true
	all := append(append([]core.Container(nil), spec.InitContainers...), spec.Containers...)
	for _, c := range all {
		for name, q := range c.Resources.Requests {
			if name == core.ResourceCPU || name == core.ResourceMemory {
				if !q.IsZero() {
					requests[name] = q
				}
			}
		}
		hasCPU, hasMem := false, false
		for name, q := range c.Resources.Limits {
			if name == core.ResourceCPU || name == core.ResourceMemory {
				if !q.IsZero() {
					limits[name] = q
					if name == core.ResourceCPU {
						hasCPU = true
					} else {
						hasMem = true
					}
				}
			}
		}
		if !hasCPU || !hasMem {
			guaranteed = false
		}
		for _, name := range []core.ResourceName{core.ResourceCPU, core.ResourceMemory} {
			req, okr := c.Resources.Requests[name]
			lim := c.Resources.Limits[name]
			if okr && !req.IsZero() && req.Cmp(lim) != 0 {
				guaranteed = false
			}
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return core.PodQOSBestEffort
	}
	if guaranteed {
		return core.PodQOSGuaranteed
	}
	return core.PodQOSBurstable
}

// Bind assigns a pod to a node (POST pods/<name>/binding), once.
func (r *Registry) Bind(ctx context.Context, q *Request, b *core.Binding) error {
	if b.Target.Name == "" {
		return invalid(q, b.Name, field.Required(field.NewPath("target", "name"), ""))
	}
	if b.Target.Kind != "" && b.Target.Kind != "Node" {
		return invalid(q, b.Name, field.NotSupported(field.NewPath("target", "kind"), b.Target.Kind, []string{"Node"}))
	}
	podKind, _ := r.scheme.ByResource("", "pods")
	pq := &Request{Kind: podKind, Namespace: q.Namespace, Name: q.Name, DryRun: q.DryRun, Subresource: "binding"}
	var pre = preconditionsFromMeta(&b.ObjectMeta)
	_, err := r.update(ctx, pq, pre, func(cur meta.Object) (meta.Object, error) {
		obj, err := r.deepCopy(podKind, cur)
		if err != nil {
			return nil, err
		}
		p := obj.(*core.Pod)
		if p.DeletionTimestamp != nil {
			return nil, apierrors.NewConflict(pq.resource(), q.Name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", q.Name))
		}
		if p.Spec.NodeName != "" {
			return nil, apierrors.NewConflict(pq.resource(), q.Name, fmt.Errorf("pod %s is already assigned to node %q", q.Name, p.Spec.NodeName))
		}
		p.Spec.NodeName = b.Target.Name
		for k, v := range b.Annotations {
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations[k] = v
		}
		setPodCondition(&p.Status, core.PodCondition{Type: core.PodScheduled, Status: core.ConditionTrue,
			LastTransitionTime: meta.NewTime(r.now().UTC().Truncate(1e9))})
		return p, nil
	})
	return err
}

func preconditionsFromMeta(m *meta.ObjectMeta) *storage.Preconditions {
	if m.UID == "" && m.ResourceVersion == "" {
		return nil
	}
	return &storage.Preconditions{UID: m.UID, ResourceVersion: m.ResourceVersion}
}

func setPodCondition(s *core.PodStatus, c core.PodCondition) {
	for i := range s.Conditions {
		if s.Conditions[i].Type == c.Type {
			if s.Conditions[i].Status == c.Status {
				c.LastTransitionTime = s.Conditions[i].LastTransitionTime
			}
			s.Conditions[i] = c
			return
		}
	}
	s.Conditions = append(s.Conditions, c)
}

// Evict deletes a pod through the eviction subresource, honouring its delete options.
func (r *Registry) Evict(ctx context.Context, q *Request, e *policy.Eviction) (DeleteResult, error) {
	podKind, _ := r.scheme.ByResource("", "pods")
	pq := &Request{Kind: podKind, Namespace: q.Namespace, Name: q.Name, DryRun: q.DryRun}
	if e.Name != "" && e.Name != q.Name {
		return DeleteResult{}, apierrors.NewBadRequest(fmt.Sprintf("name in URL does not match name in Eviction object: %s != %s", q.Name, e.Name))
	}
	return r.Delete(ctx, pq, e.DeleteOptions)
}
