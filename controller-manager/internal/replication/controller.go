package replication

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
)

// BurstReplicas bounds the pods one sync creates or deletes, as upstream's burstReplicas.
const BurstReplicas = 500

// PodClient is how the controller writes pods.
type PodClient interface {
	Create(ctx context.Context, namespace string, pod *core.Pod) (*core.Pod, error)
	Delete(ctx context.Context, namespace, name string) error
	// Patch applies a JSON merge patch to the pod.
	Patch(ctx context.Context, namespace, name string, mergePatch []byte) error
}

// EventRecorder records events about owners; nil means none.
type EventRecorder interface {
	Event(obj meta.Object, eventType, reason, message string)
}

// Spec is what the controller needs from an owner's spec.
type Spec struct {
	Replicas        int32
	Selector        labels.Selector
	Template        *core.PodTemplateSpec
	MinReadySeconds int32
}

// Adapter lets one controller serve ReplicationControllers and ReplicaSets.
type Adapter[T meta.Object] struct {
	// APIVersion and Kind go into the pods' owner references.
	APIVersion, Kind string
	// Spec reads an owner's spec; an error is a permanent problem with the object.
	Spec func(owner T) (Spec, error)
	// WithStatus returns a copy of owner carrying s, and whether that differs from owner.
	WithStatus func(owner T, s Status) (T, bool)
	// UpdateStatus writes owner's status.
	UpdateStatus func(ctx context.Context, owner T) error
}

// Config builds a Controller.
type Config[T meta.Object] struct {
	Name     string
	Adapter  Adapter[T]
	Owners   informer.Store[T]
	Pods     informer.Store[*core.Pod]
	Client   PodClient
	Recorder EventRecorder
	Metrics  *controller.Metrics
	Logger   *slog.Logger
	Now      func() time.Time
}

// Controller reconciles one kind of replica owner.
type Controller[T meta.Object] struct {
	Config[T]
	Runner       *controller.Runner
	Expectations *controller.Expectations
}

// New returns a controller; Register wires it to informers and Runner.Run starts it.
func New[T meta.Object](cfg Config[T]) *Controller[T] {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Controller[T]{Config: cfg, Expectations: controller.NewExpectations(cfg.Now)}
	c.Runner = controller.NewRunner(cfg.Name, cfg.Metrics, cfg.Logger, c.Sync)
	return c
}

// Sync reconciles the owner with key namespace/name.
func (c *Controller[T]) Sync(ctx context.Context, key string) error {
	ns, name := informer.SplitKey(key)
	owner, ok := c.Owners.GetByName(ns, name)
	if !ok {
		c.Expectations.Delete(key)
		return nil
	}
	spec, err := c.Adapter.Spec(owner)
	if err != nil {
		c.Runner.Logger.Warn("invalid owner, skipping", "key", key, "err", err)
		return nil
	}
	satisfied := c.Expectations.Satisfied(key)
	var active []*core.Pod
	for _, p := range c.Pods.ByNamespace(ns) {
		if IsActive(p) {
			active = append(active, p)
		}
	}
	claimed, err := c.claim(ctx, owner, spec, active)
	if err != nil {
		return err
	}
	var manageErr error
	if satisfied && owner.GetObjectMeta().DeletionTimestamp == nil {
		manageErr = c.manage(ctx, key, owner, spec, claimed)
	}
	var tl map[string]string
	if spec.Template != nil {
		tl = spec.Template.Labels
	}
	st := ComputeStatus(claimed, tl, spec.MinReadySeconds, owner.GetObjectMeta().Generation, c.Now())
	if updated, changed := c.Adapter.WithStatus(owner, st); changed {
		if err := c.Adapter.UpdateStatus(ctx, updated); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("update status of %s %s: %w", c.Adapter.Kind, key, err)
		}
	}
	if manageErr == nil && spec.MinReadySeconds > 0 && st.ReadyReplicas != st.AvailableReplicas {
		c.Runner.Queue.AddAfter(key, time.Duration(spec.MinReadySeconds)*time.Second)
	}
	return manageErr
}

// claim adopts matching orphans, releases owned pods that no longer match, and returns the
// pods the owner controls.
func (c *Controller[T]) claim(ctx context.Context, owner T, spec Spec, pods []*core.Pod) ([]*core.Pod, error) {
	om := owner.GetObjectMeta()
	var out []*core.Pod
	for _, p := range pods {
		matches := spec.Selector.Matches(p.Labels)
		ref := controller.ControllerOf(p)
		switch {
		case ref != nil && ref.UID != om.UID:
			continue
		case ref != nil && matches:
			out = append(out, p)
		case ref != nil:
			if om.DeletionTimestamp != nil {
				continue
			}
			if err := c.setOwnerRefs(ctx, p, withoutRef(p.OwnerReferences, om.UID)); err != nil {
				return nil, fmt.Errorf("release pod %s/%s from %s %s: %w", p.Namespace, p.Name, c.Adapter.Kind, om.Name, err)
			}
		case matches && om.DeletionTimestamp == nil:
			refs := append(append([]meta.OwnerReference(nil), p.OwnerReferences...), controller.NewControllerRef(owner, c.Adapter.APIVersion, c.Adapter.Kind))
			if err := c.setOwnerRefs(ctx, p, refs); err != nil {
				return nil, fmt.Errorf("adopt pod %s/%s into %s %s: %w", p.Namespace, p.Name, c.Adapter.Kind, om.Name, err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func withoutRef(refs []meta.OwnerReference, uid string) []meta.OwnerReference {
	out := []meta.OwnerReference{}
	for _, r := range refs {
		if r.UID != uid {
			out = append(out, r)
		}
	}
	return out
}

// setOwnerRefs replaces the pod's owner references, guarded by its resourceVersion so a
// concurrent change makes the patch fail rather than be lost.
func (c *Controller[T]) setOwnerRefs(ctx context.Context, p *core.Pod, refs []meta.OwnerReference) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"ownerReferences": refs, "resourceVersion": p.ResourceVersion,
	}})
	if err != nil {
		return err
	}
	err = c.Client.Patch(ctx, p.Namespace, p.Name, patch)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// manage creates or deletes pods so the owner has spec.Replicas of them.
func (c *Controller[T]) manage(ctx context.Context, key string, owner T, spec Spec, pods []*core.Pod) error {
	diff := len(pods) - int(spec.Replicas)
	switch {
	case diff < 0:
		if spec.Template == nil {
			return nil
		}
		n := min(-diff, BurstReplicas)
		c.Expectations.ExpectCreations(key, n)
		// Slow start like upstream: batches of 1, 2, 4, ... so a template the server keeps
		// refusing costs one failed call, not n.
		created := 0
		for batch := 1; created < n; batch *= 2 {
			size := min(batch, n-created)
			for i := range size {
				if _, err := c.Client.Create(ctx, owner.GetObjectMeta().Namespace, c.newPod(owner, spec)); err != nil {
					for range n - created - i {
						c.Expectations.CreationObserved(key)
					}
					c.event(owner, core.EventTypeWarning, "FailedCreate", fmt.Sprintf("Error creating: %v", err))
					return fmt.Errorf("create pod for %s %s: %w", c.Adapter.Kind, key, err)
				}
			}
			created += size
		}
		c.event(owner, core.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("Created %d pods", created))
	case diff > 0:
		victims := PodsToDelete(pods, min(diff, BurstReplicas))
		uids := make([]string, len(victims))
		for i, p := range victims {
			uids[i] = p.UID
		}
		c.Expectations.ExpectDeletions(key, uids)
		var firstErr error
		for _, p := range victims {
			if err := c.Client.Delete(ctx, p.Namespace, p.Name); err != nil {
				c.Expectations.DeletionObserved(key, p.UID)
				if !apierrors.IsNotFound(err) && firstErr == nil {
					firstErr = fmt.Errorf("delete pod %s/%s of %s %s: %w", p.Namespace, p.Name, c.Adapter.Kind, key, err)
				}
				continue
			}
			c.event(owner, core.EventTypeNormal, "SuccessfulDelete", "Deleted pod: "+p.Name)
		}
		return firstErr
	}
	return nil
}

func (c *Controller[T]) event(obj meta.Object, typ, reason, msg string) {
	if c.Recorder != nil {
		c.Recorder.Event(obj, typ, reason, msg)
	}
}

// newPod builds a pod from the owner's template.
func (c *Controller[T]) newPod(owner T, spec Spec) *core.Pod {
	t := controller.Clone(spec.Template)
	om := owner.GetObjectMeta()
	p := &core.Pod{Spec: t.Spec}
	p.GenerateName = om.Name + "-"
	p.Namespace = om.Namespace
	p.Labels = t.Labels
	p.Annotations = t.Annotations
	p.Finalizers = t.Finalizers
	p.OwnerReferences = []meta.OwnerReference{controller.NewControllerRef(owner, c.Adapter.APIVersion, c.Adapter.Kind)}
	return p
}
