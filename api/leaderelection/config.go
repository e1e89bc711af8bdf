package leaderelection

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"seven.dev/api/coordination"
)

// Upstream's defaults for kube-scheduler and kube-controller-manager.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
	// DefaultNamespace is where the daemons' leases live.
	DefaultNamespace = "kube-system"
	// jitterFactor spreads the candidates' acquisition attempts over
	// [RetryPeriod, (1+jitterFactor)*RetryPeriod), as upstream's.
	jitterFactor = 1.2
)

// ErrLeaderLost is returned by Run when the leader could not renew its lease in time or
// found it taken by another candidate.
var ErrLeaderLost = errors.New("leader election lost")

// LeaseClient reads and writes Lease objects; LeaseClientFor adapts the REST client.
// Update must send the lease's resourceVersion and fail with a Conflict when it is stale.
type LeaseClient interface {
	Get(ctx context.Context, namespace, name string) (*coordination.Lease, error)
	Create(ctx context.Context, lease *coordination.Lease) (*coordination.Lease, error)
	Update(ctx context.Context, lease *coordination.Lease) (*coordination.Lease, error)
}

// LeaseLock names the lease and who is competing for it.
type LeaseLock struct {
	Namespace string
	Name      string
	// Identity is this candidate's unique name, written to spec.holderIdentity; upstream
	// uses "<hostname>_<uuid>".
	Identity string
	Client   LeaseClient
}

// Callbacks are the hooks Run calls. They are called from Run's goroutine, except
// OnStartedLeading which gets its own.
type Callbacks struct {
	// OnStartedLeading runs the leader's work; ctx is cancelled when leadership ends, and
	// the function must then return promptly: Run waits for it before releasing the lease.
	// Required.
	OnStartedLeading func(ctx context.Context)
	// OnStoppedLeading is called once after leading ended (lost or shut down), after
	// OnStartedLeading returned. It is not called if this candidate never led. Optional.
	OnStoppedLeading func()
	// OnNewLeader is called when a different holder is observed, including this candidate.
	// It must not block. Optional.
	OnNewLeader func(identity string)
}

// Clock is the time source of an election; tests pass a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Config configures Run. Zero durations take the defaults.
type Config struct {
	Lock LeaseLock
	// LeaseDuration is how long standbys wait, after they last saw the lease change, before
	// taking it over.
	LeaseDuration time.Duration
	// RenewDeadline is how long the leader keeps trying to renew before giving up; it must
	// be shorter than LeaseDuration.
	RenewDeadline time.Duration
	// RetryPeriod is the interval between attempts to acquire or renew.
	RetryPeriod time.Duration
	// ReleaseOnCancel gives the lease up when ctx is cancelled, so a standby need not wait
	// for it to expire. Only safe when the leader's work has stopped by then, which Run
	// ensures by waiting for OnStartedLeading to return.
	ReleaseOnCancel bool
	Callbacks       Callbacks
	// Clock defaults to the wall clock.
	Clock Clock
	// Logger defaults to discarding.
	Logger *slog.Logger
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.LeaseDuration == 0 {
		c.LeaseDuration = DefaultLeaseDuration
	}
	if c.RenewDeadline == 0 {
		c.RenewDeadline = DefaultRenewDeadline
	}
	if c.RetryPeriod == 0 {
		c.RetryPeriod = DefaultRetryPeriod
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if err := validateDurations(c.LeaseDuration, c.RenewDeadline, c.RetryPeriod); err != nil {
		return c, err
	}
	switch {
	case c.Lock.Name == "" || c.Lock.Namespace == "":
		return c, errors.New("leader election: lease namespace and name are required")
	case c.Lock.Identity == "":
		return c, errors.New("leader election: identity is required")
	case c.Lock.Client == nil:
		return c, errors.New("leader election: lease client is required")
	case c.Callbacks.OnStartedLeading == nil:
		return c, errors.New("leader election: OnStartedLeading is required")
	}
	return c, nil
}

// validateDurations applies upstream's checks (and messages) to the three durations.
func validateDurations(lease, renew, retry time.Duration) error {
	switch {
	case lease <= renew:
		return fmt.Errorf("leaseDuration must be greater than renewDeadline")
	case renew <= time.Duration(jitterFactor*float64(retry)):
		return fmt.Errorf("renewDeadline must be greater than retryPeriod*JitterFactor")
	case lease < 1:
		return fmt.Errorf("leaseDuration must be greater than zero")
	case renew < 1:
		return fmt.Errorf("renewDeadline must be greater than zero")
	case retry < 1:
		return fmt.Errorf("retryPeriod must be greater than zero")
	}
	return nil
}
