package controller

import (
	"context"
	"fmt"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
)

// EventRecorder records events about objects; controllers take one that may be nil.
type EventRecorder interface {
	Event(obj meta.Object, eventType, reason, message string)
}

// OwnedPodHandler is the pod handler of a controller whose pods carry a controlling owner
// reference of kind: a pod seen or gone lowers its owner's expectations in exp and
// enqueues the owner's "namespace/name" key.
func OwnedPodHandler(kind string, exp *Expectations, enqueue func(key string)) informer.Handler[*core.Pod] {
	owner := func(p *core.Pod) (string, bool) {
		ref := ControllerOf(p)
		if ref == nil || ref.Kind != kind {
			return "", false
		}
		return p.Namespace + "/" + ref.Name, true
	}
	return informer.Handler[*core.Pod]{
		OnAdd: func(p *core.Pod, _ bool) {
			if key, ok := owner(p); ok {
				exp.CreationObserved(key)
				enqueue(key)
			}
		},
		OnUpdate: func(old, p *core.Pod) {
			if key, ok := owner(p); ok {
				if p.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
					exp.DeletionObserved(key, p.UID)
				}
				enqueue(key)
			}
		},
		OnDelete: func(p *core.Pod, _ bool) {
			if key, ok := owner(p); ok {
				exp.DeletionObserved(key, p.UID)
				enqueue(key)
			}
		},
	}
}

// PodDeleter deletes pods by name.
type PodDeleter interface {
	Delete(ctx context.Context, namespace, name string) error
}

// DeletePods deletes pods on behalf of owner (whose key is key), expecting their
// deletions in exp first, and records a SuccessfulDelete event for each on rec (which may
// be nil). A failed delete is no longer expected; the first error other than NotFound is
// returned after every pod was tried.
func DeletePods(ctx context.Context, c PodDeleter, exp *Expectations, rec EventRecorder, owner meta.Object, key string, pods []*core.Pod) error {
	if len(pods) == 0 {
		return nil
	}
	uids := make([]string, len(pods))
	for i, p := range pods {
		uids[i] = p.UID
	}
	exp.ExpectDeletions(key, uids)
	var firstErr error
	for _, p := range pods {
		if err := c.Delete(ctx, p.Namespace, p.Name); err != nil {
			exp.DeletionObserved(key, p.UID)
			if !apierrors.IsNotFound(err) && firstErr == nil {
				firstErr = fmt.Errorf("delete pod %s/%s of %s: %w", p.Namespace, p.Name, key, err)
			}
			continue
		}
		if rec != nil {
			rec.Event(owner, core.EventTypeNormal, "SuccessfulDelete", "Deleted pod: "+p.Name)
		}
	}
	return firstErr
}
