package daemonset

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
	"seven.dev/controller-manager/internal/deployment"
	"seven.dev/controller-manager/internal/replication"
)

// StatusWriter writes a daemon set's status.
type StatusWriter interface {
	UpdateStatus(ctx context.Context, ds *apps.DaemonSet) error
}

// Config builds a Controller.
type Config struct {
	DaemonSets informer.Store[*apps.DaemonSet]
	Nodes      informer.Store[*core.Node]
	Pods       informer.Store[*core.Pod]
	PodAPI     replication.PodClient
	Status     StatusWriter
	Recorder   controller.EventRecorder
	Metrics    *controller.Metrics
	Logger     *slog.Logger
	Now        func() time.Time
}

// Controller reconciles DaemonSets.
type Controller struct {
	Config
	Runner       *controller.Runner
	Expectations *controller.Expectations
}

// New returns a controller; Register wires it to informers.
func New(cfg Config) *Controller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Controller{Config: cfg, Expectations: controller.NewExpectations(cfg.Now)}
	c.Runner = controller.NewRunner("daemonset", cfg.Metrics, cfg.Logger, c.Sync)
	return c
}

// Register makes daemon sets enqueue themselves, pods their owner, and node changes every
// daemon set (any of them may now fit or stop fitting).
func (c *Controller) Register(dss *informer.Informer[*apps.DaemonSet], nodes *informer.Informer[*core.Node], pods *informer.Informer[*core.Pod]) {
	q := c.Runner.Queue
	dss.AddEventHandler(informer.Handler[*apps.DaemonSet]{
		OnAdd:    func(ds *apps.DaemonSet, _ bool) { q.Add(controller.Key(ds)) },
		OnUpdate: func(_, ds *apps.DaemonSet) { q.Add(controller.Key(ds)) },
		OnDelete: func(ds *apps.DaemonSet, _ bool) { c.Expectations.Delete(controller.Key(ds)) },
	})
	all := func() {
		for _, ds := range c.DaemonSets.List() {
			q.Add(controller.Key(ds))
		}
	}
	nodes.AddEventHandler(informer.Handler[*core.Node]{
		OnAdd: func(*core.Node, bool) { all() },
		OnUpdate: func(old, n *core.Node) {
			if !maps.Equal(old.Labels, n.Labels) || !reflect.DeepEqual(old.Spec.Taints, n.Spec.Taints) {
				all()
			}
		},
		OnDelete: func(*core.Node, bool) { all() },
	})
	pods.AddEventHandler(controller.OwnedPodHandler("DaemonSet", c.Expectations, c.Runner.Queue.Add))
}

// Hash is the controller-revision-hash of the daemon set's current template.
func Hash(ds *apps.DaemonSet) string {
	return deployment.TemplateHash(&ds.Spec.Template, ds.Status.CollisionCount)
}

// Sync reconciles daemon set key.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, name := informer.SplitKey(key)
	ds, ok := c.DaemonSets.GetByName(ns, name)
	if !ok {
		c.Expectations.Delete(key)
		return nil
	}
	sel, err := labels.SelectorFromLabelSelector(ds.Spec.Selector)
	if err != nil || sel.Empty() {
		c.Runner.Logger.Warn("daemon set has an invalid selector, skipping", "key", key, "err", err)
		return nil
	}
	var pods []*core.Pod
	for _, p := range c.Pods.ByNamespace(ns) {
		if ref := controller.ControllerOf(p); ref != nil && ref.UID == ds.UID && sel.Matches(p.Labels) {
			pods = append(pods, p)
		}
	}
	hash := Hash(ds)
	now := c.Now()
	plan, err := Decide(ds, hash, c.Nodes.List(), pods, now)
	if err != nil {
		c.Runner.Logger.Warn("daemon set cannot be reconciled", "key", key, "err", err)
		return nil
	}
	var manageErr error
	if c.Expectations.Satisfied(key) && ds.DeletionTimestamp == nil {
		manageErr = c.manage(ctx, key, ds, hash, plan)
	}
	if !reflect.DeepEqual(plan.Status, ds.Status) {
		out := controller.Clone(ds)
		out.Status = plan.Status
		if err := c.Status.UpdateStatus(ctx, out); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("update status of daemon set %s: %w", key, err)
		}
	}
	if manageErr == nil && ds.Spec.MinReadySeconds > 0 && plan.Status.NumberReady != plan.Status.NumberAvailable {
		c.Runner.Queue.AddAfter(key, time.Duration(ds.Spec.MinReadySeconds)*time.Second)
	}
	return manageErr
}

func (c *Controller) manage(ctx context.Context, key string, ds *apps.DaemonSet, hash string, plan Plan) error {
	if len(plan.Create) > 0 {
		c.Expectations.ExpectCreations(key, len(plan.Create))
	}
	for i, node := range plan.Create {
		if _, err := c.PodAPI.Create(ctx, ds.Namespace, NewPod(ds, hash, node)); err != nil {
			for range len(plan.Create) - i {
				c.Expectations.CreationObserved(key)
			}
			c.event(ds, core.EventTypeWarning, "FailedCreate", fmt.Sprintf("Error creating: %v", err))
			return fmt.Errorf("create daemon pod of %s for node %s: %w", key, node, err)
		}
		c.event(ds, core.EventTypeNormal, "SuccessfulCreate", "Created pod for node "+node)
	}
	if len(plan.Create) > 0 {
		// Deletions wait for the next sync, so expectations track one kind of write.
		if len(plan.Delete) > 0 {
			c.Runner.Queue.Add(key)
		}
		return nil
	}
	return controller.DeletePods(ctx, c.PodAPI, c.Expectations, c.Recorder, ds, key, plan.Delete)
}

func (c *Controller) event(obj meta.Object, typ, reason, msg string) {
	if c.Recorder != nil {
		c.Recorder.Event(obj, typ, reason, msg)
	}
}

// NewPod builds the daemon pod of ds for node: the template, labelled with the revision
// hash, with the default daemon tolerations and pinned to node by node affinity.
func NewPod(ds *apps.DaemonSet, hash, node string) *core.Pod {
	t := controller.Clone(ds.Spec.Template)
	p := &core.Pod{Spec: t.Spec}
	p.GenerateName = ds.Name + "-"
	p.Namespace = ds.Namespace
	p.Labels = maps.Clone(t.Labels)
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[apps.ControllerRevisionHashLabelKey] = hash
	p.Labels[TemplateGenerationLabel] = generationLabel(ds)
	p.Annotations, p.Finalizers = t.Annotations, t.Finalizers
	p.Spec.Tolerations = WithDefaultTolerations(t.Spec.Tolerations, t.Spec.HostNetwork)
	p.Spec.Affinity = PinToNode(t.Spec.Affinity, node)
	p.OwnerReferences = []meta.OwnerReference{controller.NewControllerRef(ds, "apps/v1", "DaemonSet")}
	return p
}

// APIStatus is the production StatusWriter.
type APIStatus struct{ C *client.Client }

// UpdateStatus implements StatusWriter.
func (a APIStatus) UpdateStatus(ctx context.Context, ds *apps.DaemonSet) error {
	_, err := client.DaemonSets(a.C).UpdateStatus(ctx, ds)
	return err
}
