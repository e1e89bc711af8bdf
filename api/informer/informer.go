package informer

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// Options configure an Informer. The zero value is usable.
type Options struct {
	// ResyncPeriod, when positive, re-delivers every cached object as OnUpdate(obj, obj) this
	// often, so handlers get to retry work that depends on things outside the cache.
	ResyncPeriod time.Duration
	// Logger receives the informer's warnings and debug messages; nil discards them.
	Logger *slog.Logger
	// Name identifies the informer in logs ("pods").
	Name string
	// Resource names the kind in the NotFound errors of Lister().Get.
	Resource apierrors.Resource
	// MinBackoff and MaxBackoff bound the wait after a failed list or watch; zero means
	// DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
}

// Informer keeps a Store of one kind in step with the API server and notifies handlers.
// Create it with New, add handlers and indexes, then Run it. It is safe for concurrent use.
type Informer[T meta.Object] struct {
	lw    ListerWatcher[T]
	opts  Options
	log   *slog.Logger
	store *Indexer[T]

	// mu orders every store write with the fan-out of its notifications and with handler
	// registration, so a handler added at any moment sees each change exactly once.
	mu        sync.Mutex
	listeners []*listener[T]
	runCtx    context.Context // the Run's ctx; nil before Run
	stopped   bool            // Run is returning: start no more listener goroutines
	synced    bool            // the first list is in the store
	lwg       sync.WaitGroup  // listener goroutines

	syncedCh chan struct{} // closed when synced becomes true
	rv       atomic.Pointer[string]
}

// New returns an informer that lists and watches through lw.
func New[T meta.Object](lw ListerWatcher[T], opts Options) *Informer[T] {
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Name != "" {
		log = log.With("informer", opts.Name)
	}
	i := &Informer[T]{lw: lw, opts: opts, log: log, store: NewIndexer[T](nil), syncedCh: make(chan struct{})}
	i.rv.Store(new(string))
	return i
}

// Store returns the informer's cache. Its objects are shared: never modify them.
func (i *Informer[T]) Store() Store[T] { return i.store }

// Lister returns a lister over the informer's cache.
func (i *Informer[T]) Lister() *Lister[T] { return NewLister[T](i.store, i.opts.Resource) }

// AddIndexers adds indexes to the cache (see Indexer.AddIndexers); it may be called at any
// time.
func (i *Informer[T]) AddIndexers(indexers map[string]IndexFunc[T]) error {
	return i.store.AddIndexers(indexers)
}

// HasSynced reports whether the first list has been stored. It says nothing about whether
// handlers have processed it: see Registration.HasSynced for that.
func (i *Informer[T]) HasSynced() bool {
	select {
	case <-i.syncedCh:
		return true
	default:
		return false
	}
}

// WaitForCacheSync waits until HasSynced or ctx ends, and reports HasSynced.
func (i *Informer[T]) WaitForCacheSync(ctx context.Context) bool {
	select {
	case <-i.syncedCh:
		return true
	case <-ctx.Done():
		return i.HasSynced()
	}
}

// LastSyncResourceVersion returns the resourceVersion the cache reflects: the last list's,
// or that of the last watch event or bookmark since; "" before the first list.
func (i *Informer[T]) LastSyncResourceVersion() string { return *i.rv.Load() }

func (i *Informer[T]) setRV(rv string) {
	if rv != "" {
		i.rv.Store(&rv)
	}
}

// AddEventHandler registers h. Handlers may be added before or after Run: one added after
// the first list first gets an add (isInitialList true) for every cached object.
func (i *Informer[T]) AddEventHandler(h Handler[T]) *Registration {
	l := newListener(h)
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.synced {
		for _, obj := range i.store.List() {
			l.push(notification[T]{kind: addNote, obj: obj, initial: true})
		}
		l.push(notification[T]{kind: syncedNote})
	}
	i.listeners = append(i.listeners, l)
	if i.runCtx != nil && !i.stopped {
		i.startListener(l)
	}
	return &Registration{
		synced: l.synced.Load,
		remove: func() { i.removeListener(l) },
	}
}

func (i *Informer[T]) removeListener(l *listener[T]) {
	i.mu.Lock()
	i.listeners = slices.DeleteFunc(i.listeners, func(x *listener[T]) bool { return x == l })
	i.mu.Unlock()
	l.remove.Do(func() { close(l.removed) })
}

// startListener runs l until the Run's ctx ends. The caller holds mu.
func (i *Informer[T]) startListener(l *listener[T]) {
	i.lwg.Add(1)
	go func() {
		defer i.lwg.Done()
		l.run(i.runCtx)
	}()
}

// distribute queues notes for every handler. The caller holds mu.
func (i *Informer[T]) distribute(notes ...notification[T]) {
	for _, l := range i.listeners {
		for _, n := range notes {
			l.push(n)
		}
	}
}

// Run lists and watches until ctx ends, then waits for its goroutines, handlers' included,
// to return. An informer runs once: a second Run returns at once.
func (i *Informer[T]) Run(ctx context.Context) {
	i.mu.Lock()
	if i.runCtx != nil {
		i.mu.Unlock()
		i.log.Error("informer is already running or has run")
		return
	}
	i.runCtx = ctx
	for _, l := range i.listeners {
		i.startListener(l)
	}
	i.mu.Unlock()

	var wg sync.WaitGroup
	if i.opts.ResyncPeriod > 0 {
		wg.Go(func() { i.resyncLoop(ctx) })
	}
	i.reflect(ctx)
	wg.Wait()

	i.mu.Lock()
	i.stopped = true
	i.mu.Unlock()
	i.lwg.Wait()
}

// resyncLoop re-delivers the cache as updates every ResyncPeriod once synced.
func (i *Informer[T]) resyncLoop(ctx context.Context) {
	t := time.NewTicker(i.opts.ResyncPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		i.mu.Lock()
		if i.synced {
			for _, obj := range i.store.List() {
				i.distribute(notification[T]{kind: updateNote, old: obj, obj: obj})
			}
		}
		i.mu.Unlock()
	}
}

// WaitFor waits until every check reports true or ctx ends, and reports whether they all
// did. It suits a controller waiting for several informers or registrations.
func WaitFor(ctx context.Context, checks ...func() bool) bool {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if !slices.ContainsFunc(checks, func(c func() bool) bool { return !c() }) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}
