package registry

import (
	"context"
	"fmt"

	"seven.dev/api/apps"
	"seven.dev/api/autoscaling"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/field"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
)

// scaleView reads and writes the replicas of the kinds with a scale subresource.
func scaleView(obj meta.Object) (replicas *int32, statusReplicas int32, selector string, err error) {
	switch o := obj.(type) {
	case *core.ReplicationController:
		sel := labels.SelectorFromSet(o.Spec.Selector).String()
		return ensureReplicas(&o.Spec.Replicas), o.Status.Replicas, sel, nil
	case *apps.Deployment:
		s, err := selectorString(o.Spec.Selector)
		return ensureReplicas(&o.Spec.Replicas), o.Status.Replicas, s, err
	case *apps.ReplicaSet:
		s, err := selectorString(o.Spec.Selector)
		return ensureReplicas(&o.Spec.Replicas), o.Status.Replicas, s, err
	}
	return nil, 0, "", fmt.Errorf("kind %T has no scale subresource", obj)
}

func ensureReplicas(p **int32) *int32 {
	if *p == nil {
		one := int32(1)
		*p = &one
	}
	return *p
}

func selectorString(ls *meta.LabelSelector) (string, error) {
	if ls == nil {
		return "", nil
	}
	s, err := labels.SelectorFromLabelSelector(ls)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// toScale renders the autoscaling/v1 Scale of obj.
func toScale(obj meta.Object) (*autoscaling.Scale, error) {
	replicas, statusReplicas, sel, err := scaleView(obj)
	if err != nil {
		return nil, err
	}
	m := obj.GetObjectMeta()
	return &autoscaling.Scale{
		TypeMeta: meta.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"},
		ObjectMeta: meta.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp},
		Spec:   autoscaling.ScaleSpec{Replicas: *replicas},
		Status: autoscaling.ScaleStatus{Replicas: statusReplicas, Selector: sel},
	}, nil
}

// GetScale reads the scale subresource.
func (r *Registry) GetScale(ctx context.Context, q *Request) (*autoscaling.Scale, error) {
	obj, err := r.Get(ctx, q)
	if err != nil {
		return nil, err
	}
	s, err := toScale(obj)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return s, nil
}

// UpdateScale sets the replicas of the scaled object from a Scale; a resourceVersion in
// the Scale makes the write conditional.
func (r *Registry) UpdateScale(ctx context.Context, q *Request, s *autoscaling.Scale) (*autoscaling.Scale, error) {
	if s.Name != "" && s.Name != q.Name {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", s.Name, q.Name))
	}
	if s.Spec.Replicas < 0 {
		return nil, apierrors.NewInvalid("autoscaling", "Scale", q.Name, field.ErrorList{
			field.Invalid(field.NewPath("spec", "replicas"), s.Spec.Replicas, "must be greater than or equal to 0")})
	}
	mq := *q
	mq.Subresource = "scale"
	out, err := r.update(ctx, &mq, preconditionsFromMeta(&meta.ObjectMeta{ResourceVersion: s.ResourceVersion}), func(cur meta.Object) (meta.Object, error) {
		obj, err := r.deepCopy(q.Kind, cur)
		if err != nil {
			return nil, err
		}
		replicas, _, _, err := scaleView(obj)
		if err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		*replicas = s.Spec.Replicas
		return obj, nil
	})
	if err != nil {
		return nil, err
	}
	res, err := toScale(out)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return res, nil
}

// ScaleOf renders the Scale of an object (the handler applies patches to it).
func ScaleOf(obj meta.Object) (*autoscaling.Scale, error) { return toScale(obj) }
