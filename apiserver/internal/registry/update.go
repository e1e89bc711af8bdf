package registry

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/storage"
)

// Update replaces an object (PUT). With a resourceVersion in obj the write is conditional
// on it (409 on a stale version). created reports an upsert on kinds that allow it.
func (r *Registry) Update(ctx context.Context, q *Request, obj meta.Object) (out meta.Object, created bool, err error) {
	m := obj.GetObjectMeta()
	if err := r.checkNameAndNamespace(q, m); err != nil {
		return nil, false, err
	}
	var pre *storage.Preconditions
	if m.ResourceVersion != "" {
		pre = &storage.Preconditions{ResourceVersion: m.ResourceVersion}
	}
	out, err = r.update(ctx, q, pre, func(cur meta.Object) (meta.Object, error) {
		return r.deepCopy(q.Kind, obj)
	})
	if err != nil && apierrors.IsNotFound(err) && q.Subresource == "" && hooksFor(q.Kind).createOnUpdate {
		out, err = r.Create(ctx, q, obj)
		return out, err == nil, err
	}
	return out, false, err
}

func (r *Registry) checkNameAndNamespace(q *Request, m *meta.ObjectMeta) error {
	if m.Name != q.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.Name, q.Name))
	}
	if q.Kind.Namespaced {
		if m.Namespace == "" {
			m.Namespace = q.Namespace
		} else if m.Namespace != q.Namespace {
			return apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
	} else {
		m.Namespace = ""
	}
	return nil
}

// update runs the shared update path: compute the new object from the current one, keep
// what the client may not change, default, validate, allocate, write with a CAS.
func (r *Registry) update(ctx context.Context, q *Request, pre *storage.Preconditions, compute func(cur meta.Object) (meta.Object, error)) (meta.Object, error) {
	h := hooksFor(q.Kind)
	var commit []func()
	var rollback []func()
	var dryRunResult meta.Object
	store := r.store(q.Kind)
	fn := func(cur meta.Object) (meta.Object, error) {
		for _, rb := range rollback {
			rb()
		}
		commit, rollback = nil, nil
		obj, err := compute(cur)
		if err != nil {
			return nil, err
		}
		m := obj.GetObjectMeta()
		old := cur.GetObjectMeta()
		if m.UID != "" && m.UID != old.UID {
			return nil, apierrors.NewConflict(q.resource(), q.Name,
				fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", m.UID, old.UID))
		}
		if err := r.checkNameAndNamespace(q, m); err != nil {
			return nil, err
		}
		// The client's resourceVersion was checked as a precondition; what is written
		// must carry the current one so the CAS compares the right revision.
		m.ResourceVersion = old.ResourceVersion
		m.UID = old.UID
		m.CreationTimestamp = old.CreationTimestamp
		m.DeletionTimestamp = old.DeletionTimestamp
		m.DeletionGracePeriodSeconds = old.DeletionGracePeriodSeconds
		m.SelfLink = ""
		if m.GenerateName == "" {
			m.GenerateName = old.GenerateName
		}
		switch q.Subresource {
		case "status":
			copyField(obj, cur, "Spec")
			m.Labels, m.Annotations = old.Labels, old.Annotations
			m.Finalizers, m.OwnerReferences = old.Finalizers, old.OwnerReferences
			m.Generation = old.Generation
		case "":
			if q.Kind.HasSubresource("status") {
				copyField(obj, cur, "Status")
			}
			m.Generation = old.Generation
			if h.generation && !reflect.DeepEqual(fieldOf(obj, "Spec"), fieldOf(cur, "Spec")) {
				m.Generation = old.Generation + 1
			}
		default:
			m.Generation = old.Generation
			if h.generation && !reflect.DeepEqual(fieldOf(obj, "Spec"), fieldOf(cur, "Spec")) {
				m.Generation = old.Generation + 1
			}
		}
		if h.prepareUpdate != nil {
			h.prepareUpdate(obj, cur, q.Subresource)
		}
		if r.cfg.Defaulter != nil {
			r.cfg.Defaulter(obj)
		}
		if r.cfg.Validator != nil && q.Subresource != "binding" {
			if errs := r.cfg.Validator.ValidateUpdate(obj, cur); len(errs) > 0 {
				return nil, apierrors.NewInvalid(q.Kind.Group, q.Kind.Kind, q.Name, errs)
			}
		}
		if h.beforeUpdate != nil {
			c, rb, err := h.beforeUpdate(ctx, r, q, obj, cur)
			if err != nil {
				return nil, err
			}
			if c != nil {
				commit = append(commit, c)
			}
			if rb != nil {
				rollback = append(rollback, rb)
			}
		}
		setTypeMeta(q.Kind, obj)
		if reflect.DeepEqual(obj, cur) {
			return cur, nil
		}
		if q.DryRun {
			dryRunResult = obj
			return cur, nil
		}
		return obj, nil
	}
	out, err := store.GuaranteedUpdate(ctx, q.Namespace, q.Name, pre, fn)
	if err != nil || q.DryRun {
		for _, rb := range rollback {
			rb()
		}
		if err != nil {
			return nil, q.statusError(err, q.Name)
		}
		if dryRunResult != nil {
			return dryRunResult, nil
		}
		return out, nil
	}
	for _, c := range commit {
		c()
	}
	// An object whose last finalizer went away after deletion began is deleted now.
	om := out.GetObjectMeta()
	if om.DeletionTimestamp != nil && len(om.Finalizers) == 0 && !hooksFor(q.Kind).blocksDeletion(out) &&
		(om.DeletionGracePeriodSeconds == nil || *om.DeletionGracePeriodSeconds == 0) {
		deleted, derr := r.finishDelete(ctx, q, out)
		if derr == nil {
			return deleted, nil
		}
		if !errors.Is(derr, storage.ErrNotFound) && !apierrors.IsNotFound(derr) && !apierrors.IsConflict(derr) {
			return nil, derr
		}
	}
	return out, nil
}

// UpdateStatus replaces only the status of an object (PUT .../status).
func (r *Registry) UpdateStatus(ctx context.Context, q *Request, obj meta.Object) (meta.Object, error) {
	out, _, err := r.Update(ctx, q, obj)
	return out, err
}

func fieldOf(obj meta.Object, name string) any {
	v := reflect.ValueOf(obj).Elem().FieldByName(name)
	if !v.IsValid() {
		return nil
	}
	return v.Interface()
}

func copyField(dst, src meta.Object, name string) {
	d := reflect.ValueOf(dst).Elem().FieldByName(name)
	s := reflect.ValueOf(src).Elem().FieldByName(name)
	if d.IsValid() && s.IsValid() && d.CanSet() {
		d.Set(s)
	}
}

// invalid is a shorthand for a 422 about one field.
func invalid(q *Request, name string, errs ...*field.Error) error {
	return apierrors.NewInvalid(q.Kind.Group, q.Kind.Kind, name, errs)
}

// resetField sets a field of obj to its zero value.
func resetField(obj meta.Object, name string) {
	v := reflect.ValueOf(obj).Elem().FieldByName(name)
	if v.IsValid() && v.CanSet() {
		v.Set(reflect.Zero(v.Type()))
	}
}
