package leaderelection

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// ResourceLockLeases is the only --leader-elect-resource-lock value: upstream dropped the
// endpoints and configmaps locks.
const ResourceLockLeases = "leases"

// FlagConfig holds upstream's --leader-elect-* flags.
type FlagConfig struct {
	LeaderElect       bool
	LeaseDuration     time.Duration
	RenewDeadline     time.Duration
	RetryPeriod       time.Duration
	ResourceLock      string
	ResourceName      string
	ResourceNamespace string
}

// AddFlags registers the --leader-elect-* flags on fs, bound to cfg. Defaults are
// upstream's (elect, 15s, 10s, 2s, leases in kube-system); a non-zero field already in cfg
// replaces its default, which is how a daemon names its lease (ResourceName:
// "kube-scheduler").
func AddFlags(fs *pflag.FlagSet, cfg *FlagConfig) {
	or := func(v, def time.Duration) time.Duration {
		if v != 0 {
			return v
		}
		return def
	}
	orString := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	fs.BoolVar(&cfg.LeaderElect, "leader-elect", true,
		"Start a leader election client and gain leadership before executing the main loop. Enable this when running replicated components for high availability.")
	fs.DurationVar(&cfg.LeaseDuration, "leader-elect-lease-duration", or(cfg.LeaseDuration, DefaultLeaseDuration),
		"The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership of a led but unrenewed leader slot. This is effectively the maximum duration that a leader can be stopped before it is replaced by another candidate. This is only applicable if leader election is enabled.")
	fs.DurationVar(&cfg.RenewDeadline, "leader-elect-renew-deadline", or(cfg.RenewDeadline, DefaultRenewDeadline),
		"The interval between attempts by the acting master to renew a leadership slot before it stops leading. This must be less than the lease duration. This is only applicable if leader election is enabled.")
	fs.DurationVar(&cfg.RetryPeriod, "leader-elect-retry-period", or(cfg.RetryPeriod, DefaultRetryPeriod),
		"The duration the clients should wait between attempting acquisition and renewal of a leadership. This is only applicable if leader election is enabled.")
	fs.StringVar(&cfg.ResourceLock, "leader-elect-resource-lock", orString(cfg.ResourceLock, ResourceLockLeases),
		"The type of resource object that is used for locking during leader election. Supported options are 'leases'.")
	fs.StringVar(&cfg.ResourceName, "leader-elect-resource-name", cfg.ResourceName,
		"The name of resource object that is used for locking during leader election.")
	fs.StringVar(&cfg.ResourceNamespace, "leader-elect-resource-namespace", orString(cfg.ResourceNamespace, DefaultNamespace),
		"The namespace of resource object that is used for locking during leader election.")
}

// Validate checks the flags as upstream does; it is a no-op when election is off.
func (f FlagConfig) Validate() error {
	if !f.LeaderElect {
		return nil
	}
	if f.ResourceLock != ResourceLockLeases {
		return fmt.Errorf("--leader-elect-resource-lock: unsupported value %q (supported: %q)", f.ResourceLock, ResourceLockLeases)
	}
	if f.ResourceName == "" || f.ResourceNamespace == "" {
		return fmt.Errorf("--leader-elect-resource-name and --leader-elect-resource-namespace must not be empty")
	}
	if err := validateDurations(f.LeaseDuration, f.RenewDeadline, f.RetryPeriod); err != nil {
		return fmt.Errorf("leader election flags: %w", err)
	}
	return nil
}

// Config turns the flags into a Config for Run; the caller adds ReleaseOnCancel, a clock
// or a logger as it sees fit.
func (f FlagConfig) Config(identity string, client LeaseClient, callbacks Callbacks) Config {
	return Config{
		Lock:          LeaseLock{Namespace: f.ResourceNamespace, Name: f.ResourceName, Identity: identity, Client: client},
		LeaseDuration: f.LeaseDuration,
		RenewDeadline: f.RenewDeadline,
		RetryPeriod:   f.RetryPeriod,
		Callbacks:     callbacks,
	}
}
