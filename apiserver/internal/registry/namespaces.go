package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/storage"
)

// immortalNamespaces cannot be deleted, as upstream.
var immortalNamespaces = map[string]bool{"default": true, "kube-system": true, "kube-public": true}

// namespaceCache mirrors the namespaces so namespace lifecycle checks cost no etcd read.
type namespaceCache struct {
	store storage.Store
	log   *slog.Logger

	mu     sync.RWMutex
	phases map[string]core.NamespacePhase // name -> phase ("Terminating" once deletion began)
	synced bool
}

func newNamespaceCache(s storage.Store, log *slog.Logger) *namespaceCache {
	return &namespaceCache{store: s, log: log, phases: map[string]core.NamespacePhase{}}
}

func (c *namespaceCache) start(ctx context.Context) error {
	if c.store == nil {
		return errors.New("namespace store missing")
	}
	w, err := c.store.Watch(ctx, "", storage.WatchOptions{ResourceVersion: "0"})
	if err != nil {
		return fmt.Errorf("watch namespaces: %w", err)
	}
	go c.run(ctx, w)
	return nil
}

func (c *namespaceCache) run(ctx context.Context, w storage.Watcher) {
	for {
		for ev := range w.ResultChan() {
			c.apply(ev)
		}
		w.Stop()
		if ctx.Err() != nil {
			return
		}
		// The watch ended (cache reset or slow consumer): rebuild from a fresh state.
		for {
			var err error
			w, err = c.store.Watch(ctx, "", storage.WatchOptions{ResourceVersion: "0"})
			if err == nil {
				break
			}
			c.log.Warn("rewatch namespaces", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		c.mu.Lock()
		c.phases = map[string]core.NamespacePhase{}
		c.mu.Unlock()
	}
}

func (c *namespaceCache) apply(ev storage.Event) {
	ns, ok := ev.Object.(*core.Namespace)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch ev.Type {
	case meta.Added, meta.Modified:
		phase := ns.Status.Phase
		if ns.DeletionTimestamp != nil {
			phase = core.NamespaceTerminating
		}
		c.phases[ns.Name] = phase
	case meta.Deleted:
		delete(c.phases, ns.Name)
	}
}

// observe records a namespace this server just wrote, ahead of the watch, so a create
// that follows the namespace's deletion at once is refused.
func (c *namespaceCache) observe(obj meta.Object) {
	if ns, ok := obj.(*core.Namespace); ok {
		c.apply(storage.Event{Type: meta.Modified, Object: ns})
	}
}

func (c *namespaceCache) phase(name string) (core.NamespacePhase, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.phases[name]
	return p, ok
}

// checkNamespace enforces namespace lifecycle on create: the namespace must exist and not
// be terminating.
func (r *Registry) checkNamespace(ctx context.Context, q *Request, name string) error {
	if !q.Kind.Namespaced {
		return nil
	}
	phase, ok := r.namespaces.phase(q.Namespace)
	if !ok {
		// The cache may lag a namespace created a moment ago: ask etcd.
		nsKind, _ := r.scheme.ByResource("", "namespaces")
		obj, err := r.store(nsKind).Get(ctx, "", q.Namespace)
		if err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return apierrors.NewNotFound(apierrors.Resource{Resource: "namespaces"}, q.Namespace)
			}
			return apierrors.NewInternalError(err)
		}
		ns := obj.(*core.Namespace)
		phase = ns.Status.Phase
		if ns.DeletionTimestamp != nil {
			phase = core.NamespaceTerminating
		}
	}
	if phase == core.NamespaceTerminating {
		return apierrors.NewForbidden(q.resource(), name,
			fmt.Errorf("unable to create new content in namespace %s because it is being terminated", q.Namespace))
	}
	return nil
}
