package leaderelection

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/coordination"
	"seven.dev/api/meta"
)

const tick = 100 * time.Millisecond

// world runs candidates against one lease store on one fake clock and checks, from the
// callbacks, that no two ever lead at once.
type world struct {
	t     *testing.T
	clock *fakeClock
	store *leaseStore

	mu         sync.Mutex
	leading    map[string]bool
	everLed    []string
	candidates []*candidate
}

type candidate struct {
	id       string
	client   *fakeLeases
	cancel   context.CancelFunc
	done     chan struct{}
	err      error // valid after done
	stopped  chan struct{}
	newLeads []string
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, clock: newFakeClock(), store: &leaseStore{}, leading: map[string]bool{}}
	t.Cleanup(func() {
		for _, c := range w.candidates {
			c.cancel()
		}
		for _, c := range w.candidates {
			<-c.done
		}
	})
	return w
}

// start runs a candidate with the default durations; offset skews its wall clock.
func (w *world) start(id string, release bool, offset time.Duration) *candidate {
	c := &candidate{id: id, client: &fakeLeases{store: w.store}, done: make(chan struct{}), stopped: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	cfg := Config{
		Lock:            LeaseLock{Namespace: "kube-system", Name: "kube-scheduler", Identity: id, Client: c.client},
		ReleaseOnCancel: release,
		Clock:           candidateClock{fakeClock: w.clock, owner: id, offset: offset},
		Callbacks: Callbacks{
			OnStartedLeading: func(ctx context.Context) {
				w.setLeading(id, true)
				<-ctx.Done()
				w.setLeading(id, false)
			},
			OnStoppedLeading: func() { close(c.stopped) },
			OnNewLeader: func(identity string) {
				w.mu.Lock()
				c.newLeads = append(c.newLeads, identity)
				w.mu.Unlock()
			},
		},
	}
	w.mu.Lock()
	w.candidates = append(w.candidates, c)
	w.mu.Unlock()
	go func() {
		defer close(c.done)
		c.err = Run(ctx, cfg)
	}()
	return c
}

func (w *world) setLeading(id string, on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if on {
		for other, l := range w.leading {
			if l {
				w.t.Errorf("%s started leading while %s leads", id, other)
			}
		}
		w.everLed = append(w.everLed, id)
	}
	w.leading[id] = on
}

func (w *world) isLeading(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.leading[id]
}

// settle waits until every running candidate is idle on the clock and the one holding
// the lease has had its OnStartedLeading run (it runs on a goroutine of its own).
func (w *world) settle() {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		idle := true
		w.mu.Lock()
		cs := append([]*candidate(nil), w.candidates...)
		w.mu.Unlock()
		holder := ""
		if l := w.store.current(); l != nil {
			holder = deref(l.Spec.HolderIdentity)
		}
		for _, c := range cs {
			if c.finished() {
				continue
			}
			if !w.clock.waiting(c.id) || c.id == holder && !w.isLeading(c.id) {
				idle = false
			}
		}
		if idle {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatal("candidates did not settle")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// advance moves fake time forward by d in ticks, letting the candidates run in between.
func (w *world) advance(d time.Duration) {
	w.t.Helper()
	for elapsed := time.Duration(0); elapsed < d; elapsed += tick {
		w.settle()
		w.clock.Step(tick)
	}
	w.settle()
}

// until advances until cond holds and returns the fake time that took; it fails after max.
func (w *world) until(what string, max time.Duration, cond func() bool) time.Duration {
	w.t.Helper()
	start := w.clock.Now()
	for {
		w.settle()
		if cond() {
			return w.clock.Now().Sub(start)
		}
		if w.clock.Now().Sub(start) > max {
			w.t.Fatalf("%s: not within %v of fake time", what, max)
		}
		w.clock.Step(tick)
	}
}

// finished reports whether the candidate's Run has returned.
func (c *candidate) finished() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func wait(t *testing.T, c *candidate) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Run of %s did not return", c.id)
	}
}

func TestExactlyOneLeader(t *testing.T) {
	w := newWorld(t)
	a, b, c := w.start("a", false, 0), w.start("b", false, 0), w.start("c", false, 0)
	w.advance(60 * time.Second)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.everLed) != 1 {
		t.Fatalf("leaders over a minute: %v, want exactly one", w.everLed)
	}
	leader := w.everLed[0]
	l := w.store.current()
	if got := deref(l.Spec.HolderIdentity); got != leader {
		t.Fatalf("lease holder %q, leader %q", got, leader)
	}
	if got := deref(l.Spec.LeaseTransitions); got != 0 {
		t.Fatalf("leaseTransitions = %d, want 0 for the first holder", got)
	}
	if got := deref(l.Spec.LeaseDurationSeconds); got != 15 {
		t.Fatalf("leaseDurationSeconds = %d, want 15", got)
	}
	for _, cand := range []*candidate{a, b, c} {
		if len(cand.newLeads) != 1 || cand.newLeads[0] != leader {
			t.Errorf("%s saw leaders %v, want [%s]", cand.id, cand.newLeads, leader)
		}
	}
}

func TestTakeoverAfterExpiry(t *testing.T) {
	w := newWorld(t)
	a := w.start("a", false, 0)
	w.until("a leads", 5*time.Second, func() bool { return w.isLeading("a") })
	// b's wall clock is an hour ahead: were it to compare a's renewTime with its own
	// clock, it would take over at once.
	w.start("b", false, time.Hour)
	w.advance(20 * time.Second)
	if w.isLeading("b") {
		t.Fatal("b took over a lease that a keeps renewing")
	}

	a.cancel() // a crash: no release
	wait(t, a)
	if a.err != nil {
		t.Fatalf("Run(a) = %v, want nil after cancel", a.err)
	}
	// b counts the lease duration from when it saw a's last renewal, up to one of its
	// jittered polls later, and takes over as that count ends.
	lastRenew := w.store.current().Spec.RenewTime.Time
	jittered := time.Duration((1 + jitterFactor) * float64(DefaultRetryPeriod))
	w.until("b leads", DefaultLeaseDuration+jittered+time.Second, func() bool { return w.isLeading("b") })
	took := w.clock.Now().Sub(lastRenew)
	if took < DefaultLeaseDuration || took > DefaultLeaseDuration+jittered+tick {
		t.Fatalf("b took over %v after a's last renewal, want within [lease, lease + 1 jittered retry]", took)
	}
	l := w.store.current()
	if got := deref(l.Spec.HolderIdentity); got != "b" {
		t.Fatalf("holder %q, want b", got)
	}
	if got := deref(l.Spec.LeaseTransitions); got != 1 {
		t.Fatalf("leaseTransitions = %d, want 1", got)
	}
	if !l.Spec.AcquireTime.Equal(l.Spec.RenewTime.Time) {
		t.Fatalf("acquireTime %v, renewTime %v: a takeover sets both", l.Spec.AcquireTime, l.Spec.RenewTime)
	}
}

func TestStandbyTriesWhenTheLeaseExpires(t *testing.T) {
	w := newWorld(t)
	// The holder crashed before b started: its lease is never renewed again.
	crashed := &coordination.Lease{
		ObjectMeta: meta.ObjectMeta{Namespace: "kube-system", Name: "kube-scheduler"},
		Spec: coordination.LeaseSpec{
			HolderIdentity:       ptr("crashed"),
			LeaseDurationSeconds: ptr(seconds(DefaultLeaseDuration)),
			RenewTime:            microTime(w.clock.Now()),
		},
	}
	if _, err := w.store.create(crashed); err != nil {
		t.Fatal(err)
	}
	w.start("b", false, 0)
	// b sees the lease at once, so it may take it exactly one lease duration later on its
	// clock; waiting for its next jittered retry instead would cost up to 4.4 s more.
	took := w.until("b leads", DefaultLeaseDuration+5*time.Second, func() bool { return w.isLeading("b") })
	if took < DefaultLeaseDuration || took > DefaultLeaseDuration+tick {
		t.Fatalf("b took over %v after it first saw the lease, want %v (within a tick)", took, DefaultLeaseDuration)
	}
}

func TestReleaseOnCancelHandsOverAtOnce(t *testing.T) {
	w := newWorld(t)
	a := w.start("a", true, 0)
	w.until("a leads", 5*time.Second, func() bool { return w.isLeading("a") })
	w.start("b", false, 0)
	w.advance(10 * time.Second)

	a.cancel()
	wait(t, a)
	select {
	case <-a.stopped:
	default:
		t.Fatal("OnStoppedLeading was not called")
	}
	l := w.store.current()
	if deref(l.Spec.HolderIdentity) != "" || deref(l.Spec.LeaseDurationSeconds) != 1 {
		t.Fatalf("released lease spec %+v, want empty holder and 1s", l.Spec)
	}
	took := w.until("b leads", 10*time.Second, func() bool { return w.isLeading("b") })
	if limit := time.Duration((1 + jitterFactor) * float64(DefaultRetryPeriod)); took > limit {
		t.Fatalf("b took over %v after the release, want within one (jittered) retry period %v", took, limit)
	}
	if got := deref(w.store.current().Spec.LeaseTransitions); got != 1 {
		t.Fatalf("leaseTransitions = %d, want 1", got)
	}
}

func TestRenewFailureStopsLeading(t *testing.T) {
	w := newWorld(t)
	a := w.start("a", true, 0)
	w.until("a leads", 5*time.Second, func() bool { return w.isLeading("a") })
	w.advance(5 * time.Second)
	lastRenew := w.store.current().Spec.RenewTime.Time
	a.client.fail.Store(true)
	took := w.until("a stops", 20*time.Second, a.finished)
	if !errors.Is(a.err, ErrLeaderLost) {
		t.Fatalf("Run = %v, want ErrLeaderLost", a.err)
	}
	if w.isLeading("a") {
		t.Fatal("the leader's context was not cancelled")
	}
	select {
	case <-a.stopped:
	default:
		t.Fatal("OnStoppedLeading was not called")
	}
	stoppedAt := w.clock.Now().Sub(lastRenew)
	if stoppedAt < DefaultRenewDeadline || stoppedAt >= DefaultLeaseDuration {
		t.Fatalf("stopped %v after the last renewal (%v of failures), want in [renewDeadline, leaseDuration)", stoppedAt, took)
	}
	if got := deref(w.store.current().Spec.HolderIdentity); got != "a" {
		t.Fatalf("holder %q: a failing leader cannot release", got)
	}
}

func TestStolenLeaseStopsLeadingAtOnce(t *testing.T) {
	w := newWorld(t)
	a := w.start("a", true, 0)
	w.until("a leads", 5*time.Second, func() bool { return w.isLeading("a") })
	l := w.store.current()
	l.Spec.HolderIdentity = ptr("intruder")
	l.Spec.RenewTime = &meta.MicroTime{Time: w.clock.Now()}
	if _, err := w.store.update(l); err != nil {
		t.Fatal(err)
	}
	took := w.until("a stops", 10*time.Second, a.finished)
	if !errors.Is(a.err, ErrLeaderLost) {
		t.Fatalf("Run = %v, want ErrLeaderLost", a.err)
	}
	if took > DefaultRetryPeriod {
		t.Fatalf("a noticed the new holder after %v, want at its next renewal", took)
	}
	if got := deref(w.store.current().Spec.HolderIdentity); got != "intruder" {
		t.Fatalf("holder %q: a must not release a lease it lost", got)
	}
}

func TestCancelBeforeLeadingReturnsNil(t *testing.T) {
	w := newWorld(t)
	w.start("a", false, 0)
	w.until("a leads", 5*time.Second, func() bool { return w.isLeading("a") })
	b := w.start("b", true, 0)
	w.advance(5 * time.Second)
	b.cancel()
	wait(t, b)
	if b.err != nil {
		t.Fatalf("Run(b) = %v", b.err)
	}
	select {
	case <-b.stopped:
		t.Fatal("OnStoppedLeading called for a candidate that never led")
	default:
	}
	if got := deref(w.store.current().Spec.HolderIdentity); got != "a" {
		t.Fatalf("holder %q: a standby must not release the leader's lease", got)
	}
}

func TestConfigValidation(t *testing.T) {
	client := &fakeLeases{store: &leaseStore{}}
	valid := Config{
		Lock:      LeaseLock{Namespace: "kube-system", Name: "x", Identity: "me", Client: client},
		Callbacks: Callbacks{OnStartedLeading: func(context.Context) {}},
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"lease not above renew", func(c *Config) { c.LeaseDuration, c.RenewDeadline = 10*time.Second, 10*time.Second },
			"leaseDuration must be greater than renewDeadline"},
		{"renew too close to retry", func(c *Config) { c.RenewDeadline, c.RetryPeriod = 2*time.Second, 2*time.Second },
			"renewDeadline must be greater than retryPeriod*JitterFactor"},
		{"no identity", func(c *Config) { c.Lock.Identity = "" }, "identity is required"},
		{"no name", func(c *Config) { c.Lock.Name = "" }, "namespace and name are required"},
		{"no client", func(c *Config) { c.Lock.Client = nil }, "lease client is required"},
		{"no callback", func(c *Config) { c.Callbacks.OnStartedLeading = nil }, "OnStartedLeading is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid
			tc.mod(&cfg)
			err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
