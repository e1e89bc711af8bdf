package informer

import (
	"context"
	"sync"
	"sync/atomic"

	"seven.dev/api/meta"
)

// Handler receives an informer's changes. Any of its functions may be nil. They run on the
// handler's own goroutine, one call at a time, in the order the changes happened; they may
// take their time without holding anyone else up, though a handler that is slow for good
// lets its queue grow without bound. They must not modify the objects they are given.
type Handler[T meta.Object] struct {
	// OnAdd announces an object new to the cache. isInitialList is true for the adds of
	// the first list, and for the adds of the current state a late handler gets.
	OnAdd func(obj T, isInitialList bool)
	// OnUpdate announces a changed object. Periodic resyncs call it with old == new.
	OnUpdate func(old, new T)
	// OnDelete announces a deleted object. When finalStateUnknown is set the deletion was
	// noticed by a relist, not seen on a watch, and obj is the last state the informer
	// had: it may be stale (like upstream's DeletedFinalStateUnknown tombstone).
	OnDelete func(obj T, finalStateUnknown bool)
}

type noteKind int

const (
	addNote noteKind = iota
	updateNote
	deleteNote
	// syncedNote marks the end of what a handler must process before its registration
	// counts as synced; it is not passed to the handler.
	syncedNote
)

// notification is one change as queued for a handler.
type notification[T meta.Object] struct {
	kind     noteKind
	old, obj T
	initial  bool // an add of the initial list
	unknown  bool // a delete whose final state is unknown
}

// listener is one handler with its queue. push never blocks; run delivers in order.
type listener[T meta.Object] struct {
	h Handler[T]

	mu    sync.Mutex
	queue []notification[T]
	head  int // queue[head:] is pending
	wake  chan struct{}

	synced  atomic.Bool
	removed chan struct{}
	remove  sync.Once
}

func newListener[T meta.Object](h Handler[T]) *listener[T] {
	return &listener[T]{h: h, wake: make(chan struct{}, 1), removed: make(chan struct{})}
}

func (l *listener[T]) push(n notification[T]) {
	l.mu.Lock()
	l.queue = append(l.queue, n)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// pop takes the next notification, if any. The slice's dead prefix is dropped once it is
// half the slice, so a queue that drains gives its memory back.
func (l *listener[T]) pop() (notification[T], bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.head == len(l.queue) {
		l.queue, l.head = l.queue[:0], 0
		return notification[T]{}, false
	}
	n := l.queue[l.head]
	l.queue[l.head] = notification[T]{} // let the objects be collected
	l.head++
	if l.head > 64 && l.head*2 > len(l.queue) {
		l.queue = append([]notification[T](nil), l.queue[l.head:]...)
		l.head = 0
	}
	return n, true
}

// run delivers notifications until ctx is done or the handler is removed.
func (l *listener[T]) run(ctx context.Context) {
	for {
		n, ok := l.pop()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-l.removed:
				return
			case <-l.wake:
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-l.removed:
			return
		default:
		}
		l.deliver(n)
	}
}

func (l *listener[T]) deliver(n notification[T]) {
	switch n.kind {
	case addNote:
		if l.h.OnAdd != nil {
			l.h.OnAdd(n.obj, n.initial)
		}
	case updateNote:
		if l.h.OnUpdate != nil {
			l.h.OnUpdate(n.old, n.obj)
		}
	case deleteNote:
		if l.h.OnDelete != nil {
			l.h.OnDelete(n.obj, n.unknown)
		}
	case syncedNote:
		l.synced.Store(true)
	}
}

// Registration is a handler added to an informer.
type Registration struct {
	synced func() bool
	remove func()
}

// HasSynced reports whether the handler has processed the informer's initial list (or,
// for a handler added late, the adds of the state cached when it was added). A controller
// waits for this before trusting what its handler has told it.
func (r *Registration) HasSynced() bool { return r.synced() }

// Remove stops deliveries to the handler; a call in progress finishes. It is idempotent.
func (r *Registration) Remove() { r.remove() }
