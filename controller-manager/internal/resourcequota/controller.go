package resourcequota

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
)

// StatusWriter writes a quota's status.
type StatusWriter interface {
	UpdateStatus(ctx context.Context, q *core.ResourceQuota) error
}

// Config builds a Controller.
type Config struct {
	Quotas   informer.Store[*core.ResourceQuota]
	Pods     informer.Store[*core.Pod]
	Services informer.Store[*core.Service]
	// Counts returns the number of objects of a counted kind (countedKinds) in a
	// namespace; kinds without an entry count 0.
	Counts map[string]func(namespace string) int
	API    StatusWriter
	// ResyncPeriod is --resource-quota-sync-period: every quota is recomputed this often
	// even without events.
	ResyncPeriod time.Duration
	Metrics      *controller.Metrics
	Logger       *slog.Logger
}

// Controller keeps quota status current.
type Controller struct {
	Config
	Runner *controller.Runner
}

// New returns a controller; Watch and Register wire it to informers.
func New(cfg Config) *Controller {
	c := &Controller{Config: cfg}
	c.Runner = controller.NewRunner("resourcequota", cfg.Metrics, cfg.Logger, c.Sync)
	return c
}

// Register makes quotas enqueue themselves.
func (c *Controller) Register(quotas *informer.Informer[*core.ResourceQuota]) {
	q := c.Runner.Queue
	quotas.AddEventHandler(informer.Handler[*core.ResourceQuota]{
		OnAdd:    func(r *core.ResourceQuota, _ bool) { q.Add(controller.Key(r)) },
		OnUpdate: func(_, r *core.ResourceQuota) { q.Add(controller.Key(r)) },
	})
	Watch(c, quotas)
}

// Watch makes every change to an object of inf enqueue the quotas of its namespace.
func Watch[T meta.Object](c *Controller, inf *informer.Informer[T]) {
	inf.AddEventHandler(informer.Handler[T]{
		OnAdd:    func(o T, _ bool) { c.enqueueNamespace(o.GetObjectMeta().Namespace) },
		OnUpdate: func(_, o T) { c.enqueueNamespace(o.GetObjectMeta().Namespace) },
		OnDelete: func(o T, _ bool) { c.enqueueNamespace(o.GetObjectMeta().Namespace) },
	})
}

func (c *Controller) enqueueNamespace(ns string) {
	for _, r := range c.Quotas.ByNamespace(ns) {
		c.Runner.Queue.Add(controller.Key(r))
	}
}

// Run recomputes every quota each ResyncPeriod and processes keys with workers until ctx
// ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	if c.ResyncPeriod > 0 {
		wg.Go(func() {
			t := time.NewTicker(c.ResyncPeriod)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					for _, r := range c.Quotas.List() {
						c.Runner.Queue.Add(controller.Key(r))
					}
				}
			}
		})
	}
	c.Runner.Run(ctx, workers)
	wg.Wait()
}

// Sync recomputes the status of quota key.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, name := informer.SplitKey(key)
	rq, ok := c.Quotas.GetByName(ns, name)
	if !ok || rq.DeletionTimestamp != nil {
		return nil
	}
	objs := Objects{Pods: c.Pods.ByNamespace(ns), Services: c.Services.ByNamespace(ns), Counts: map[string]int{}}
	for kind, count := range c.Counts {
		objs.Counts[kind] = count(ns)
	}
	hard := maps.Clone(rq.Spec.Hard)
	if hard == nil {
		hard = core.ResourceList{}
	}
	used := Usage(hard, objs)
	if Equal(hard, rq.Status.Hard) && Equal(used, rq.Status.Used) {
		return nil
	}
	out := controller.Clone(rq)
	out.Status = core.ResourceQuotaStatus{Hard: hard, Used: used}
	if err := c.API.UpdateStatus(ctx, out); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update status of resource quota %s: %w", key, err)
	}
	return nil
}

// APIStatus is the production StatusWriter.
type APIStatus struct{ C *client.Client }

// UpdateStatus implements StatusWriter.
func (a APIStatus) UpdateStatus(ctx context.Context, q *core.ResourceQuota) error {
	_, err := client.ResourceQuotas(a.C).UpdateStatus(ctx, q)
	return err
}
