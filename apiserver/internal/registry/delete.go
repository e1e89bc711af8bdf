package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/storage"
)

// DeleteResult tells the handler what happened.
type DeleteResult struct {
	// Object is the last state (deleted) or the current state (deletion pending).
	Object meta.Object
	// Deleted is true when the object is gone from storage.
	Deleted bool
}

// Delete deletes an object: at once, or by marking it (deletionTimestamp) when a grace
// period or finalizers must run first.
func (r *Registry) Delete(ctx context.Context, q *Request, opts *meta.DeleteOptions) (DeleteResult, error) {
	if opts == nil {
		opts = &meta.DeleteOptions{}
	}
	store := r.store(q.Kind)
	cur, err := store.Get(ctx, q.Namespace, q.Name)
	if err != nil {
		return DeleteResult{}, q.statusError(err, q.Name)
	}
	if err := checkDeletePreconditions(q, cur, opts.Preconditions); err != nil {
		return DeleteResult{}, err
	}
	h := hooksFor(q.Kind)
	if h.beforeDelete != nil {
		if err := h.beforeDelete(q, cur); err != nil {
			return DeleteResult{}, err
		}
	}
	grace, graceful := int64(0), false
	if h.gracePeriod != nil {
		grace, graceful = h.gracePeriod(cur, opts)
	}
	finalizers := wantFinalizers(cur, opts)
	if !graceful && len(finalizers) == 0 && !h.blocksDeletion(cur) {
		if q.DryRun {
			return DeleteResult{Object: cur, Deleted: true}, nil
		}
		out, err := r.finishDelete(ctx, q, cur)
		if err != nil {
			return DeleteResult{}, err
		}
		return DeleteResult{Object: out, Deleted: true}, nil
	}
	// Mark for deletion; whoever holds the finalizers (or the kubelet, for a graceful
	// pod) finishes the job.
	var pre *storage.Preconditions
	if opts.Preconditions != nil {
		pre = &storage.Preconditions{}
		if opts.Preconditions.UID != nil {
			pre.UID = *opts.Preconditions.UID
		}
		if opts.Preconditions.ResourceVersion != nil {
			pre.ResourceVersion = *opts.Preconditions.ResourceVersion
		}
	}
	var marked meta.Object
	out, err := store.GuaranteedUpdate(ctx, q.Namespace, q.Name, pre, func(cur meta.Object) (meta.Object, error) {
		obj, err := r.deepCopy(q.Kind, cur)
		if err != nil {
			return nil, err
		}
		m := obj.GetObjectMeta()
		m.Finalizers = wantFinalizers(obj, opts)
		now := r.now().UTC()
		switch {
		case m.DeletionTimestamp == nil:
			ts := meta.NewTime(now.Add(secondsDuration(grace)).Truncate(1e9))
			m.DeletionTimestamp = &ts
			g := grace
			m.DeletionGracePeriodSeconds = &g
		case m.DeletionGracePeriodSeconds != nil && grace < *m.DeletionGracePeriodSeconds:
			// A second delete may only shorten the grace period.
			ts := meta.NewTime(now.Add(secondsDuration(grace)).Truncate(1e9))
			m.DeletionTimestamp = &ts
			g := grace
			m.DeletionGracePeriodSeconds = &g
		}
		if h.markDeleting != nil {
			h.markDeleting(obj)
		}
		marked = obj
		if q.DryRun {
			return cur, nil
		}
		return obj, nil
	})
	if err != nil {
		return DeleteResult{}, q.statusError(err, q.Name)
	}
	if q.DryRun {
		return DeleteResult{Object: marked}, nil
	}
	r.namespaces.observe(out)
	om := out.GetObjectMeta()
	if len(om.Finalizers) == 0 && !h.blocksDeletion(out) && (om.DeletionGracePeriodSeconds == nil || *om.DeletionGracePeriodSeconds == 0) {
		deleted, err := r.finishDelete(ctx, q, out)
		if err != nil {
			return DeleteResult{}, err
		}
		return DeleteResult{Object: deleted, Deleted: true}, nil
	}
	return DeleteResult{Object: out}, nil
}

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// finishDelete removes the object from storage, as long as nobody changed it since cur
// was read, and releases what it held.
func (r *Registry) finishDelete(ctx context.Context, q *Request, cur meta.Object) (meta.Object, error) {
	rv := cur.GetObjectMeta().ResourceVersion
	out, err := r.store(q.Kind).Delete(ctx, q.Namespace, q.Name, &storage.Preconditions{UID: cur.GetObjectMeta().UID}, func(live meta.Object) error {
		lm := live.GetObjectMeta()
		if lm.ResourceVersion != rv && (len(lm.Finalizers) > 0 || hooksFor(q.Kind).blocksDeletion(live)) {
			return fmt.Errorf("%w: object changed during deletion", storage.ErrConflict)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, apierrors.NewNotFound(q.resource(), q.Name)
		}
		return nil, q.statusError(err, q.Name)
	}
	if h := hooksFor(q.Kind); h.afterDelete != nil {
		h.afterDelete(ctx, r, out)
	}
	return out, nil
}

func checkDeletePreconditions(q *Request, cur meta.Object, p *meta.Preconditions) error {
	if p == nil {
		return nil
	}
	m := cur.GetObjectMeta()
	if p.UID != nil && *p.UID != m.UID {
		return apierrors.NewConflict(q.resource(), q.Name,
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, m.UID))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != m.ResourceVersion {
		return apierrors.NewConflict(q.resource(), q.Name,
			fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, m.ResourceVersion))
	}
	return nil
}

// wantFinalizers applies the propagation policy to the object's finalizers, as upstream:
// Orphan adds "orphan", Foreground adds "foregroundDeletion", Background drops both (only
// while deletion has not begun).
func wantFinalizers(obj meta.Object, opts *meta.DeleteOptions) []string {
	m := obj.GetObjectMeta()
	fins := append([]string(nil), m.Finalizers...)
	if m.DeletionTimestamp != nil {
		return fins
	}
	policy := ""
	if opts.PropagationPolicy != nil {
		policy = *opts.PropagationPolicy
	} else if opts.OrphanDependents != nil {
		if *opts.OrphanDependents {
			policy = meta.DeletePropagationOrphan
		} else {
			policy = meta.DeletePropagationBackground
		}
	}
	has := func(f string) bool {
		for _, x := range fins {
			if x == f {
				return true
			}
		}
		return false
	}
	drop := func(f string) {
		out := fins[:0]
		for _, x := range fins {
			if x != f {
				out = append(out, x)
			}
		}
		fins = out
	}
	switch policy {
	case meta.DeletePropagationOrphan:
		drop(meta.FinalizerDeleteDependents)
		if !has(meta.FinalizerOrphanDependents) {
			fins = append(fins, meta.FinalizerOrphanDependents)
		}
	case meta.DeletePropagationForeground:
		drop(meta.FinalizerOrphanDependents)
		if !has(meta.FinalizerDeleteDependents) {
			fins = append(fins, meta.FinalizerDeleteDependents)
		}
	case meta.DeletePropagationBackground:
		drop(meta.FinalizerOrphanDependents)
		drop(meta.FinalizerDeleteDependents)
	}
	if len(fins) == 0 {
		return nil
	}
	return fins
}
