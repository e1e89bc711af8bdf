package informer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/client"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// FactoryOptions configure a Factory.
type FactoryOptions struct {
	// Namespace limits namespaced kinds to one namespace; "" watches all of them.
	Namespace string
	// ResyncPeriod is every informer's Options.ResyncPeriod.
	ResyncPeriod time.Duration
	// Logger is every informer's Options.Logger.
	Logger *slog.Logger
}

// Factory hands out one shared informer per kind, so that a process keeps one list and
// one watch per kind however many controllers read it.
type Factory struct {
	c    *client.Client
	opts FactoryOptions

	mu      sync.Mutex
	entries map[string]*entry // by "group/resource"
	order   []*entry
	wg      sync.WaitGroup
}

// runnable is the untyped face of an *Informer[T].
type runnable interface {
	Run(ctx context.Context)
	WaitForCacheSync(ctx context.Context) bool
}

type entry struct {
	kind    *scheme.Kind
	inf     runnable
	started bool
}

// NewFactory returns a factory whose informers talk through c.
func NewFactory(c *client.Client, opts FactoryOptions) *Factory {
	return &Factory{c: c, opts: opts, entries: map[string]*entry{}}
}

// ForKind returns the factory's informer for kind k, creating it on first use. T must be
// the type k.New returns; asking for one kind with two types panics.
func ForKind[T meta.Object](f *Factory, k *scheme.Kind) *Informer[T] {
	return forKind[T](f, k, nil)
}

func forKind[T meta.Object](f *Factory, k *scheme.Kind, init func(*Informer[T])) *Informer[T] {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := k.Group + "/" + k.Resource
	if e, ok := f.entries[key]; ok {
		inf, ok := e.inf.(*Informer[T])
		if !ok {
			var zero T
			panic(fmt.Sprintf("informer.ForKind: %s is shared as %T, not asked for as %T", key, e.inf, zero))
		}
		return inf
	}
	ns := f.opts.Namespace
	if !k.Namespaced {
		ns = ""
	}
	res := apierrors.Resource{Group: k.Group, Resource: k.Resource}
	inf := New(FromResource(client.For[T](f.c, k), ns, Selector{}), Options{
		ResyncPeriod: f.opts.ResyncPeriod,
		Logger:       f.opts.Logger,
		Name:         res.String(),
		Resource:     res,
	})
	if init != nil {
		init(inf)
	}
	e := &entry{kind: k, inf: inf}
	f.entries[key] = e
	f.order = append(f.order, e)
	return inf
}

// kind looks up a built-in kind in the client's scheme.
func (f *Factory) kind(group, resource string) *scheme.Kind {
	k, ok := f.c.Scheme().ByResource(group, resource)
	if !ok {
		panic(fmt.Sprintf("informer: the client's scheme has no %s.%s", resource, group))
	}
	return k
}

// Start runs every informer asked for so far and not yet started, each until ctx ends.
// Informers asked for later need another Start.
func (f *Factory) Start(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.order {
		if !e.started {
			e.started = true
			f.wg.Go(func() { e.inf.Run(ctx) })
		}
	}
}

// WaitForCacheSync waits until every started informer has synced or ctx ends, and
// reports each one's state.
func (f *Factory) WaitForCacheSync(ctx context.Context) map[*scheme.Kind]bool {
	f.mu.Lock()
	var started []*entry
	for _, e := range f.order {
		if e.started {
			started = append(started, e)
		}
	}
	f.mu.Unlock()
	out := make(map[*scheme.Kind]bool, len(started))
	for _, e := range started {
		out[e.kind] = e.inf.WaitForCacheSync(ctx)
	}
	return out
}

// Wait blocks until every informer started by Start has stopped: call it after ending the
// context given to Start, for a clean shutdown.
func (f *Factory) Wait() { f.wg.Wait() }

// NewFiltered returns an informer of its own (not shared) for the objects of r in
// namespace that match sel, such as the kubelet's pods with spec.nodeName=<node>.
func NewFiltered[T meta.Object](r *client.Resource[T], namespace string, sel Selector, opts Options) *Informer[T] {
	k := r.Kind()
	if opts.Resource == (apierrors.Resource{}) {
		opts.Resource = apierrors.Resource{Group: k.Group, Resource: k.Resource}
	}
	if opts.Name == "" {
		opts.Name = opts.Resource.String()
	}
	return New(FromResource(r, namespace, sel), opts)
}

// Pods returns the shared pod informer, which also indexes pods by spec.nodeName
// (NodeNameIndex).
func (f *Factory) Pods() *Informer[*core.Pod] {
	return forKind(f, f.kind("", "pods"), func(i *Informer[*core.Pod]) {
		// The store is new and empty: the only possible error is a duplicate name.
		_ = i.AddIndexers(map[string]IndexFunc[*core.Pod]{
			NodeNameIndex: IndexByField(func(p *core.Pod) string { return p.Spec.NodeName }),
		})
	})
}

// Nodes returns the shared node informer.
func (f *Factory) Nodes() *Informer[*core.Node] {
	return ForKind[*core.Node](f, f.kind("", "nodes"))
}

// Services returns the shared service informer.
func (f *Factory) Services() *Informer[*core.Service] {
	return ForKind[*core.Service](f, f.kind("", "services"))
}

// Endpoints returns the shared endpoints informer.
func (f *Factory) Endpoints() *Informer[*core.Endpoints] {
	return ForKind[*core.Endpoints](f, f.kind("", "endpoints"))
}

// ReplicationControllers returns the shared replication controller informer.
func (f *Factory) ReplicationControllers() *Informer[*core.ReplicationController] {
	return ForKind[*core.ReplicationController](f, f.kind("", "replicationcontrollers"))
}

// Namespaces returns the shared namespace informer.
func (f *Factory) Namespaces() *Informer[*core.Namespace] {
	return ForKind[*core.Namespace](f, f.kind("", "namespaces"))
}

// Events returns the shared event informer.
func (f *Factory) Events() *Informer[*core.Event] {
	return ForKind[*core.Event](f, f.kind("", "events"))
}

// ReplicaSets returns the shared replica set informer.
func (f *Factory) ReplicaSets() *Informer[*apps.ReplicaSet] {
	return ForKind[*apps.ReplicaSet](f, f.kind("apps", "replicasets"))
}

// Deployments returns the shared deployment informer.
func (f *Factory) Deployments() *Informer[*apps.Deployment] {
	return ForKind[*apps.Deployment](f, f.kind("apps", "deployments"))
}

// DaemonSets returns the shared daemon set informer.
func (f *Factory) DaemonSets() *Informer[*apps.DaemonSet] {
	return ForKind[*apps.DaemonSet](f, f.kind("apps", "daemonsets"))
}

// Jobs returns the shared job informer.
func (f *Factory) Jobs() *Informer[*batch.Job] {
	return ForKind[*batch.Job](f, f.kind("batch", "jobs"))
}

// Leases returns the shared lease informer.
func (f *Factory) Leases() *Informer[*coordination.Lease] {
	return ForKind[*coordination.Lease](f, f.kind("coordination.k8s.io", "leases"))
}
