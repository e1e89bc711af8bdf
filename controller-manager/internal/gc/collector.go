package gc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
	"seven.dev/controller-manager/internal/controller"
)

// API is what the collector reads live and writes.
type API interface {
	Get(ctx context.Context, k *scheme.Kind, ns, name string) (*meta.PartialObjectMetadata, error)
	Delete(ctx context.Context, k *scheme.Kind, ns, name, uid, policy string) error
	Patch(ctx context.Context, k *scheme.Kind, ns, name string, mergePatch []byte) error
}

// Collector is the garbage collector.
type Collector struct {
	Sources []Source
	Scheme  *scheme.Scheme
	API     API
	Runner  *controller.Runner
}

// New returns a collector over sources.
func New(sources []Source, s *scheme.Scheme, api API, m *controller.Metrics, logger *slog.Logger) *Collector {
	c := &Collector{Sources: sources, Scheme: s, API: api}
	c.Runner = controller.NewRunner("garbagecollector", m, logger, c.Sync)
	return c
}

// ItemKey is the queue key of an object of kind k: "<resource>.<group>|<ns>/<name>".
func ItemKey(k *scheme.Kind, o meta.Object) string {
	return k.Resource + "." + k.Group + "|" + controller.Key(o)
}

func (c *Collector) source(resourceGroup string) Source {
	for _, s := range c.Sources {
		if s.Kind().Resource+"."+s.Kind().Group == resourceGroup {
			return s
		}
	}
	return nil
}

// Sync processes one object.
func (c *Collector) Sync(ctx context.Context, key string) error {
	rg, objKey, ok := strings.Cut(key, "|")
	src := c.source(rg)
	if !ok || src == nil {
		return nil
	}
	ns, name := informer.SplitKey(objKey)
	obj, ok := src.Get(ns, name)
	if !ok {
		return nil
	}
	m := obj.GetObjectMeta()
	if m.DeletionTimestamp != nil {
		switch {
		case hasFinalizer(obj, meta.FinalizerOrphanDependents):
			return c.orphan(ctx, src, obj)
		case hasFinalizer(obj, meta.FinalizerDeleteDependents):
			return c.foreground(ctx, src, obj)
		}
	}
	if len(m.OwnerReferences) == 0 {
		return nil
	}
	states := make([]OwnerState, len(m.OwnerReferences))
	for i, r := range m.OwnerReferences {
		st, err := c.ownerState(ctx, ns, r)
		if err != nil {
			return err
		}
		states[i] = st
	}
	act := Classify(m.OwnerReferences, states)
	switch {
	case act.Delete:
		if m.DeletionTimestamp != nil {
			return nil
		}
		err := c.API.Delete(ctx, src.Kind(), ns, name, m.UID, act.Policy)
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return fmt.Errorf("delete %s %s/%s: %w", src.Kind().Resource, ns, name, err)
		}
	case len(act.RemoveRefs) > 0:
		refs := slices.DeleteFunc(slices.Clone(m.OwnerReferences), func(r meta.OwnerReference) bool { return slices.Contains(act.RemoveRefs, r.UID) })
		return c.patchMeta(ctx, src, obj, map[string]any{"ownerReferences": refs})
	}
	return nil
}

// ownerState finds owner r of an object in ns, from the cache when the kind is watched and
// confirmed by a live read when it is absent there.
func (c *Collector) ownerState(ctx context.Context, ns string, r meta.OwnerReference) (OwnerState, error) {
	k, ok := c.Scheme.ByKind(r.APIVersion, r.Kind)
	if !ok {
		return Present, nil // a kind we cannot look up: never delete on a guess
	}
	if !k.Namespaced {
		ns = ""
	}
	var om *meta.ObjectMeta
	if src := c.source(k.Resource + "." + k.Group); src != nil {
		if o, ok := src.Get(ns, r.Name); ok {
			om = o.GetObjectMeta()
		}
	}
	if om == nil || om.UID != r.UID {
		live, err := c.API.Get(ctx, k, ns, r.Name)
		if apierrors.IsNotFound(err) {
			return Absent, nil
		}
		if err != nil {
			return Present, fmt.Errorf("look up owner %s %s/%s: %w", k.Resource, ns, r.Name, err)
		}
		om = &live.ObjectMeta
	}
	if om.UID != r.UID {
		return Absent, nil
	}
	if om.DeletionTimestamp != nil && slices.Contains(om.Finalizers, meta.FinalizerDeleteDependents) {
		return WaitingForDependents, nil
	}
	return Present, nil
}

func (c *Collector) dependents(uid string) []struct {
	src Source
	obj meta.Object
} {
	var out []struct {
		src Source
		obj meta.Object
	}
	for _, s := range c.Sources {
		for _, o := range s.Dependents(uid) {
			out = append(out, struct {
				src Source
				obj meta.Object
			}{s, o})
		}
	}
	return out
}

// orphan strips owner's references from its dependents, then its "orphan" finalizer.
func (c *Collector) orphan(ctx context.Context, src Source, owner meta.Object) error {
	uid := owner.GetObjectMeta().UID
	for _, d := range c.dependents(uid) {
		refs := slices.DeleteFunc(slices.Clone(d.obj.GetObjectMeta().OwnerReferences), func(r meta.OwnerReference) bool { return r.UID == uid })
		if err := c.patchMeta(ctx, d.src, d.obj, map[string]any{"ownerReferences": refs}); err != nil {
			return err
		}
	}
	return c.removeFinalizer(ctx, src, owner, meta.FinalizerOrphanDependents)
}

// foreground deletes owner's dependents and removes its "foregroundDeletion" finalizer
// once none of the blocking ones is left.
func (c *Collector) foreground(ctx context.Context, src Source, owner meta.Object) error {
	uid := owner.GetObjectMeta().UID
	blocking := 0
	for _, d := range c.dependents(uid) {
		dm := d.obj.GetObjectMeta()
		if Blocking(d.obj, uid) {
			blocking++
		}
		if dm.DeletionTimestamp != nil {
			continue
		}
		policy := meta.DeletePropagationBackground
		if Blocking(d.obj, uid) {
			policy = meta.DeletePropagationForeground
		}
		if err := c.API.Delete(ctx, d.src.Kind(), dm.Namespace, dm.Name, dm.UID, policy); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return fmt.Errorf("delete dependent %s %s/%s: %w", d.src.Kind().Resource, dm.Namespace, dm.Name, err)
		}
	}
	if blocking > 0 {
		return nil // the dependents' deletion events bring the owner back
	}
	return c.removeFinalizer(ctx, src, owner, meta.FinalizerDeleteDependents)
}

func (c *Collector) removeFinalizer(ctx context.Context, src Source, obj meta.Object, f string) error {
	fs := slices.DeleteFunc(slices.Clone(obj.GetObjectMeta().Finalizers), func(s string) bool { return s == f })
	return c.patchMeta(ctx, src, obj, map[string]any{"finalizers": fs})
}

// patchMeta merge-patches metadata fields, guarded by the object's resourceVersion.
func (c *Collector) patchMeta(ctx context.Context, src Source, obj meta.Object, fields map[string]any) error {
	m := obj.GetObjectMeta()
	fields["resourceVersion"] = m.ResourceVersion
	for k, v := range fields {
		if s, ok := v.([]string); ok && len(s) == 0 {
			fields[k] = nil
		}
		if s, ok := v.([]meta.OwnerReference); ok && len(s) == 0 {
			fields[k] = nil
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": fields})
	if err != nil {
		return err
	}
	err = c.API.Patch(ctx, src.Kind(), m.Namespace, m.Name, patch)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("patch %s %s/%s: %w", src.Kind().Resource, m.Namespace, m.Name, err)
	}
	return nil
}
