package workqueue

import (
	"testing"
	"time"
)

func TestExponentialBackoffGrowsAndCaps(t *testing.T) {
	r := NewExponentialBackoff[string](5*time.Millisecond, time.Second)
	want := []time.Duration{
		5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond,
		80 * time.Millisecond, 160 * time.Millisecond, 320 * time.Millisecond, 640 * time.Millisecond,
		time.Second, time.Second,
	}
	for i, w := range want {
		if got := r.When("a"); got != w {
			t.Fatalf("failure %d: When = %v, want %v", i+1, got, w)
		}
	}
	if n := r.NumRequeues("a"); n != len(want) {
		t.Fatalf("NumRequeues = %d, want %d", n, len(want))
	}
	if got := r.When("b"); got != 5*time.Millisecond {
		t.Fatalf("other item: When = %v, want the base delay", got)
	}
	for i := 0; i < 200; i++ { // far past 2^63 ns: must saturate, not overflow
		r.When("a")
	}
	if got := r.When("a"); got != time.Second {
		t.Fatalf("after 200 failures When = %v, want the cap", got)
	}
	r.Forget("a")
	if n := r.NumRequeues("a"); n != 0 {
		t.Fatalf("NumRequeues = %d after Forget", n)
	}
	if got := r.When("a"); got != 5*time.Millisecond {
		t.Fatalf("after Forget When = %v, want the base delay", got)
	}
}

func TestDefaultBackoffCap(t *testing.T) {
	r := DefaultRateLimiter[string](newFakeClock())
	var d time.Duration
	for i := 0; i < 40; i++ {
		d = r.When("a")
	}
	if d != DefaultMaxDelay {
		t.Fatalf("When = %v after 40 failures, want %v", d, DefaultMaxDelay)
	}
}

func TestTokenBucket(t *testing.T) {
	clock := newFakeClock()
	r := NewTokenBucket[string](10, 100, clock)
	for i := 0; i < 100; i++ {
		if d := r.When("x"); d != 0 {
			t.Fatalf("call %d within the burst waited %v", i, d)
		}
	}
	if d := r.When("x"); d != 100*time.Millisecond {
		t.Fatalf("first call past the burst: %v, want 100ms", d)
	}
	if d := r.When("y"); d != 200*time.Millisecond {
		t.Fatalf("second call past the burst: %v, want 200ms (the bucket is shared by all items)", d)
	}
	clock.Step(time.Second) // repays the two reservations and earns 8 tokens
	for i := 0; i < 8; i++ {
		if d := r.When("z"); d != 0 {
			t.Fatalf("refilled token %d waited %v", i, d)
		}
	}
	if d := r.When("z"); d != 100*time.Millisecond {
		t.Fatalf("after the refill is spent: %v, want 100ms", d)
	}
}

func TestDefaultRateLimiterTakesTheMax(t *testing.T) {
	r := DefaultRateLimiter[int](newFakeClock())
	for i := 0; i < DefaultBurst; i++ {
		if d := r.When(i); d != DefaultBaseDelay {
			t.Fatalf("item %d: %v, want the per-item base delay", i, d)
		}
	}
	if d := r.When(1000); d != 100*time.Millisecond {
		t.Fatalf("past the burst: %v, want the bucket's 100ms over the 5ms backoff", d)
	}
	if n := r.NumRequeues(0); n != 1 {
		t.Fatalf("NumRequeues = %d, want 1", n)
	}
	r.Forget(0)
	if n := r.NumRequeues(0); n != 0 {
		t.Fatalf("NumRequeues = %d after Forget", n)
	}
}

func TestQueueAddRateLimitedAndForget(t *testing.T) {
	clock := newFakeClock()
	q := New(Config[string]{Clock: clock, RateLimiter: NewExponentialBackoff[string](time.Second, time.Minute)})
	defer q.ShutDown()
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		q.AddRateLimited("a")
		if q.NumRequeues("a") != i+1 {
			t.Fatalf("NumRequeues = %d, want %d", q.NumRequeues("a"), i+1)
		}
		clock.Step(wait - time.Millisecond)
		time.Sleep(10 * time.Millisecond)
		if q.Len() != 0 {
			t.Fatalf("retry %d came before its %v backoff", i+1, wait)
		}
		clock.Step(time.Millisecond)
		item, _ := getWithin(t, q, time.Second)
		q.Done(item)
	}
	q.Forget("a")
	if q.NumRequeues("a") != 0 {
		t.Fatal("Forget did not reset the requeue count")
	}
	q.AddRateLimited("a")
	clock.Step(time.Second)
	item, _ := getWithin(t, q, time.Second)
	q.Done(item)
}

func TestQueueOverallRateLimit(t *testing.T) {
	clock := newFakeClock()
	q := New(Config[int]{Clock: clock})
	defer q.ShutDown()
	for i := 0; i < 150; i++ {
		q.AddRateLimited(i)
	}
	clock.Step(DefaultBaseDelay)
	eventually(t, "the burst to be queued", func() bool { return q.Len() == DefaultBurst })
	// The other 50 come at 10 per second: one every 100ms.
	clock.Step(time.Second)
	eventually(t, "a second's worth of the rest", func() bool { return q.Len() == DefaultBurst+10 })
	clock.Step(4 * time.Second)
	eventually(t, "all items", func() bool { return q.Len() == 150 })
}
