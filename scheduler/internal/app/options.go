package app

import (
	"fmt"

	"github.com/spf13/pflag"

	"seven.dev/api/core"
	"seven.dev/api/kubeconfig"
	"seven.dev/api/leaderelection"
)

// DefaultSecurePort is kube-scheduler's port (plain HTTP in Seven until TLS lands).
const DefaultSecurePort = 10259

// Options are kube-scheduler's command-line settings.
type Options struct {
	Kubeconfig     *kubeconfig.Flags
	LeaderElection leaderelection.FlagConfig
	// ReleaseOnCancel gives the lease up on a clean shutdown so a standby takes over at once.
	// Not a flag; tests turn it off to simulate a crash.
	ReleaseOnCancel bool

	SchedulerName string
	BindAddress   string
	SecurePort    int
	// Address and Port are upstream's removed insecure-serving flags, accepted so old unit
	// files work: when set they replace BindAddress and SecurePort.
	Address string
	Port    int

	KubeAPIQPS               float32
	KubeAPIBurst             int
	PercentageOfNodesToScore int
	Seed                     int64
	Parallelism              int

	// Profiling serves net/http/pprof under /debug/pprof/ (upstream's --profiling).
	Profiling bool

	Verbosity   int
	LogToStderr bool
	LogDir      string
}

// NewOptions returns upstream's defaults.
func NewOptions() *Options {
	return &Options{
		Kubeconfig: kubeconfig.DaemonFlags(),
		LeaderElection: leaderelection.FlagConfig{
			LeaderElect:       true,
			LeaseDuration:     leaderelection.DefaultLeaseDuration,
			RenewDeadline:     leaderelection.DefaultRenewDeadline,
			RetryPeriod:       leaderelection.DefaultRetryPeriod,
			ResourceLock:      leaderelection.ResourceLockLeases,
			ResourceName:      "kube-scheduler",
			ResourceNamespace: leaderelection.DefaultNamespace,
		},
		ReleaseOnCancel: true,
		SchedulerName:   core.DefaultSchedulerName,
		BindAddress:     "0.0.0.0",
		SecurePort:      DefaultSecurePort,
		KubeAPIQPS:      50,
		KubeAPIBurst:    100,
		LogToStderr:     true,
		Profiling:       true,
		Parallelism:     512,
	}
}

// AddFlags registers the flags on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Kubeconfig.AddFlags(fs)
	leaderelection.AddFlags(fs, &o.LeaderElection)
	fs.StringVar(&o.SchedulerName, "scheduler-name", o.SchedulerName, "Name of the scheduler: it places the pods whose spec.schedulerName is this.")
	fs.StringVar(&o.BindAddress, "bind-address", o.BindAddress, "Address to serve /healthz and /metrics on.")
	fs.IntVar(&o.SecurePort, "secure-port", o.SecurePort, "Port to serve /healthz and /metrics on (plain HTTP for now); 0 disables serving.")
	fs.StringVar(&o.Address, "address", "", "DEPRECATED: the address to serve on; use --bind-address.")
	fs.IntVar(&o.Port, "port", 0, "DEPRECATED: the port to serve on; use --secure-port.")
	_ = fs.MarkDeprecated("address", "use --bind-address")
	_ = fs.MarkDeprecated("port", "use --secure-port")
	fs.Float32Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS, "QPS to use while talking with the API server.")
	fs.IntVar(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst, "Burst to use while talking with the API server.")
	fs.IntVar(&o.PercentageOfNodesToScore, "percentage-of-nodes-to-score", 0, "Percentage of nodes to look for feasible ones among before scoring (at least 100 nodes); 0 is upstream's adaptive default, 100 all nodes.")
	fs.IntVar(&o.Parallelism, "parallelism", o.Parallelism, "API writes (bindings, pod status) in flight at once.")
	fs.BoolVar(&o.Profiling, "profiling", o.Profiling, "Serve profiling via web interface host:port/debug/pprof/.")
	fs.Int64Var(&o.Seed, "seed", 0, "Seed of the tie-breaking random source, to replay decisions; 0 picks one from the clock.")
	_ = fs.MarkHidden("seed")
	// The seeds' /etc/kubernetes/config sets KUBE_ALLOW_PRIV for every daemon; accept it.
	var allowPrivileged bool
	fs.BoolVar(&allowPrivileged, "allow-privileged", false, "Ignored; accepted for compatibility with existing unit files.")
	_ = fs.MarkHidden("allow-privileged")
	fs.IntVar(&o.Verbosity, "v", o.Verbosity, "Log verbosity; 4 and above logs debug lines.")
	fs.BoolVar(&o.LogToStderr, "logtostderr", o.LogToStderr, "Log to standard error instead of files.")
	fs.StringVar(&o.LogDir, "log-dir", "", "Directory of the log file when --logtostderr=false.")
}

// Validate checks the options.
func (o *Options) Validate() error {
	if err := o.LeaderElection.Validate(); err != nil {
		return err
	}
	if o.SchedulerName == "" {
		return fmt.Errorf("--scheduler-name must not be empty")
	}
	if o.PercentageOfNodesToScore < 0 || o.PercentageOfNodesToScore > 100 {
		return fmt.Errorf("--percentage-of-nodes-to-score must be in 0-100, got %d", o.PercentageOfNodesToScore)
	}
	return nil
}

// serveAddress is where /healthz and /metrics are served ("" for nowhere).
func (o *Options) serveAddress() string {
	addr, port := o.BindAddress, o.SecurePort
	if o.Address != "" {
		addr = o.Address
	}
	if o.Port != 0 {
		port = o.Port
	}
	if port <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d", addr, port)
}
