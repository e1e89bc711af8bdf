package leaderintegration

import (
	"context"
	"sync"
	"testing"
	"time"

	"seven.dev/api/leaderelection"
)

// Short durations so the test runs in seconds; the ratios are the defaults'.
const (
	leaseDuration = 3 * time.Second
	renewDeadline = 2 * time.Second
	retryPeriod   = 500 * time.Millisecond
	// jitteredRetry is the longest a standby waits between two attempts.
	jitteredRetry = retryPeriod + retryPeriod*12/10
	// slack covers scheduling and request latency on a loaded machine.
	slack = time.Second
)

// election watches the candidates' callbacks and fails the test the moment two lead.
type election struct {
	t       *testing.T
	host    string
	mu      sync.Mutex
	leaders map[string]bool
	changed chan struct{} // closed and replaced on every change
}

type runningCandidate struct {
	id     string
	cancel context.CancelFunc
	done   chan error
}

func newElection(t *testing.T, host string) *election {
	return &election{t: t, host: host, leaders: map[string]bool{}, changed: make(chan struct{})}
}

func (e *election) set(id string, leading bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if leading {
		for other, l := range e.leaders {
			if l {
				e.t.Errorf("%s started leading while %s still leads", id, other)
			}
		}
	}
	e.leaders[id] = leading
	close(e.changed)
	e.changed = make(chan struct{})
}

// leader returns the current leader, or "".
func (e *election) leader() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, l := range e.leaders {
		if l {
			return id
		}
	}
	return ""
}

// waitLeader waits up to timeout for id to lead and returns how long that took.
func (e *election) waitLeader(id string, timeout time.Duration) time.Duration {
	e.t.Helper()
	start := time.Now()
	deadline := time.After(timeout)
	for {
		e.mu.Lock()
		leading, changed := e.leaders[id], e.changed
		e.mu.Unlock()
		if leading {
			return time.Since(start)
		}
		select {
		case <-changed:
		case <-deadline:
			e.t.Fatalf("%s did not lead within %v (leader: %q)", id, timeout, e.leader())
		}
	}
}

func (e *election) start(id string, releaseOnCancel bool) *runningCandidate {
	ctx, cancel := context.WithCancel(context.Background())
	c := &runningCandidate{id: id, cancel: cancel, done: make(chan error, 1)}
	cfg := leaderelection.Config{
		Lock: leaderelection.LeaseLock{
			Namespace: "kube-system", Name: "seven-test", Identity: id,
			Client: leaderelection.LeaseClientFor(newClient(e.t, e.host)),
		},
		LeaseDuration:   leaseDuration,
		RenewDeadline:   renewDeadline,
		RetryPeriod:     retryPeriod,
		ReleaseOnCancel: releaseOnCancel,
		Logger:          testLogger(id),
		Callbacks: leaderelection.Callbacks{
			OnStartedLeading: func(ctx context.Context) {
				e.set(id, true)
				<-ctx.Done()
				e.set(id, false)
			},
		},
	}
	go func() { c.done <- leaderelection.Run(ctx, cfg) }()
	e.t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// stop cancels the candidate and waits for Run to return nil.
func (c *runningCandidate) stop(t *testing.T) {
	t.Helper()
	c.cancel()
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("Run(%s) = %v, want nil after cancel", c.id, err)
		}
		c.done <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatalf("Run(%s) did not return after cancel", c.id)
	}
}

func TestLeaderElection(t *testing.T) {
	host := startServer(t)
	e := newElection(t, host)
	leases := leaderelection.LeaseClientFor(newClient(t, host))

	a := e.start("a", false) // will crash: never releases
	e.waitLeader("a", 5*time.Second)
	b := e.start("b", true)
	time.Sleep(2 * leaseDuration)
	if l := e.leader(); l != "a" {
		t.Fatalf("leader %q while a keeps renewing, want a", l)
	}

	// A crash: a stops without releasing, so b must wait for the lease to expire.
	// b counts the lease duration from when it last saw the lease change, which is up to
	// one of its (jittered) polls after a's last renewal, and then needs one more poll.
	killed := time.Now()
	a.stop(t)
	took := e.waitLeader("b", leaseDuration+2*jitteredRetry+slack)
	if took < leaseDuration-jitteredRetry-100*time.Millisecond {
		t.Fatalf("b took over %v after a crashed: before the lease could have expired", took)
	}
	t.Logf("takeover after a crash: %v (lease %v)", time.Since(killed), leaseDuration)
	lease, err := leases.Get(context.Background(), "kube-system", "seven-test")
	if err != nil {
		t.Fatal(err)
	}
	if *lease.Spec.HolderIdentity != "b" || *lease.Spec.LeaseTransitions != 1 {
		t.Fatalf("lease spec %+v, want holder b after one transition", lease.Spec)
	}

	// A clean shutdown: b releases, so c takes over at its next attempt.
	c := e.start("c", true)
	time.Sleep(leaseDuration)
	b.stop(t)
	took = e.waitLeader("c", jitteredRetry+slack)
	t.Logf("takeover after a release: %v (retry %v)", took, retryPeriod)
	lease, err = leases.Get(context.Background(), "kube-system", "seven-test")
	if err != nil {
		t.Fatal(err)
	}
	if *lease.Spec.HolderIdentity != "c" || *lease.Spec.LeaseTransitions != 2 {
		t.Fatalf("lease spec %+v, want holder c after two transitions", lease.Spec)
	}

	c.stop(t)
	lease, err = leases.Get(context.Background(), "kube-system", "seven-test")
	if err != nil {
		t.Fatal(err)
	}
	if *lease.Spec.HolderIdentity != "" {
		t.Fatalf("holder %q after a clean shutdown, want the lease released", *lease.Spec.HolderIdentity)
	}
}
