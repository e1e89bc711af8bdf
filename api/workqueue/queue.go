package workqueue

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// waitingBuffer bounds the AddAfter calls in flight to the delay loop before callers block.
const waitingBuffer = 1000

// Config configures a queue. The zero value is a valid, unnamed queue without metrics,
// on the wall clock, with DefaultRateLimiter.
type Config[T comparable] struct {
	// Name labels the queue's metrics (name="..."); use the controller's name.
	Name string
	// Registerer receives the workqueue_* metrics; nil means no metrics. Several queues may
	// share one registerer: they share the metric families and differ by name label.
	Registerer prometheus.Registerer
	// RateLimiter decides AddRateLimited's delays; nil means DefaultRateLimiter(Clock).
	RateLimiter RateLimiter[T]
	// Clock is the time source; nil means RealClock.
	Clock Clock
}

// Queue is a deduplicating, delaying, rate-limited work queue. Create it with New and
// always call ShutDown (or ShutDownWithDrain) when done, which stops its goroutine.
type Queue[T comparable] struct {
	clock   Clock
	limiter RateLimiter[T]
	metrics *metrics[T]

	mu   sync.Mutex
	cond *sync.Cond
	// queue holds the items ready for Get, in order; every item in it is in dirty.
	queue []T
	// dirty holds the items that need processing: queued, or re-added while processing.
	dirty map[T]struct{}
	// processing holds the items handed out by Get and not yet Done.
	processing   map[T]struct{}
	shuttingDown bool
	drain        bool

	waitingCh chan waitFor[T]
	stopCh    chan struct{}
	stopOnce  sync.Once
	loopDone  chan struct{}
}

// New returns a running queue; it starts the goroutine that moves delayed items in when
// they are due, which ShutDown stops.
func New[T comparable](cfg Config[T]) *Queue[T] {
	clock := cfg.Clock
	if clock == nil {
		clock = RealClock{}
	}
	limiter := cfg.RateLimiter
	if limiter == nil {
		limiter = DefaultRateLimiter[T](clock)
	}
	q := &Queue[T]{
		clock:      clock,
		limiter:    limiter,
		metrics:    newMetrics[T](cfg.Registerer, cfg.Name, clock),
		dirty:      map[T]struct{}{},
		processing: map[T]struct{}{},
		waitingCh:  make(chan waitFor[T], waitingBuffer),
		stopCh:     make(chan struct{}),
		loopDone:   make(chan struct{}),
	}
	q.cond = sync.NewCond(&q.mu)
	go q.waitingLoop()
	return q
}

// Add marks item as needing processing. It is a no-op when the item already waits, and
// defers the item until Done when a worker is processing it. Adds after ShutDown are
// ignored.
func (q *Queue[T]) Add(item T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.shuttingDown {
		return
	}
	if _, ok := q.dirty[item]; ok {
		return
	}
	q.metrics.add(item)
	q.dirty[item] = struct{}{}
	if _, ok := q.processing[item]; ok {
		return
	}
	q.queue = append(q.queue, item)
	q.cond.Signal()
}

// Len is the number of items ready for Get (not those being processed or delayed).
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue)
}

// Get blocks until an item is ready and hands it to the caller, who must call Done with it
// when finished. shutdown is true (and item the zero value) once the queue is shut down and
// empty; items queued before ShutDown are still handed out.
func (q *Queue[T]) Get() (item T, shutdown bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.queue) == 0 && !q.shuttingDown {
		q.cond.Wait()
	}
	if len(q.queue) == 0 {
		var zero T
		return zero, true
	}
	item = q.queue[0]
	var zero T
	q.queue[0] = zero // let the backing array drop its reference
	q.queue = q.queue[1:]
	q.metrics.get(item)
	q.processing[item] = struct{}{}
	delete(q.dirty, item)
	return item, false
}

// Done marks item as processed. If it was added again meanwhile, it is queued now.
func (q *Queue[T]) Done(item T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.metrics.done(item)
	delete(q.processing, item)
	if _, ok := q.dirty[item]; ok {
		q.queue = append(q.queue, item)
		q.cond.Signal()
	}
	if q.drain && len(q.processing) == 0 {
		q.cond.Broadcast() // ShutDownWithDrain waits for this
	}
}

// ShutDown makes Get return shutdown=true once the queue is empty, ignores further adds,
// drops the items still delayed and stops the queue's goroutine. Items being processed are
// not waited for; see ShutDownWithDrain.
func (q *Queue[T]) ShutDown() {
	q.mu.Lock()
	q.shuttingDown = true
	q.cond.Broadcast()
	q.mu.Unlock()
	q.stopLoop()
}

// ShutDownWithDrain is ShutDown that then waits until every item handed out by Get has been
// marked Done. Callers must make sure their workers keep running until it returns.
func (q *Queue[T]) ShutDownWithDrain() {
	q.mu.Lock()
	q.shuttingDown = true
	q.drain = true
	q.cond.Broadcast()
	for len(q.processing) > 0 {
		q.cond.Wait()
	}
	q.drain = false
	q.mu.Unlock()
	q.stopLoop()
}

// ShuttingDown reports whether ShutDown has been called.
func (q *Queue[T]) ShuttingDown() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.shuttingDown
}

// AddRateLimited adds item after the rate limiter's delay for it: exponential in the item's
// recent failures and no sooner than the overall rate allows. Call it when processing the
// item failed and should be retried.
func (q *Queue[T]) AddRateLimited(item T) {
	q.AddAfter(item, q.limiter.When(item))
}

// Forget clears the item's failure history, so its next AddRateLimited starts from the base
// delay again. Call it when the item was processed successfully (it does not dequeue it).
func (q *Queue[T]) Forget(item T) { q.limiter.Forget(item) }

// NumRequeues is how many times the item has been rate-limited since it was last forgotten.
func (q *Queue[T]) NumRequeues(item T) int { return q.limiter.NumRequeues(item) }
