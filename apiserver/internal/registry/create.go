package registry

import (
	"context"
	"errors"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/storage"
)

// Create validates and stores a new object.
func (r *Registry) Create(ctx context.Context, q *Request, obj meta.Object) (meta.Object, error) {
	m := obj.GetObjectMeta()
	if q.Kind.Namespaced {
		if m.Namespace == "" {
			m.Namespace = q.Namespace
		} else if m.Namespace != q.Namespace {
			return nil, apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
	} else {
		m.Namespace = ""
	}
	if m.Name == "" && m.GenerateName == "" {
		return nil, apierrors.NewInvalid(q.Kind.Group, q.Kind.Kind, "", field.ErrorList{
			field.Required(field.NewPath("metadata", "name"), "name or generateName is required")})
	}
	if err := r.checkNamespace(ctx, q, m.Name); err != nil {
		return nil, err
	}
	generated := m.Name == ""
	for attempt := 0; ; attempt++ {
		if generated {
			m.Name = m.GenerateName + generateNameSuffix()
		}
		out, err := r.createOnce(ctx, q, obj)
		if generated && attempt < 5 && apierrors.IsAlreadyExists(err) {
			continue
		}
		return out, err
	}
}

func (r *Registry) createOnce(ctx context.Context, q *Request, obj meta.Object) (meta.Object, error) {
	m := obj.GetObjectMeta()
	h := hooksFor(q.Kind)
	m.ResourceVersion = ""
	m.UID = newUID()
	m.CreationTimestamp = meta.NewTime(r.now().UTC().Truncate(1e9))
	m.DeletionTimestamp = nil
	m.DeletionGracePeriodSeconds = nil
	m.SelfLink = ""
	if h.generation {
		m.Generation = 1
	} else {
		m.Generation = 0
	}
	if h.prepareCreate != nil {
		h.prepareCreate(obj)
	}
	if r.cfg.Defaulter != nil {
		r.cfg.Defaulter(obj)
	}
	if r.cfg.Validator != nil {
		if errs := r.cfg.Validator.Validate(obj); len(errs) > 0 {
			return nil, apierrors.NewInvalid(q.Kind.Group, q.Kind.Kind, m.Name, errs)
		}
	}
	var rollback func()
	if h.beforeCreate != nil {
		rb, err := h.beforeCreate(ctx, r, q, obj)
		if err != nil {
			return nil, err
		}
		rollback = rb
	}
	if q.DryRun {
		if rollback != nil {
			rollback()
		}
		setTypeMeta(q.Kind, obj)
		return obj, nil
	}
	setTypeMeta(q.Kind, obj)
	out, err := r.store(q.Kind).Create(ctx, obj)
	if err != nil {
		if rollback != nil {
			rollback()
		}
		if errors.Is(err, storage.ErrAlreadyExists) {
			return nil, apierrors.NewAlreadyExists(q.resource(), m.Name)
		}
		return nil, q.statusError(err, m.Name)
	}
	return out, nil
}
