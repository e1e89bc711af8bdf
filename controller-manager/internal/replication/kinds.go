package replication

import (
	"context"
	"fmt"
	"reflect"

	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
)

// RCAdapter serves core/v1 ReplicationControllers, writing status through c (nil in tests
// that replace UpdateStatus).
func RCAdapter(c *client.Client) Adapter[*core.ReplicationController] {
	return Adapter[*core.ReplicationController]{
		APIVersion: "v1", Kind: "ReplicationController",
		Spec: func(rc *core.ReplicationController) (Spec, error) {
			if len(rc.Spec.Selector) == 0 {
				return Spec{}, fmt.Errorf("replication controller %s/%s has an empty selector", rc.Namespace, rc.Name)
			}
			return Spec{Replicas: replicas(rc.Spec.Replicas), Selector: labels.SelectorFromSet(rc.Spec.Selector),
				Template: rc.Spec.Template, MinReadySeconds: rc.Spec.MinReadySeconds}, nil
		},
		WithStatus: func(rc *core.ReplicationController, s Status) (*core.ReplicationController, bool) {
			next := rc.Status
			next.Replicas, next.FullyLabeledReplicas, next.ReadyReplicas, next.AvailableReplicas = s.Replicas, s.FullyLabeledReplicas, s.ReadyReplicas, s.AvailableReplicas
			next.ObservedGeneration = s.ObservedGeneration
			if reflect.DeepEqual(next, rc.Status) {
				return rc, false
			}
			out := controller.Clone(rc)
			out.Status = next
			return out, true
		},
		UpdateStatus: freshStatusWriter(c, client.ReplicationControllers, func(dst, src *core.ReplicationController) { dst.Status = src.Status }),
	}
}

// RSAdapter serves apps/v1 ReplicaSets.
func RSAdapter(c *client.Client) Adapter[*apps.ReplicaSet] {
	return Adapter[*apps.ReplicaSet]{
		APIVersion: "apps/v1", Kind: "ReplicaSet",
		Spec: func(rs *apps.ReplicaSet) (Spec, error) {
			sel, err := labels.SelectorFromLabelSelector(rs.Spec.Selector)
			if err != nil {
				return Spec{}, fmt.Errorf("replica set %s/%s selector: %w", rs.Namespace, rs.Name, err)
			}
			if sel.Empty() {
				return Spec{}, fmt.Errorf("replica set %s/%s has an empty selector", rs.Namespace, rs.Name)
			}
			t := rs.Spec.Template
			return Spec{Replicas: replicas(rs.Spec.Replicas), Selector: sel, Template: &t, MinReadySeconds: rs.Spec.MinReadySeconds}, nil
		},
		WithStatus: func(rs *apps.ReplicaSet, s Status) (*apps.ReplicaSet, bool) {
			next := rs.Status
			next.Replicas, next.FullyLabeledReplicas, next.ReadyReplicas, next.AvailableReplicas = s.Replicas, s.FullyLabeledReplicas, s.ReadyReplicas, s.AvailableReplicas
			next.ObservedGeneration = s.ObservedGeneration
			if reflect.DeepEqual(next, rs.Status) {
				return rs, false
			}
			out := controller.Clone(rs)
			out.Status = next
			return out, true
		},
		UpdateStatus: freshStatusWriter(c, client.ReplicaSets, func(dst, src *apps.ReplicaSet) { dst.Status = src.Status }),
	}
}

// freshStatusWriter writes an owner's status. The owner comes from the informer's cache, which
// may not have caught up with the controller's own previous status write yet: on such a
// conflict it reads the object, carries the new status over and writes once more, rather
// than failing the sync into a requeue.
func freshStatusWriter[T meta.Object](c *client.Client, kind func(*client.Client) *client.Resource[T], copyStatus func(dst, src T)) func(context.Context, T) error {
	return func(ctx context.Context, obj T) error {
		r := kind(c)
		_, err := r.UpdateStatus(ctx, obj)
		if !apierrors.IsConflict(err) {
			return err
		}
		om := obj.GetObjectMeta()
		fresh, err := r.Get(ctx, om.Namespace, om.Name)
		if err != nil {
			return err
		}
		if fresh.GetObjectMeta().UID != om.UID {
			return nil // deleted and created anew: its own sync writes its status
		}
		copyStatus(fresh, obj)
		_, err = r.UpdateStatus(ctx, fresh)
		return err
	}
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}
