package workqueue

import (
	"container/heap"
	"time"
)

// waitFor is an item to be added at readyAt.
type waitFor[T comparable] struct {
	item    T
	readyAt time.Time
	index   int // in the heap, maintained by waitHeap
}

// AddAfter adds item once d has passed; d <= 0 adds it now. An item already waiting keeps
// the earlier of its two ready times. Ignored after ShutDown.
func (q *Queue[T]) AddAfter(item T, d time.Duration) {
	if q.ShuttingDown() {
		return
	}
	q.metrics.retry()
	if d <= 0 {
		q.Add(item)
		return
	}
	select {
	case <-q.stopCh:
	case q.waitingCh <- waitFor[T]{item: item, readyAt: q.clock.Now().Add(d)}:
	}
}

// stopLoop stops the delay loop and waits for it; safe to call more than once.
func (q *Queue[T]) stopLoop() {
	q.stopOnce.Do(func() { close(q.stopCh) })
	<-q.loopDone
}

// waitingLoop owns the delayed items: it adds each to the queue when it is due. It runs
// until ShutDown closes stopCh.
func (q *Queue[T]) waitingLoop() {
	defer close(q.loopDone)
	waiting := &waitHeap[T]{}
	known := map[T]*waitFor[T]{}
	insert := func(w waitFor[T]) {
		if e, ok := known[w.item]; ok {
			if w.readyAt.Before(e.readyAt) {
				e.readyAt = w.readyAt
				heap.Fix(waiting, e.index)
			}
			return
		}
		e := &waitFor[T]{item: w.item, readyAt: w.readyAt}
		heap.Push(waiting, e)
		known[w.item] = e
	}
	for {
		now := q.clock.Now()
		for waiting.Len() > 0 && !(*waiting)[0].readyAt.After(now) {
			e := heap.Pop(waiting).(*waitFor[T])
			delete(known, e.item)
			q.Add(e.item)
		}
		var next <-chan time.Time
		if waiting.Len() > 0 {
			next = q.clock.After((*waiting)[0].readyAt.Sub(now))
		}
		select {
		case <-q.stopCh:
			return
		case <-next:
		case w := <-q.waitingCh:
			insert(w)
			// Take whatever else is queued up before computing the next wake-up.
			for drained := false; !drained; {
				select {
				case w := <-q.waitingCh:
					insert(w)
				default:
					drained = true
				}
			}
		}
	}
}

// waitHeap is a min-heap of waiting items by ready time.
type waitHeap[T comparable] []*waitFor[T]

func (h waitHeap[T]) Len() int           { return len(h) }
func (h waitHeap[T]) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h waitHeap[T]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *waitHeap[T]) Push(x any) {
	e := x.(*waitFor[T])
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *waitHeap[T]) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return e
}
