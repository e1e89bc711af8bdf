package leaderelection

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"seven.dev/api/coordination"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// Run competes for the lease and blocks until ctx is cancelled or leadership is lost.
// Once it holds the lease it runs OnStartedLeading in a goroutine and renews every
// RetryPeriod. It returns nil after ctx is cancelled (releasing the lease first when
// ReleaseOnCancel is set) and an error wrapping ErrLeaderLost when renewal failed for
// RenewDeadline or another candidate took the lease; a daemon should then exit.
// In both cases the leader's context is cancelled and OnStartedLeading has returned
// before Run does.
func Run(ctx context.Context, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	e := &elector{cfg: cfg, clock: cfg.Clock, log: cfg.Logger.With(
		"lease", cfg.Lock.Namespace+"/"+cfg.Lock.Name, "identity", cfg.Lock.Identity)}
	if !e.acquire(ctx) {
		return nil
	}
	leaderCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		cfg.Callbacks.OnStartedLeading(leaderCtx)
	}()
	err = e.renew(ctx)
	cancel()
	<-workDone
	if err == nil && cfg.ReleaseOnCancel {
		e.release(ctx)
	}
	if cfg.Callbacks.OnStoppedLeading != nil {
		cfg.Callbacks.OnStoppedLeading()
	}
	return err
}

// elector is the state of one candidate. It is used by Run's goroutine only.
type elector struct {
	cfg   Config
	clock Clock
	log   *slog.Logger
	// observed is the lease as last read or written, and observedTime when, on our clock,
	// it was seen to change: the base of the expiry computation.
	observed       *coordination.Lease
	observedTime   time.Time
	reportedLeader string
}

// acquire tries every RetryPeriod (jittered), and when the lease it saw expires, until it
// holds the lease; false means ctx ended first.
func (e *elector) acquire(ctx context.Context) bool {
	e.log.Info("attempting to acquire leader lease")
	for {
		if ctx.Err() != nil {
			return false
		}
		callCtx, cancel := context.WithTimeout(ctx, e.cfg.RenewDeadline)
		ok, _ := e.tryAcquireOrRenew(callCtx)
		cancel()
		if ok {
			e.log.Info("successfully acquired lease")
			return true
		}
		wait := e.cfg.RetryPeriod + time.Duration(rand.Float64()*jitterFactor*float64(e.cfg.RetryPeriod))
		if d, ok := e.untilExpiry(); ok && d < wait {
			wait = d
		}
		select {
		case <-ctx.Done():
			return false
		case <-e.clock.After(wait):
		}
	}
}

// untilExpiry is how long, on our clock, until the lease we saw held by another candidate
// expires; false when we saw none or it has expired already (our attempt then failed for
// another reason, and we wait a whole retry period as usual). Waking at the expiry instead
// of at the next jittered attempt (client-go's loop) takes up to (1+jitterFactor) retry
// periods off a hand-over after a crash; it is never earlier, so it is as safe.
func (e *elector) untilExpiry() (time.Duration, bool) {
	if h := e.observedHolder(); h == "" || h == e.cfg.Lock.Identity {
		return 0, false
	}
	d := e.observedTime.Add(e.leaseDuration(e.observed)).Sub(e.clock.Now())
	return d, d > 0
}

// renew keeps the lease until ctx ends (nil) or it cannot be renewed (ErrLeaderLost).
// The deadline counts from the last successful renewal, so with the defaults a leader
// gives up 10 s after its last write, well before standbys take over at 15 s.
func (e *elector) renew(ctx context.Context) error {
	lastRenew := e.observedTime
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-e.clock.After(e.cfg.RetryPeriod):
		}
		remaining := lastRenew.Add(e.cfg.RenewDeadline).Sub(e.clock.Now())
		if remaining <= 0 {
			return e.lost(fmt.Errorf("%w: lease not renewed within %v", ErrLeaderLost, e.cfg.RenewDeadline))
		}
		callCtx, cancel := context.WithTimeout(ctx, remaining)
		ok, holder := e.tryAcquireOrRenew(callCtx)
		cancel()
		switch {
		case ok:
			lastRenew = e.observedTime
		case ctx.Err() != nil:
			return nil
		case holder != "" && holder != e.cfg.Lock.Identity:
			return e.lost(fmt.Errorf("%w: lease taken by %s", ErrLeaderLost, holder))
		case e.clock.Now().Sub(lastRenew) >= e.cfg.RenewDeadline:
			return e.lost(fmt.Errorf("%w: lease not renewed within %v", ErrLeaderLost, e.cfg.RenewDeadline))
		}
	}
}

func (e *elector) lost(err error) error {
	e.log.Error("stopped leading", "err", err)
	return err
}

// tryAcquireOrRenew makes one attempt to create, take over or renew the lease. ok reports
// that we hold it now; holder is the holder last observed.
func (e *elector) tryAcquireOrRenew(ctx context.Context) (ok bool, holder string) {
	now := e.clock.Now()
	id := e.cfg.Lock.Identity

	// Fast path: while we hold an unexpired lease, renew from our copy without a read.
	if e.isLeader() && e.observedTime.Add(e.cfg.LeaseDuration).After(now) {
		if e.update(ctx, e.observed, now) == nil {
			return true, id
		}
		// Fall through and look at what is there now.
	}

	lease, err := e.cfg.Lock.Client.Get(ctx, e.cfg.Lock.Namespace, e.cfg.Lock.Name)
	if apierrors.IsNotFound(err) {
		return e.create(ctx, now), e.observedHolder()
	}
	if err != nil {
		e.log.Error("error retrieving lease", "err", err)
		return false, e.observedHolder()
	}
	if e.observed == nil || e.observed.ResourceVersion != lease.ResourceVersion {
		e.setObserved(lease, now)
	}
	holder = deref(lease.Spec.HolderIdentity)
	if holder != "" && holder != id && e.observedTime.Add(e.leaseDuration(lease)).After(now) {
		e.log.Debug("lease is held by another candidate and has not yet expired", "holder", holder)
		return false, holder
	}
	if err := e.update(ctx, lease, now); err != nil {
		return false, holder
	}
	return true, id
}

// create writes a new lease held by us.
func (e *elector) create(ctx context.Context, now time.Time) bool {
	lease := &coordination.Lease{
		TypeMeta:   meta.TypeMeta{APIVersion: coordination.GroupVersion, Kind: "Lease"},
		ObjectMeta: meta.ObjectMeta{Namespace: e.cfg.Lock.Namespace, Name: e.cfg.Lock.Name},
		Spec: coordination.LeaseSpec{
			HolderIdentity:       ptr(e.cfg.Lock.Identity),
			LeaseDurationSeconds: ptr(seconds(e.cfg.LeaseDuration)),
			AcquireTime:          microTime(now),
			RenewTime:            microTime(now),
			LeaseTransitions:     ptr(int32(0)),
		},
	}
	created, err := e.cfg.Lock.Client.Create(ctx, lease)
	if err != nil {
		// AlreadyExists: another candidate created it first; we will see it next time.
		e.log.Error("error initially creating lease", "err", err)
		return false
	}
	e.setObserved(created, now)
	return true
}

// update writes base with us as the holder, renewed now, keeping acquireTime and
// leaseTransitions when we already held it and counting a transition otherwise. It is
// based on base's resourceVersion, so a concurrent writer makes it fail with a Conflict.
func (e *elector) update(ctx context.Context, base *coordination.Lease, now time.Time) error {
	lease := *base
	spec := base.Spec
	transitions := deref(spec.LeaseTransitions)
	if deref(spec.HolderIdentity) != e.cfg.Lock.Identity {
		transitions++
		spec.AcquireTime = microTime(now)
	}
	spec.HolderIdentity = ptr(e.cfg.Lock.Identity)
	spec.LeaseDurationSeconds = ptr(seconds(e.cfg.LeaseDuration))
	spec.RenewTime = microTime(now)
	spec.LeaseTransitions = ptr(transitions)
	lease.Spec = spec
	updated, err := e.cfg.Lock.Client.Update(ctx, &lease)
	if err != nil {
		if apierrors.IsConflict(err) {
			e.log.Debug("lease changed under us; will retry", "err", err)
		} else {
			e.log.Error("failed to update lease", "err", err)
		}
		return err
	}
	e.setObserved(updated, now)
	return nil
}

// release gives up the lease we hold: empty holder, one-second duration, renewed now,
// so every standby sees it free at its next attempt. ctx may already be cancelled; the
// write gets its own RenewDeadline.
func (e *elector) release(ctx context.Context) {
	if !e.isLeader() {
		return
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.RenewDeadline)
	defer cancel()
	now := e.clock.Now()
	lease := *e.observed
	lease.Spec.HolderIdentity = ptr("")
	lease.Spec.LeaseDurationSeconds = ptr(int32(1))
	lease.Spec.AcquireTime = microTime(now)
	lease.Spec.RenewTime = microTime(now)
	updated, err := e.cfg.Lock.Client.Update(callCtx, &lease)
	if err != nil {
		e.log.Error("failed to release lease", "err", err)
		return
	}
	e.setObserved(updated, now)
	e.log.Info("released lease")
}

func (e *elector) setObserved(lease *coordination.Lease, now time.Time) {
	e.observed = lease
	e.observedTime = now
	if holder := deref(lease.Spec.HolderIdentity); holder != "" && holder != e.reportedLeader {
		e.reportedLeader = holder
		e.log.Info("new leader observed", "holder", holder)
		if e.cfg.Callbacks.OnNewLeader != nil {
			e.cfg.Callbacks.OnNewLeader(holder)
		}
	}
}

func (e *elector) isLeader() bool { return e.observedHolder() == e.cfg.Lock.Identity }

func (e *elector) observedHolder() string {
	if e.observed == nil {
		return ""
	}
	return deref(e.observed.Spec.HolderIdentity)
}

// leaseDuration is the holder's promise in the lease, or ours when it made none.
func (e *elector) leaseDuration(l *coordination.Lease) time.Duration {
	if d := l.Spec.LeaseDurationSeconds; d != nil && *d > 0 {
		return time.Duration(*d) * time.Second
	}
	return e.cfg.LeaseDuration
}

func seconds(d time.Duration) int32 {
	return int32((d + time.Second - 1) / time.Second)
}

func microTime(t time.Time) *meta.MicroTime {
	return &meta.MicroTime{Time: t.UTC().Truncate(time.Microsecond)}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
