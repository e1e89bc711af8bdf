package queue

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"seven.dev/api/core"
)

// Upstream's defaults (podInitialBackoffDuration, podMaxBackoffDuration,
// podMaxInUnschedulablePodsDuration).
const (
	DefaultInitialBackoff     = 1 * time.Second
	DefaultMaxBackoff         = 10 * time.Second
	DefaultMaxInUnschedulable = 5 * time.Minute
)

// Names of the queues in the scheduler_pending_pods metric.
const (
	QueueActive        = "active"
	QueueBackoff       = "backoff"
	QueueUnschedulable = "unschedulable"
	QueueGated         = "gated"
)

// QueuedPod is a pending pod with its scheduling history.
type QueuedPod struct {
	Pod *core.Pod
	// Key is "namespace/name".
	Key string
	// Attempts counts the times the pod was popped for scheduling.
	Attempts int
	// Timestamp is when the pod last entered the queue.
	Timestamp time.Time
	// InitialAttempt is when it was first popped.
	InitialAttempt time.Time
}

// Clock is the queue's time source.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Options configure a Queue; zero values take the defaults.
type Options struct {
	Clock                      Clock
	InitialBackoff, MaxBackoff time.Duration
	MaxInUnschedulable         time.Duration
	// Pending, when set, is the scheduler_pending_pods gauge, labelled by queue.
	Pending *prometheus.GaugeVec
}

// inFlight is a pod being scheduled: what happened to it meanwhile.
type inFlight struct {
	updated *core.Pod
	deleted bool
}

// Queue holds the pending pods. It is safe for concurrent use.
type Queue struct {
	opts Options
	mu   sync.Mutex
	cond *sync.Cond

	active, backoff *keyedHeap
	unschedulable   map[string]*QueuedPod
	inFlight        map[string]*inFlight
	// schedulingCycle counts pops; moveRequestCycle is the cycle of the last cluster event,
	// so a pod that failed while an event arrived is retried instead of parked.
	schedulingCycle, moveRequestCycle int64
	closed                            bool
}

// New returns an empty queue; start its flusher with Run.
func New(opts Options) *Queue {
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.InitialBackoff <= 0 {
		opts.InitialBackoff = DefaultInitialBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.MaxInUnschedulable <= 0 {
		opts.MaxInUnschedulable = DefaultMaxInUnschedulable
	}
	q := &Queue{
		opts: opts,
		active: newKeyedHeap(func(a, b *QueuedPod) bool {
			pa, pb := priority(a.Pod), priority(b.Pod)
			if pa != pb {
				return pa > pb
			}
			return a.Timestamp.Before(b.Timestamp)
		}),
		unschedulable: map[string]*QueuedPod{},
		inFlight:      map[string]*inFlight{},
	}
	q.backoff = newKeyedHeap(func(a, b *QueuedPod) bool { return q.backoffExpiry(a).Before(q.backoffExpiry(b)) })
	q.cond = sync.NewCond(&q.mu)
	q.moveRequestCycle = -1
	return q
}

func priority(p *core.Pod) int32 {
	if p.Spec.Priority != nil {
		return *p.Spec.Priority
	}
	return 0
}

// BackoffDuration is how long a pod waits after its attempts-th failed attempt.
func (q *Queue) BackoffDuration(attempts int) time.Duration {
	d := q.opts.InitialBackoff
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= q.opts.MaxBackoff {
			return q.opts.MaxBackoff
		}
	}
	return d
}

func (q *Queue) backoffExpiry(qp *QueuedPod) time.Time {
	return qp.Timestamp.Add(q.BackoffDuration(qp.Attempts))
}

// Add queues a new pending pod, or updates it when already known.
func (q *Queue) Add(pod *core.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.update(pod)
}

// Update replaces a pending pod. A pod parked as unschedulable whose spec or labels changed is
// retried, since the change may make it fit.
func (q *Queue) Update(pod *core.Pod) { q.Add(pod) }

func (q *Queue) update(pod *core.Pod) {
	key := pod.Namespace + "/" + pod.Name
	if f, ok := q.inFlight[key]; ok {
		f.updated = pod
		return
	}
	if qp, ok := q.active.get(key); ok {
		qp.Pod = pod
		return
	}
	if qp, ok := q.backoff.get(key); ok {
		qp.Pod = pod
		return
	}
	if qp, ok := q.unschedulable[key]; ok {
		changed := !reflect.DeepEqual(qp.Pod.Labels, pod.Labels) || !reflect.DeepEqual(qp.Pod.Spec, pod.Spec)
		qp.Pod = pod
		if changed {
			delete(q.unschedulable, key)
			q.requeue(qp)
		}
		q.setGauges()
		return
	}
	q.active.upsert(&QueuedPod{Pod: pod, Key: key, Timestamp: q.opts.Clock.Now()})
	q.setGauges()
	q.cond.Signal()
}

// requeue puts a pod that waited back in the backoff queue, or the active queue when its
// backoff is over. Callers hold mu.
func (q *Queue) requeue(qp *QueuedPod) {
	if q.opts.Clock.Now().Before(q.backoffExpiry(qp)) {
		q.backoff.upsert(qp)
		return
	}
	q.active.upsert(qp)
	q.cond.Signal()
}

// Delete drops a pod that was deleted or got bound.
func (q *Queue) Delete(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if f, ok := q.inFlight[key]; ok {
		f.deleted = true
	}
	q.active.remove(key)
	q.backoff.remove(key)
	delete(q.unschedulable, key)
	q.setGauges()
}

// Pop blocks until a pod is ready to schedule and returns it with the scheduling cycle it
// belongs to; ok is false once the queue is closed. The caller must hand the pod back with
// Done, AddUnschedulable or AddBackoff.
func (q *Queue) Pop() (qp *QueuedPod, cycle int64, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.active.Len() == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, 0, false
	}
	qp = q.active.pop()
	qp.Attempts++
	if qp.InitialAttempt.IsZero() {
		qp.InitialAttempt = q.opts.Clock.Now()
	}
	q.schedulingCycle++
	q.inFlight[qp.Key] = &inFlight{}
	q.setGauges()
	return qp, q.schedulingCycle, true
}

// Done ends the attempt at a pod that was placed (or given up on).
func (q *Queue) Done(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.inFlight, key)
}

// takeInFlight ends an attempt and returns the pod's latest state, or nil when it was deleted.
func (q *Queue) takeInFlight(qp *QueuedPod) (updated bool, keep bool) {
	f, ok := q.inFlight[qp.Key]
	delete(q.inFlight, qp.Key)
	if !ok {
		return false, true
	}
	if f.deleted {
		return false, false
	}
	if f.updated != nil {
		qp.Pod = f.updated
		return true, true
	}
	return false, true
}

// AddUnschedulable parks a pod that fit nowhere in the attempt of cycle. If a cluster event
// arrived since that attempt began, or the pod changed, it goes to backoff instead: the
// event may already have made room.
func (q *Queue) AddUnschedulable(qp *QueuedPod, cycle int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	updated, keep := q.takeInFlight(qp)
	if !keep || q.closed {
		return
	}
	qp.Timestamp = q.opts.Clock.Now()
	if updated || q.moveRequestCycle >= cycle {
		q.requeue(qp)
	} else {
		q.unschedulable[qp.Key] = qp
	}
	q.setGauges()
}

// AddBackoff retries a pod after its backoff: for errors (a failed binding) rather than a
// lack of room.
func (q *Queue) AddBackoff(qp *QueuedPod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, keep := q.takeInFlight(qp); !keep || q.closed {
		return
	}
	qp.Timestamp = q.opts.Clock.Now()
	q.requeue(qp)
	q.setGauges()
}

// MoveAllToActiveOrBackoff retries every parked pod after a cluster event that may let them fit.
func (q *Queue) MoveAllToActiveOrBackoff() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for key, qp := range q.unschedulable {
		delete(q.unschedulable, key)
		q.requeue(qp)
	}
	q.moveRequestCycle = q.schedulingCycle
	q.setGauges()
}

// Flush moves pods whose backoff is over to the active queue, and pods parked longer than
// MaxInUnschedulable back into circulation. Run calls it periodically.
func (q *Queue) Flush() {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.opts.Clock.Now()
	for qp := q.backoff.peek(); qp != nil && !now.Before(q.backoffExpiry(qp)); qp = q.backoff.peek() {
		q.active.upsert(q.backoff.pop())
		q.cond.Signal()
	}
	for key, qp := range q.unschedulable {
		if now.Sub(qp.Timestamp) > q.opts.MaxInUnschedulable {
			delete(q.unschedulable, key)
			q.requeue(qp)
		}
	}
	q.setGauges()
}

// Run flushes the queue every interval until ctx ends, then closes it: Pop returns ok=false.
func (q *Queue) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			q.Close()
			return
		case <-t.C:
			q.Flush()
		}
	}
}

// Close wakes every Pop with ok=false.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// Len returns the number of pods in each queue.
func (q *Queue) Len() (active, backoff, unschedulable int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active.Len(), q.backoff.Len(), len(q.unschedulable)
}

func (q *Queue) setGauges() {
	if q.opts.Pending == nil {
		return
	}
	q.opts.Pending.WithLabelValues(QueueActive).Set(float64(q.active.Len()))
	q.opts.Pending.WithLabelValues(QueueBackoff).Set(float64(q.backoff.Len()))
	q.opts.Pending.WithLabelValues(QueueUnschedulable).Set(float64(len(q.unschedulable)))
}
