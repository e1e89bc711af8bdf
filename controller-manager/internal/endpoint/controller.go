package endpoint

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"reflect"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/labels"
	"seven.dev/controller-manager/internal/controller"
)

// Client is how the controller writes Endpoints.
type Client interface {
	Create(ctx context.Context, ep *core.Endpoints) error
	Update(ctx context.Context, ep *core.Endpoints) error
	Delete(ctx context.Context, namespace, name string) error
}

// Controller keeps Endpoints in step with Services and pods.
type Controller struct {
	Services  informer.Store[*core.Service]
	Pods      informer.Store[*core.Pod]
	Endpoints informer.Store[*core.Endpoints]
	Client    Client
	Runner    *controller.Runner
}

// New returns a controller reading the given caches.
func New(services informer.Store[*core.Service], pods informer.Store[*core.Pod], eps informer.Store[*core.Endpoints], c Client, m *controller.Metrics, logger *slog.Logger) *Controller {
	ctl := &Controller{Services: services, Pods: pods, Endpoints: eps, Client: c}
	ctl.Runner = controller.NewRunner("endpoint", m, logger, ctl.Sync)
	return ctl
}

// Sync reconciles the Endpoints of service key.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, name := informer.SplitKey(key)
	svc, ok := c.Services.GetByName(ns, name)
	if !ok {
		if _, had := c.Endpoints.GetByName(ns, name); !had {
			return nil
		}
		if err := c.Client.Delete(ctx, ns, name); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete endpoints %s: %w", key, err)
		}
		return nil
	}
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	subsets := Subsets(svc, c.Pods.ByNamespace(ns))
	cur, exists := c.Endpoints.GetByName(ns, name)
	if exists && reflect.DeepEqual(cur.Subsets, subsets) && maps.Equal(cur.Labels, svc.Labels) {
		return nil
	}
	var ep *core.Endpoints
	if exists {
		ep = controller.Clone(cur)
	} else {
		ep = &core.Endpoints{}
		ep.Name, ep.Namespace = name, ns
	}
	ep.Labels = maps.Clone(svc.Labels)
	ep.Subsets = subsets
	var err error
	if exists {
		err = c.Client.Update(ctx, ep)
	} else {
		err = c.Client.Create(ctx, ep)
		if apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create endpoints %s: cache is behind: %w", key, err)
		}
	}
	if err != nil {
		return fmt.Errorf("write endpoints %s: %w", key, err)
	}
	return nil
}

// Register wires the informers to the queue.
func (c *Controller) Register(services *informer.Informer[*core.Service], pods *informer.Informer[*core.Pod], eps *informer.Informer[*core.Endpoints]) {
	enq := func(s *core.Service) { c.Runner.Queue.Add(controller.Key(s)) }
	services.AddEventHandler(informer.Handler[*core.Service]{
		OnAdd:    func(s *core.Service, _ bool) { enq(s) },
		OnUpdate: func(_, s *core.Service) { enq(s) },
		OnDelete: func(s *core.Service, _ bool) { enq(s) },
	})
	pods.AddEventHandler(informer.Handler[*core.Pod]{
		OnAdd:    func(p *core.Pod, _ bool) { c.enqueueFor(p) },
		OnUpdate: func(old, p *core.Pod) { c.enqueueFor(old); c.enqueueFor(p) },
		OnDelete: func(p *core.Pod, _ bool) { c.enqueueFor(p) },
	})
	// An Endpoints changed or deleted by someone else is put back.
	eps.AddEventHandler(informer.Handler[*core.Endpoints]{
		OnUpdate: func(_, e *core.Endpoints) { c.Runner.Queue.Add(controller.Key(e)) },
		OnDelete: func(e *core.Endpoints, _ bool) { c.Runner.Queue.Add(controller.Key(e)) },
	})
}

func (c *Controller) enqueueFor(p *core.Pod) {
	for _, s := range c.Services.ByNamespace(p.Namespace) {
		if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(p.Labels) {
			c.Runner.Queue.Add(controller.Key(s))
		}
	}
}
