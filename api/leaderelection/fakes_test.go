package leaderelection

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"seven.dev/api/coordination"
	apierrors "seven.dev/api/errors"
)

// fakeClock moves only when the test steps it, and counts the goroutines waiting on it so
// the test knows when every candidate is idle.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	owner string
	at    time.Time
	ch    chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time { return c.after("", d) }

func (c *fakeClock) after(owner string, d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{owner: owner, at: c.now.Add(d), ch: ch})
	return ch
}

func (c *fakeClock) Step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// waiting reports whether owner has a timer that has not fired. A running candidate has
// one exactly while it is idle: it leaves a timer unfired only when its ctx ends.
func (c *fakeClock) waiting(owner string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.waiters {
		if w.owner == owner {
			return true
		}
	}
	return false
}

// candidateClock is one candidate's view of the fake clock: its timers are tagged with its
// name, and its wall time may be off by offset.
type candidateClock struct {
	*fakeClock
	owner  string
	offset time.Duration
}

func (c candidateClock) Now() time.Time { return c.fakeClock.Now().Add(c.offset) }

func (c candidateClock) After(d time.Duration) <-chan time.Time { return c.after(c.owner, d) }

// leaseStore is an in-memory lease with the API server's optimistic concurrency.
type leaseStore struct {
	mu    sync.Mutex
	lease *coordination.Lease
	rv    int
}

var leaseResource = apierrors.Resource{Group: "coordination.k8s.io", Resource: "leases"}

func clone(l *coordination.Lease) *coordination.Lease {
	b, err := json.Marshal(l)
	if err != nil {
		panic(err)
	}
	var out coordination.Lease
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return &out
}

func (s *leaseStore) get(namespace, name string) (*coordination.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease == nil || s.lease.Namespace != namespace || s.lease.Name != name {
		return nil, apierrors.NewNotFound(leaseResource, name)
	}
	return clone(s.lease), nil
}

func (s *leaseStore) create(l *coordination.Lease) (*coordination.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease != nil {
		return nil, apierrors.NewAlreadyExists(leaseResource, l.Name)
	}
	if l.ResourceVersion != "" {
		return nil, apierrors.NewBadRequest("resourceVersion should not be set on objects to be created")
	}
	s.rv++
	s.lease = clone(l)
	s.lease.ResourceVersion = strconv.Itoa(s.rv)
	return clone(s.lease), nil
}

func (s *leaseStore) update(l *coordination.Lease) (*coordination.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease == nil {
		return nil, apierrors.NewNotFound(leaseResource, l.Name)
	}
	if l.ResourceVersion != s.lease.ResourceVersion {
		return nil, apierrors.NewConflict(leaseResource, l.Name, errors.New(apierrors.OptimisticLockMessage))
	}
	s.rv++
	s.lease = clone(l)
	s.lease.ResourceVersion = strconv.Itoa(s.rv)
	return clone(s.lease), nil
}

// current returns a copy of the stored lease (nil when there is none).
func (s *leaseStore) current() *coordination.Lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease == nil {
		return nil
	}
	return clone(s.lease)
}

// fakeLeases is one candidate's connection to the store; fail makes every call fail as if
// the API server were unreachable.
type fakeLeases struct {
	store *leaseStore
	fail  atomic.Bool
}

var errUnreachable = errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")

func (f *fakeLeases) Get(_ context.Context, namespace, name string) (*coordination.Lease, error) {
	if f.fail.Load() {
		return nil, errUnreachable
	}
	return f.store.get(namespace, name)
}

func (f *fakeLeases) Create(_ context.Context, l *coordination.Lease) (*coordination.Lease, error) {
	if f.fail.Load() {
		return nil, errUnreachable
	}
	return f.store.create(l)
}

func (f *fakeLeases) Update(_ context.Context, l *coordination.Lease) (*coordination.Lease, error) {
	if f.fail.Load() {
		return nil, errUnreachable
	}
	return f.store.update(l)
}
