package workqueue

import (
	"sync"
	"testing"
	"time"
)

// getWithin is Get that fails the test if nothing arrives within timeout.
func getWithin[T comparable](t *testing.T, q *Queue[T], timeout time.Duration) (T, bool) {
	t.Helper()
	type result struct {
		item     T
		shutdown bool
	}
	ch := make(chan result, 1)
	go func() {
		item, shutdown := q.Get()
		ch <- result{item, shutdown}
	}()
	select {
	case r := <-ch:
		return r.item, r.shutdown
	case <-time.After(timeout):
		t.Fatalf("Get did not return within %v", timeout)
		panic("unreachable")
	}
}

// eventually polls cond until it holds or a second passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func newTestQueue(t *testing.T) *Queue[string] {
	q := New(Config[string]{Clock: newFakeClock()})
	t.Cleanup(q.ShutDown)
	return q
}

func TestAddDeduplicates(t *testing.T) {
	q := newTestQueue(t)
	for _, k := range []string{"a", "b", "a", "c", "b"} {
		q.Add(k)
	}
	if q.Len() != 3 {
		t.Fatalf("Len = %d, want 3", q.Len())
	}
	for _, want := range []string{"a", "b", "c"} {
		got, shutdown := q.Get()
		if shutdown || got != want {
			t.Fatalf("Get = %q, %v; want %q (first-add order)", got, shutdown, want)
		}
		q.Done(got)
	}
	if q.Len() != 0 {
		t.Fatalf("Len = %d after draining, want 0", q.Len())
	}
}

func TestReAddWhileProcessingWaitsForDone(t *testing.T) {
	q := newTestQueue(t)
	q.Add("a")
	item, _ := q.Get()
	q.Add("a")
	q.Add("a")
	if q.Len() != 0 {
		t.Fatalf("Len = %d while a is processing, want 0: a must not be handed out twice", q.Len())
	}
	got := make(chan string, 1)
	go func() {
		i, _ := q.Get()
		got <- i
	}()
	select {
	case i := <-got:
		t.Fatalf("second worker got %q while the first still processes it", i)
	case <-time.After(20 * time.Millisecond):
	}
	q.Done(item)
	select {
	case i := <-got:
		if i != "a" {
			t.Fatalf("got %q, want a", i)
		}
		q.Done(i)
	case <-time.After(time.Second):
		t.Fatal("a was not queued again after Done")
	}
	if q.Len() != 0 {
		t.Fatalf("Len = %d, want 0: the two re-adds collapse into one", q.Len())
	}
}

// TestNeverProcessedConcurrently hammers the queue with re-adds from several workers and
// checks no item is ever held by two workers at once.
func TestNeverProcessedConcurrently(t *testing.T) {
	q := New(Config[int]{})
	var mu sync.Mutex
	inFlight := map[int]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				item, shutdown := q.Get()
				if shutdown {
					return
				}
				mu.Lock()
				if inFlight[item] {
					t.Errorf("item %d handed to two workers", item)
				}
				inFlight[item] = true
				mu.Unlock()
				q.Add(item) // re-add while processing
				time.Sleep(10 * time.Microsecond)
				mu.Lock()
				inFlight[item] = false
				mu.Unlock()
				q.Done(item)
			}
		}()
	}
	for i := 0; i < 2000; i++ {
		q.Add(i % 10)
	}
	time.Sleep(50 * time.Millisecond)
	q.ShutDown()
	wg.Wait()
}

func TestShutDownUnblocksGet(t *testing.T) {
	q := New(Config[string]{})
	done := make(chan bool)
	go func() {
		_, shutdown := q.Get()
		done <- shutdown
	}()
	time.Sleep(10 * time.Millisecond)
	q.ShutDown()
	select {
	case shutdown := <-done:
		if !shutdown {
			t.Fatal("Get returned an item from an empty queue")
		}
	case <-time.After(time.Second):
		t.Fatal("ShutDown did not unblock Get")
	}
	if !q.ShuttingDown() {
		t.Fatal("ShuttingDown = false after ShutDown")
	}
	q.ShutDown() // idempotent
}

func TestShutDownHandsOutQueuedItemsAndIgnoresAdds(t *testing.T) {
	q := New(Config[string]{})
	q.Add("a")
	q.ShutDown()
	q.Add("b")
	q.AddAfter("c", 0)
	q.AddRateLimited("d")
	if item, shutdown := q.Get(); shutdown || item != "a" {
		t.Fatalf("Get = %q, %v; want the item queued before ShutDown", item, shutdown)
	}
	if item, shutdown := q.Get(); !shutdown {
		t.Fatalf("Get = %q after ShutDown; adds after ShutDown must be ignored", item)
	}
}

func TestShutDownWithDrainWaitsForInFlight(t *testing.T) {
	q := New(Config[string]{})
	q.Add("a")
	item, _ := q.Get()
	drained := make(chan struct{})
	go func() {
		q.ShutDownWithDrain()
		close(drained)
	}()
	eventually(t, "shutting down", q.ShuttingDown)
	select {
	case <-drained:
		t.Fatal("ShutDownWithDrain returned while an item was still processing")
	case <-time.After(20 * time.Millisecond):
	}
	q.Done(item)
	select {
	case <-drained:
	case <-time.After(time.Second):
		t.Fatal("ShutDownWithDrain did not return after the last Done")
	}
}

func TestShutDownWithDrainEmptyReturnsAtOnce(t *testing.T) {
	q := New(Config[string]{})
	done := make(chan struct{})
	go func() {
		q.ShutDownWithDrain()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("ShutDownWithDrain blocked on an idle queue")
	}
}
