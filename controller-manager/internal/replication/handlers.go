package replication

import (
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/controller-manager/internal/controller"
)

// Register makes the owner and pod informers enqueue owners' keys.
func (c *Controller[T]) Register(owners *informer.Informer[T], pods *informer.Informer[*core.Pod]) {
	enqueue := func(o T) { c.Runner.Queue.Add(controller.Key(o)) }
	owners.AddEventHandler(informer.Handler[T]{
		OnAdd:    func(o T, _ bool) { enqueue(o) },
		OnUpdate: func(_, o T) { enqueue(o) },
		OnDelete: func(o T, _ bool) { c.Expectations.Delete(controller.Key(o)); enqueue(o) },
	})
	pods.AddEventHandler(informer.Handler[*core.Pod]{
		OnAdd: func(p *core.Pod, _ bool) {
			if p.DeletionTimestamp != nil {
				c.podGone(p)
				return
			}
			if key, ok := c.ownerKey(p); ok {
				c.Expectations.CreationObserved(key)
				c.Runner.Queue.Add(key)
				return
			}
			c.enqueueMatching(p)
		},
		OnUpdate: func(old, p *core.Pod) {
			if old.ResourceVersion == p.ResourceVersion {
				return
			}
			if p.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
				c.podGone(p)
			}
			if key, ok := c.ownerKey(old); ok {
				c.Runner.Queue.Add(key)
			}
			if key, ok := c.ownerKey(p); ok {
				c.Runner.Queue.Add(key)
			} else {
				c.enqueueMatching(p)
			}
		},
		OnDelete: func(p *core.Pod, _ bool) { c.podGone(p) },
	})
}

// podGone notes a pod deleted or being deleted.
func (c *Controller[T]) podGone(p *core.Pod) {
	if key, ok := c.ownerKey(p); ok {
		c.Expectations.DeletionObserved(key, p.UID)
		c.Runner.Queue.Add(key)
	}
}

// ownerKey returns the key of p's controlling owner of this controller's kind, if it exists.
func (c *Controller[T]) ownerKey(p *core.Pod) (string, bool) {
	ref := controller.ControllerOf(p)
	if ref == nil || ref.Kind != c.Adapter.Kind {
		return "", false
	}
	o, ok := c.Owners.GetByName(p.Namespace, ref.Name)
	if !ok || o.GetObjectMeta().UID != ref.UID {
		return "", false
	}
	return controller.Key(o), true
}

// enqueueMatching enqueues every owner whose selector matches the orphan p.
func (c *Controller[T]) enqueueMatching(p *core.Pod) {
	if controller.ControllerOf(p) != nil {
		return
	}
	for _, o := range c.Owners.ByNamespace(p.Namespace) {
		spec, err := c.Adapter.Spec(o)
		if err == nil && spec.Selector.Matches(p.Labels) {
			c.Runner.Queue.Add(controller.Key(o))
		}
	}
}
