package kubelet

import (
	"log/slog"
	"time"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/network"
)

// Version is what the kubelet reports as nodeInfo.kubeletVersion.
const Version = "v1.32.0-seven"

// Options configure a Kubelet. Zero fields take the defaults noted.
type Options struct {
	// NodeName is the Node's name (--hostname-override, else the hostname).
	NodeName string
	// NodeIP is the node's InternalIP (--node-ip); empty means the first non-loopback
	// address of the machine.
	NodeIP string
	// Labels are added to the node's well-known labels (--node-labels).
	Labels map[string]string
	// RootDir keeps the pods' log files (--root-dir); default /var/lib/kubelet.
	RootDir string
	// PodInfraImage is the sandbox image (--pod-infra-container-image).
	PodInfraImage string
	// Runtime runs the containers; required.
	Runtime container.Runtime
	// Network sets up pod networks; default network.Loopback.
	Network network.Plugin
	// StatusUpdateFrequency is how often the node's status is written; default 10 s.
	StatusUpdateFrequency time.Duration
	// LeaseRenewInterval is how often the node's Lease is renewed; default 10 s.
	LeaseRenewInterval time.Duration
	// LeaseDuration is the Lease's leaseDurationSeconds; default 40 s.
	LeaseDuration time.Duration
	// BackoffBase and BackoffMax bound the CrashLoopBackOff and ImagePullBackOff delays;
	// defaults 10 s and 5 min (upstream's).
	BackoffBase, BackoffMax time.Duration
	// ResyncInterval is how often a pod worker re-syncs without news; default 10 s,
	// negative means never (hollow nodes: nothing changes without news).
	ResyncInterval time.Duration
	// HousekeepingInterval is how often networks and volumes of pods that are gone are
	// garbage-collected; default 30 s, negative means only at start.
	HousekeepingInterval time.Duration
	// ImageGCHighThresholdPercent and ImageGCLowThresholdPercent: above the high share of
	// the image file system in use, unused images are removed down to the low share
	// (--image-gc-high-threshold, --image-gc-low-threshold); defaults 85 and 80.
	ImageGCHighThresholdPercent, ImageGCLowThresholdPercent int
	// ImageMinimumGCAge is how long an image is kept at least after it was first seen
	// (--minimum-image-ttl-duration); default 2 min, negative for no minimum.
	ImageMinimumGCAge time.Duration
	// ImageGCPeriod is how often image garbage collection runs; default 5 min, negative
	// turns it off. It runs only on runtimes that implement container.ImageService.
	ImageGCPeriod time.Duration
	// Capacity, when set, replaces the machine's measured capacity (hollow nodes).
	Capacity core.ResourceList
	// NoServiceEnv skips the service informer and the <SVC>_SERVICE_HOST variables
	// (hollow nodes do not start containers, so they need no environment).
	NoServiceEnv bool
	// NoVolumes skips volumes and the pods' hosts and resolv.conf files (hollow nodes run
	// nothing that would read them).
	NoVolumes bool
	// NoEvents turns off event recording (hollow nodes at scale).
	NoEvents bool
	// HealthzAddr serves /healthz (e.g. "127.0.0.1:10248"); empty serves nothing.
	HealthzAddr string
	// ServerAddr serves the kubelet API (e.g. ":10250"): /healthz, /metrics, /pods,
	// /containerLogs, /exec, /stats/summary; empty serves nothing. Its port is reported as
	// the node's daemonEndpoints.kubeletEndpoint.
	ServerAddr string
	// ClusterDNS are the nameservers of pods' resolv.conf (--cluster-dns); empty copies
	// the node's.
	ClusterDNS []string
	// ClusterDomain is the cluster's DNS domain (--cluster-domain), for search paths.
	ClusterDomain string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.RootDir == "" {
		o.RootDir = "/var/lib/kubelet"
	}
	if o.PodInfraImage == "" {
		o.PodInfraImage = "seven.dev/pause:latest"
	}
	if o.Network == nil {
		o.Network = network.Loopback{}
	}
	if o.StatusUpdateFrequency <= 0 {
		o.StatusUpdateFrequency = 10 * time.Second
	}
	if o.LeaseRenewInterval <= 0 {
		o.LeaseRenewInterval = 10 * time.Second
	}
	if o.LeaseDuration <= 0 {
		o.LeaseDuration = 40 * time.Second
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 10 * time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Minute
	}
	if o.HousekeepingInterval == 0 {
		o.HousekeepingInterval = 30 * time.Second
	}
	if o.ResyncInterval == 0 {
		o.ResyncInterval = 10 * time.Second
	}
	if o.ImageGCHighThresholdPercent <= 0 {
		o.ImageGCHighThresholdPercent = 85
	}
	if o.ImageGCLowThresholdPercent <= 0 {
		o.ImageGCLowThresholdPercent = 80
	}
	if o.ImageMinimumGCAge == 0 {
		o.ImageMinimumGCAge = 2 * time.Minute
	}
	if o.ImageGCPeriod == 0 {
		o.ImageGCPeriod = 5 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}
