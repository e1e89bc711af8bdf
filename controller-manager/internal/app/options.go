package app

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"seven.dev/api/kubeconfig"
	"seven.dev/api/leaderelection"
)

// Options are kube-controller-manager's settings, filled from its flags.
type Options struct {
	Server      *kubeconfig.Flags
	Election    leaderelection.FlagConfig
	Controllers []string

	BindAddress string
	SecurePort  int
	// Address and Port are the deprecated insecure-serving flags; when Port is set it wins.
	Address string
	Port    int

	NodeMonitorGracePeriod time.Duration
	NodeMonitorPeriod      time.Duration
	PodEvictionTimeout     time.Duration
	// ResourceQuotaSyncPeriod is how often every quota's usage is recomputed without events.
	ResourceQuotaSyncPeriod time.Duration

	ConcurrentRCSyncs         int
	ConcurrentRSSyncs         int
	ConcurrentDeploymentSyncs int
	ConcurrentEndpointSyncs   int
	ConcurrentGCSyncs         int
	ConcurrentNamespaceSyncs  int
	ConcurrentDaemonSetSyncs  int
	ConcurrentJobSyncs        int
	ConcurrentSASyncs         int
	ConcurrentQuotaSyncs      int

	Verbosity   int
	LogToStderr bool
	LogDir      string
	// Identity overrides the leader-election identity (default hostname_random).
	Identity string
}

// NewOptions returns upstream's defaults.
func NewOptions() *Options {
	return &Options{
		Server:                    kubeconfig.DaemonFlags(),
		Election:                  leaderelection.FlagConfig{ResourceName: "kube-controller-manager"},
		Controllers:               []string{"*"},
		BindAddress:               "0.0.0.0",
		SecurePort:                10257,
		NodeMonitorGracePeriod:    40 * time.Second,
		NodeMonitorPeriod:         5 * time.Second,
		PodEvictionTimeout:        5 * time.Minute,
		ResourceQuotaSyncPeriod:   5 * time.Minute,
		ConcurrentRCSyncs:         5,
		ConcurrentRSSyncs:         5,
		ConcurrentDeploymentSyncs: 5,
		ConcurrentEndpointSyncs:   5,
		ConcurrentGCSyncs:         20,
		ConcurrentNamespaceSyncs:  10,
		ConcurrentDaemonSetSyncs:  2,
		ConcurrentJobSyncs:        5,
		ConcurrentSASyncs:         5,
		ConcurrentQuotaSyncs:      5,
		LogToStderr:               true,
	}
}

// AddFlags registers the flags on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Server.AddFlags(fs)
	leaderelection.AddFlags(fs, &o.Election)
	fs.StringSliceVar(&o.Controllers, "controllers", o.Controllers, "Controllers to enable: '*' for all, 'foo' to enable foo, '-foo' to disable foo. Known: "+strings.Join(KnownControllers(), ", "))
	fs.StringVar(&o.BindAddress, "bind-address", o.BindAddress, "Address to serve /healthz and /metrics on.")
	fs.IntVar(&o.SecurePort, "secure-port", o.SecurePort, "Port to serve /healthz and /metrics on (plain HTTP in Seven); 0 disables.")
	fs.StringVar(&o.Address, "address", "", "Deprecated: insecure bind address; use --bind-address.")
	fs.IntVar(&o.Port, "port", 0, "Deprecated: insecure port; when set it replaces --secure-port.")
	fs.DurationVar(&o.NodeMonitorGracePeriod, "node-monitor-grace-period", o.NodeMonitorGracePeriod, "How long a node may stay silent before it is marked Unknown.")
	fs.DurationVar(&o.NodeMonitorPeriod, "node-monitor-period", o.NodeMonitorPeriod, "How often node health is checked.")
	fs.DurationVar(&o.PodEvictionTimeout, "pod-eviction-timeout", o.PodEvictionTimeout, "How long pods stay on an unreachable node before they are deleted.")
	fs.DurationVar(&o.ResourceQuotaSyncPeriod, "resource-quota-sync-period", o.ResourceQuotaSyncPeriod, "How often quota usage is recomputed even without changes.")
	for _, c := range []struct {
		p    *int
		name string
	}{
		{&o.ConcurrentRCSyncs, "concurrent-rc-syncs"}, {&o.ConcurrentRSSyncs, "concurrent-replicaset-syncs"},
		{&o.ConcurrentDeploymentSyncs, "concurrent-deployment-syncs"}, {&o.ConcurrentEndpointSyncs, "concurrent-endpoint-syncs"},
		{&o.ConcurrentGCSyncs, "concurrent-gc-syncs"}, {&o.ConcurrentNamespaceSyncs, "concurrent-namespace-syncs"},
		{&o.ConcurrentDaemonSetSyncs, "concurrent-daemonset-syncs"}, {&o.ConcurrentJobSyncs, "concurrent-job-syncs"},
		{&o.ConcurrentSASyncs, "concurrent-serviceaccount-token-syncs"}, {&o.ConcurrentQuotaSyncs, "concurrent-resource-quota-syncs"},
	} {
		fs.IntVar(c.p, c.name, *c.p, "Objects of this kind synced concurrently.")
	}
	fs.IntVarP(&o.Verbosity, "v", "v", 0, "Log verbosity; 4 and above logs debug lines.")
	fs.BoolVar(&o.LogToStderr, "logtostderr", o.LogToStderr, "Log to stderr instead of files.")
	fs.StringVar(&o.LogDir, "log-dir", "", "Directory for log files when --logtostderr=false.")
	fs.StringVar(&o.Identity, "leader-elect-identity", "", "Leader election identity (default <hostname>_<random>).")
	_ = fs.MarkHidden("address")
	_ = fs.MarkHidden("port")
}

// Validate checks the options.
func (o *Options) Validate() error {
	for _, c := range o.Controllers {
		n := strings.TrimPrefix(c, "-")
		if n != "*" && !slices.Contains(KnownControllers(), n) {
			return fmt.Errorf("--controllers: unknown controller %q", c)
		}
	}
	if o.NodeMonitorGracePeriod <= 0 || o.PodEvictionTimeout < 0 {
		return fmt.Errorf("--node-monitor-grace-period must be positive and --pod-eviction-timeout not negative")
	}
	if o.Election.LeaderElect {
		return o.Election.Validate()
	}
	return nil
}

// Enabled reports whether controller name runs under --controllers, upstream's rules:
// "-name" disables, "name" enables, "*" enables every controller not disabled.
func (o *Options) Enabled(name string) bool {
	star := false
	for _, c := range o.Controllers {
		switch c {
		case name:
			return true
		case "-" + name:
			return false
		case "*":
			star = true
		}
	}
	return star
}

// ServingAddress is where /healthz and /metrics listen, "" for nowhere.
func (o *Options) ServingAddress() string {
	host, port := o.BindAddress, o.SecurePort
	if o.Port != 0 {
		port = o.Port
		if o.Address != "" {
			host = o.Address
		}
	}
	if port <= 0 {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
