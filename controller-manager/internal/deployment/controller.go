package deployment

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"strconv"
	"time"

	"seven.dev/api/apps"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/intstr"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
)

// API is how the controller writes ReplicaSets and deployment status.
type API interface {
	CreateRS(ctx context.Context, rs *apps.ReplicaSet) error
	UpdateRS(ctx context.Context, rs *apps.ReplicaSet) error
	DeleteRS(ctx context.Context, namespace, name string) error
	UpdateStatus(ctx context.Context, d *apps.Deployment) error
}

// Controller reconciles Deployments.
type Controller struct {
	Deployments informer.Store[*apps.Deployment]
	ReplicaSets informer.Store[*apps.ReplicaSet]
	API         API
	Runner      *controller.Runner
	Now         func() time.Time
}

// New returns a controller.
func New(ds informer.Store[*apps.Deployment], rss informer.Store[*apps.ReplicaSet], api API, m *controller.Metrics, logger *slog.Logger) *Controller {
	c := &Controller{Deployments: ds, ReplicaSets: rss, API: api, Now: time.Now}
	c.Runner = controller.NewRunner("deployment", m, logger, c.Sync)
	return c
}

// Register wires the informers: deployments enqueue themselves, replica sets their owner.
func (c *Controller) Register(ds *informer.Informer[*apps.Deployment], rss *informer.Informer[*apps.ReplicaSet]) {
	enq := func(d *apps.Deployment) { c.Runner.Queue.Add(controller.Key(d)) }
	ds.AddEventHandler(informer.Handler[*apps.Deployment]{
		OnAdd: func(d *apps.Deployment, _ bool) { enq(d) }, OnUpdate: func(_, d *apps.Deployment) { enq(d) },
	})
	owner := func(rs *apps.ReplicaSet) {
		if r := controller.ControllerOf(rs); r != nil && r.Kind == "Deployment" {
			c.Runner.Queue.Add(rs.Namespace + "/" + r.Name)
		}
	}
	rss.AddEventHandler(informer.Handler[*apps.ReplicaSet]{
		OnAdd: func(rs *apps.ReplicaSet, _ bool) { owner(rs) }, OnUpdate: func(_, rs *apps.ReplicaSet) { owner(rs) },
		OnDelete: func(rs *apps.ReplicaSet, _ bool) { owner(rs) },
	})
}

// Revision reads a ReplicaSet's revision annotation (0 when unset).
func Revision(rs *apps.ReplicaSet) int64 {
	v, _ := strconv.ParseInt(rs.Annotations[apps.RevisionAnnotation], 10, 64)
	return v
}

// Sync reconciles deployment key.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, name := informer.SplitKey(key)
	d, ok := c.Deployments.GetByName(ns, name)
	if !ok || d.DeletionTimestamp != nil {
		return nil
	}
	sel, err := labels.SelectorFromLabelSelector(d.Spec.Selector)
	if err != nil || sel.Empty() {
		c.Runner.Logger.Warn("deployment has an invalid selector", "key", key, "err", err)
		return nil
	}
	var newRS *apps.ReplicaSet
	var olds []*apps.ReplicaSet
	var maxOld int64
	for _, rs := range c.ReplicaSets.ByNamespace(ns) {
		if r := controller.ControllerOf(rs); r == nil || r.UID != d.UID {
			continue
		}
		if newRS == nil && SameTemplate(rs, d) {
			newRS = rs
			continue
		}
		olds = append(olds, rs)
		maxOld = max(maxOld, Revision(rs))
	}
	sort.Slice(olds, func(i, j int) bool { return Revision(olds[i]) < Revision(olds[j]) })
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if !d.Spec.Paused {
		if newRS, err = c.ensureNewRS(ctx, d, newRS, olds, maxOld, replicas); err != nil {
			return err
		}
		if err := c.rollout(ctx, d, newRS, olds, replicas); err != nil {
			return err
		}
		if err := c.cleanup(ctx, d, olds); err != nil {
			return err
		}
	}
	return c.syncStatus(ctx, d, newRS, olds, replicas)
}

// ensureNewRS creates the ReplicaSet of the current template, or brings its revision up to
// date when an old one is reused (a rollback).
func (c *Controller) ensureNewRS(ctx context.Context, d *apps.Deployment, newRS *apps.ReplicaSet, olds []*apps.ReplicaSet, maxOld int64, replicas int32) (*apps.ReplicaSet, error) {
	rev := strconv.FormatInt(maxOld+1, 10)
	if newRS != nil {
		if Revision(newRS) > maxOld {
			return newRS, nil
		}
		out := controller.Clone(newRS)
		out.Annotations[apps.RevisionAnnotation] = rev
		if err := c.API.UpdateRS(ctx, out); err != nil {
			return nil, fmt.Errorf("set revision of replica set %s/%s: %w", out.Namespace, out.Name, err)
		}
		return out, nil
	}
	hash := TemplateHash(&d.Spec.Template, d.Status.CollisionCount)
	rs := &apps.ReplicaSet{}
	rs.Name, rs.Namespace = d.Name+"-"+hash, d.Namespace
	rs.Labels = maps.Clone(d.Spec.Template.Labels)
	if rs.Labels == nil {
		rs.Labels = map[string]string{}
	}
	rs.Labels[apps.DefaultDeploymentUniqueLabelKey] = hash
	rs.Annotations = map[string]string{apps.RevisionAnnotation: rev,
		apps.DesiredReplicasAnnotation: strconv.Itoa(int(replicas))}
	rs.OwnerReferences = []meta.OwnerReference{controller.NewControllerRef(d, "apps/v1", "Deployment")}
	rs.Spec.Template = controller.Clone(d.Spec.Template)
	rs.Spec.Template.Labels = maps.Clone(rs.Labels)
	sel := controller.Clone(d.Spec.Selector)
	if sel.MatchLabels == nil {
		sel.MatchLabels = map[string]string{}
	}
	sel.MatchLabels[apps.DefaultDeploymentUniqueLabelKey] = hash
	rs.Spec.Selector = sel
	rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds
	var size int32
	if d.Spec.Strategy.Type != apps.RecreateDeploymentStrategyType {
		var total int32
		for _, o := range olds {
			total += spec(o)
		}
		surge, _, err := fenceposts(d, replicas)
		if err != nil {
			return nil, err
		}
		size = NewRSReplicas(replicas, surge, total, 0)
	}
	rs.Spec.Replicas = &size
	if err := c.API.CreateRS(ctx, rs); err != nil {
		return nil, fmt.Errorf("create replica set for deployment %s/%s: %w", d.Namespace, d.Name, err)
	}
	return rs, nil
}

func spec(rs *apps.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 1
	}
	return *rs.Spec.Replicas
}

func fenceposts(d *apps.Deployment, replicas int32) (int32, int32, error) {
	var s, u *intstr.IntOrString
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		s, u = ru.MaxSurge, ru.MaxUnavailable
	}
	return ResolveFenceposts(s, u, replicas)
}

// rollout moves replicas from the old sets to the new one.
func (c *Controller) rollout(ctx context.Context, d *apps.Deployment, newRS *apps.ReplicaSet, olds []*apps.ReplicaSet, replicas int32) error {
	oldCounts := make([]Counts, len(olds))
	var total, oldActive int32
	for i, o := range olds {
		oldCounts[i] = Counts{Spec: spec(o), Available: o.Status.AvailableReplicas}
		total += spec(o)
		oldActive += o.Status.Replicas + spec(o)
	}
	total += spec(newRS)
	want := make([]int32, len(olds))
	newWant := spec(newRS)
	if d.Spec.Strategy.Type == apps.RecreateDeploymentStrategyType {
		if oldActive == 0 {
			newWant = replicas
		}
	} else {
		surge, unavail, err := fenceposts(d, replicas)
		if err != nil {
			return err
		}
		if total-spec(newRS) == 0 {
			newWant = replicas
		} else {
			newWant = NewRSReplicas(replicas, surge, total, spec(newRS))
		}
		want = ScaleDownOld(oldCounts, Counts{Spec: newWant, Available: newRS.Status.AvailableReplicas}, replicas, unavail)
	}
	if newWant != spec(newRS) {
		if err := c.scale(ctx, newRS, newWant, replicas); err != nil {
			return err
		}
	}
	for i, o := range olds {
		if want[i] != spec(o) {
			if err := c.scale(ctx, o, want[i], replicas); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Controller) scale(ctx context.Context, rs *apps.ReplicaSet, n, desired int32) error {
	out := controller.Clone(rs)
	out.Spec.Replicas = &n
	if out.Annotations == nil {
		out.Annotations = map[string]string{}
	}
	out.Annotations[apps.DesiredReplicasAnnotation] = strconv.Itoa(int(desired))
	if err := c.API.UpdateRS(ctx, out); err != nil {
		return fmt.Errorf("scale replica set %s/%s to %d: %w", rs.Namespace, rs.Name, n, err)
	}
	return nil
}

// cleanup deletes the oldest empty old ReplicaSets beyond revisionHistoryLimit.
func (c *Controller) cleanup(ctx context.Context, d *apps.Deployment, olds []*apps.ReplicaSet) error {
	limit := int32(10)
	if d.Spec.RevisionHistoryLimit != nil {
		limit = *d.Spec.RevisionHistoryLimit
	}
	var empty []*apps.ReplicaSet
	for _, o := range olds {
		if spec(o) == 0 && o.Status.Replicas == 0 && o.DeletionTimestamp == nil {
			empty = append(empty, o)
		}
	}
	for i := 0; i < len(empty)-int(limit); i++ {
		if err := c.API.DeleteRS(ctx, empty[i].Namespace, empty[i].Name); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete old replica set %s/%s: %w", empty[i].Namespace, empty[i].Name, err)
		}
	}
	return nil
}

// syncStatus writes the deployment's status when it changed.
func (c *Controller) syncStatus(ctx context.Context, d *apps.Deployment, newRS *apps.ReplicaSet, olds []*apps.ReplicaSet, replicas int32) error {
	st := Status(d, newRS, olds, replicas, c.Now())
	if statusEqual(st, d.Status) {
		return nil
	}
	out := controller.Clone(d)
	out.Status = st
	if err := c.API.UpdateStatus(ctx, out); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update status of deployment %s/%s: %w", d.Namespace, d.Name, err)
	}
	if d.Spec.ProgressDeadlineSeconds != nil && !complete(st, replicas) {
		c.Runner.Queue.AddAfter(controller.Key(d), time.Duration(*d.Spec.ProgressDeadlineSeconds)*time.Second)
	}
	return nil
}
