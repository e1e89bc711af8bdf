package server

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Options are kube-apiserver's flags.
type Options struct {
	InsecureBindAddress string
	InsecurePort        int
	SecurePort          int
	AdvertiseAddress    string

	EtcdServers  []string
	EtcdCAFile   string
	EtcdCertFile string
	EtcdKeyFile  string

	DataDir                string
	EmbeddedEtcdClientURL  string
	EmbeddedEtcdPeerURL    string
	EtcdCompactionInterval time.Duration
	WatchCacheSize         int
	ServiceClusterIPRange  string
	ServiceNodePortRange   string
	MaxRequestBodyBytes    int64
	RequestTimeout         time.Duration
	MinRequestTimeout      int
	ShutdownTimeout        time.Duration
	BookmarkInterval       time.Duration
	AllocationRepairPeriod time.Duration
	Verbosity              int
	LogToStderr            bool
	LogDir                 string
	AdmissionControl       []string
	AllowPrivileged        bool
	KubeletPort            int
	Profiling              bool
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{
		InsecureBindAddress:    "127.0.0.1",
		InsecurePort:           8080,
		SecurePort:             6443,
		DataDir:                "/var/lib/seven/etcd",
		EmbeddedEtcdClientURL:  "http://127.0.0.1:2379",
		EmbeddedEtcdPeerURL:    "http://127.0.0.1:2380",
		EtcdCompactionInterval: 5 * time.Minute,
		WatchCacheSize:         10000,
		ServiceClusterIPRange:  "10.254.0.0/16",
		ServiceNodePortRange:   "30000-32767",
		MaxRequestBodyBytes:    3 << 20,
		RequestTimeout:         60 * time.Second,
		MinRequestTimeout:      1800,
		ShutdownTimeout:        30 * time.Second,
		BookmarkInterval:       time.Minute,
		AllocationRepairPeriod: 3 * time.Minute,
		LogToStderr:            true,
		KubeletPort:            10250,
		Profiling:              true,
	}
}

// AddFlags registers the flags, with the old spellings the seeds use as aliases.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.InsecureBindAddress, "insecure-bind-address", o.InsecureBindAddress, "Address to serve the insecure (plain HTTP) port on.")
	fs.StringVar(&o.InsecureBindAddress, "address", o.InsecureBindAddress, "Deprecated alias of --insecure-bind-address.")
	fs.IntVar(&o.InsecurePort, "insecure-port", o.InsecurePort, "Plain HTTP port (0 disables it).")
	fs.IntVar(&o.InsecurePort, "port", o.InsecurePort, "Deprecated alias of --insecure-port.")
	fs.IntVar(&o.SecurePort, "secure-port", o.SecurePort, "HTTPS port advertised for the kubernetes Service.")
	fs.StringVar(&o.AdvertiseAddress, "advertise-address", o.AdvertiseAddress, "Address published in the kubernetes Endpoints (default: the bind address).")
	fs.StringSliceVar(&o.EtcdServers, "etcd-servers", o.EtcdServers, "External etcd endpoints, comma separated. Empty starts an embedded etcd in --data-dir.")
	fs.StringVar(&o.EtcdCAFile, "etcd-cafile", o.EtcdCAFile, "CA bundle for the etcd connection.")
	fs.StringVar(&o.EtcdCertFile, "etcd-certfile", o.EtcdCertFile, "Client certificate for etcd.")
	fs.StringVar(&o.EtcdKeyFile, "etcd-keyfile", o.EtcdKeyFile, "Client key for etcd.")
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir, "Directory of the embedded etcd.")
	fs.StringVar(&o.EmbeddedEtcdClientURL, "embedded-etcd-client-url", o.EmbeddedEtcdClientURL, "Client URL of the embedded etcd.")
	fs.StringVar(&o.EmbeddedEtcdPeerURL, "embedded-etcd-peer-url", o.EmbeddedEtcdPeerURL, "Peer URL of the embedded etcd.")
	fs.DurationVar(&o.EtcdCompactionInterval, "etcd-compaction-interval", o.EtcdCompactionInterval, "How often etcd history is compacted (0 disables).")
	fs.IntVar(&o.WatchCacheSize, "default-watch-cache-size", o.WatchCacheSize, "Events kept per resource for resuming watches.")
	fs.StringVar(&o.ServiceClusterIPRange, "service-cluster-ip-range", o.ServiceClusterIPRange, "CIDR Service ClusterIPs come from; the first address is the kubernetes Service's.")
	fs.StringVar(&o.ServiceNodePortRange, "service-node-port-range", o.ServiceNodePortRange, "Port range NodePorts come from (30000-32767 or 30000+2767).")
	fs.Int64Var(&o.MaxRequestBodyBytes, "max-resource-write-bytes", o.MaxRequestBodyBytes, "Largest request body accepted.")
	fs.DurationVar(&o.RequestTimeout, "request-timeout", o.RequestTimeout, "Timeout of non-watch requests.")
	fs.IntVar(&o.MinRequestTimeout, "min-request-timeout", o.MinRequestTimeout, "Minimum seconds a watch lasts before the server ends it (randomised up to twice that).")
	fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", o.ShutdownTimeout, "How long in-flight requests get on SIGTERM.")
	fs.DurationVar(&o.BookmarkInterval, "watch-bookmark-interval", o.BookmarkInterval, "How often watchers that asked for bookmarks get one.")
	fs.IntVar(&o.Verbosity, "v", o.Verbosity, "Log verbosity (0 info, 4+ debug).")
	fs.BoolVar(&o.LogToStderr, "logtostderr", o.LogToStderr, "Log to standard error (otherwise to --log-dir).")
	fs.StringVar(&o.LogDir, "log-dir", o.LogDir, "Directory for the log file when --logtostderr=false.")
	fs.StringSliceVar(&o.AdmissionControl, "admission-control", o.AdmissionControl, "Accepted for compatibility; namespace lifecycle is always enforced.")
	fs.StringSliceVar(&o.AdmissionControl, "enable-admission-plugins", o.AdmissionControl, "Accepted for compatibility; namespace lifecycle is always enforced.")
	fs.BoolVar(&o.AllowPrivileged, "allow-privileged", o.AllowPrivileged, "Accepted for compatibility.")
	fs.IntVar(&o.KubeletPort, "kubelet-port", o.KubeletPort, "Port kubelets serve logs and exec on.")
	fs.BoolVar(&o.Profiling, "profiling", o.Profiling, "Serve Go profiles at /debug/pprof/.")
	_ = fs.MarkHidden("address")
	_ = fs.MarkHidden("port")
}

// Validate checks the options before anything starts.
func (o *Options) Validate() error {
	if net.ParseIP(o.InsecureBindAddress) == nil {
		return fmt.Errorf("--insecure-bind-address %q is not an IP address", o.InsecureBindAddress)
	}
	if o.InsecurePort < 0 || o.InsecurePort > 65535 {
		return fmt.Errorf("--insecure-port %d is out of range", o.InsecurePort)
	}
	if _, _, err := net.ParseCIDR(o.ServiceClusterIPRange); err != nil {
		return fmt.Errorf("--service-cluster-ip-range %q: %v", o.ServiceClusterIPRange, err)
	}
	for i, s := range o.EtcdServers {
		o.EtcdServers[i] = strings.TrimSpace(s)
	}
	if o.MaxRequestBodyBytes <= 0 {
		return fmt.Errorf("--max-resource-write-bytes must be positive")
	}
	return nil
}
