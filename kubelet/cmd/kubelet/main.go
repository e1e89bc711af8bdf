// Command kubelet is Seven's node agent: it registers the node, heartbeats and runs the
// pods bound to it on containerd (or, with --runtime=fake, reports them Running without
// running anything: a hollow node). See docs/kubelet.md.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"seven.dev/api/client"
	"seven.dev/api/kubeconfig"
	apilogs "seven.dev/api/logs"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/containerdrt"
	"seven.dev/kubelet/pkg/fakeruntime"
	"seven.dev/kubelet/pkg/kubelet"
	"seven.dev/kubelet/pkg/logs"
	"seven.dev/kubelet/pkg/network"
	"seven.dev/kubelet/pkg/network/bridge"
)

type flags struct {
	hostname, nodeIP, endpoint, rootDir, preloadDir, infraImage, runtime, namespace, snapshotter string
	insecure, nodeLabels, mirrors                                                                []string
	port, healthzPort                                                                            int
	address, healthzAddr                                                                         string
	statusFreq, backoffBase                                                                      time.Duration
	v                                                                                            int
	toStderr                                                                                     bool
	logDir                                                                                       string
	networkPlugin, flannelFile, podCIDR, clusterDomain                                           string
	clusterDNS                                                                                   []string
	logMaxSize                                                                                   int64
	logMaxFiles                                                                                  int
	containerLogger                                                                              string
	imageGCHigh, imageGCLow                                                                      int
	imageMinAge                                                                                  time.Duration
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == logs.LoggerArg {
		// Started by containerd's shim as a container's log writer.
		if err := logs.RunLogger(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kubelet:", err)
		os.Exit(1)
	}
}

func run() error {
	var f flags
	kc := kubeconfig.DaemonFlags()
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	apilogs.NormalizeFlags(fs)
	kc.AddFlags(fs)
	fs.StringVar(&f.hostname, "hostname-override", "", "node name (default: the hostname)")
	fs.StringVar(&f.nodeIP, "node-ip", "", "the node's InternalIP (default: first global IPv4 address)")
	fs.StringVar(&f.endpoint, "container-runtime-endpoint", "unix:///run/containerd/containerd.sock", "containerd socket")
	fs.StringVar(&f.rootDir, "root-dir", "/var/lib/kubelet", "directory for pod logs and state")
	fs.StringVar(&f.preloadDir, "image-preload-dir", "", "import every .tar (docker-archive or OCI) in this directory at start")
	fs.StringVar(&f.infraImage, "pod-infra-container-image", "seven.dev/pause:latest", "the pod sandbox image")
	fs.StringSliceVar(&f.insecure, "insecure-registry", nil, "host:port of a plain-HTTP registry (repeatable)")
	fs.StringArrayVar(&f.mirrors, "registry-mirror", nil, "REGISTRY=URL: pull REGISTRY's images (docker.io; * for any other) from URL instead (repeatable; tried in order)")
	fs.StringSliceVar(&f.nodeLabels, "node-labels", nil, "extra node labels key=value,...")
	fs.StringVar(&f.runtime, "runtime", "containerd", "containerd or fake (a hollow node)")
	fs.StringVar(&f.namespace, "containerd-namespace", "", "containerd namespace (default: seven-<node name>)")
	fs.StringVar(&f.snapshotter, "snapshotter", "overlayfs", "containerd snapshotter")
	fs.IntVar(&f.port, "port", 10250, "port of the kubelet server (healthz, metrics)")
	fs.StringVar(&f.address, "address", "0.0.0.0", "address of the kubelet server")
	fs.IntVar(&f.healthzPort, "healthz-port", 10248, "port of /healthz on --healthz-bind-address; 0 disables")
	fs.StringVar(&f.healthzAddr, "healthz-bind-address", "127.0.0.1", "address of the healthz server")
	fs.DurationVar(&f.statusFreq, "node-status-update-frequency", 10*time.Second, "how often the node's status is written")
	fs.DurationVar(&f.backoffBase, "crashloop-backoff-base", 10*time.Second, "first CrashLoopBackOff delay (tests shorten it)")
	_ = fs.MarkHidden("crashloop-backoff-base")
	fs.StringVar(&f.networkPlugin, "network-plugin", "auto", "bridge (veth pairs into cni0), none (loopback only) or auto (bridge when there is a subnet file or --pod-cidr)")
	fs.StringVar(&f.flannelFile, "flannel-subnet-file", "/run/flannel/subnet.env", "flanneld's subnet.env")
	fs.StringVar(&f.podCIDR, "pod-cidr", "", "the node's pod range when there is no flannel (e.g. 10.244.1.0/24)")
	fs.StringSliceVar(&f.clusterDNS, "cluster-dns", nil, "nameservers of the pods' resolv.conf (default: the node's resolv.conf)")
	fs.StringVar(&f.clusterDomain, "cluster-domain", "", "the cluster's DNS domain (search paths)")
	fs.Int64Var(&f.logMaxSize, "container-log-max-size", 10<<20, "bytes of a container log file before it is rotated")
	fs.IntVar(&f.logMaxFiles, "container-log-max-files", 5, "log files kept per container, the current one included")
	fs.IntVar(&f.imageGCHigh, "image-gc-high-threshold", 85, "percent of the image file system in use above which unused images are removed")
	fs.IntVar(&f.imageGCLow, "image-gc-low-threshold", 80, "percent of the image file system in use that image garbage collection frees down to")
	fs.DurationVar(&f.imageMinAge, "minimum-image-ttl-duration", 2*time.Minute, "how long an unused image is kept at least before it may be removed")
	fs.StringVar(&f.containerLogger, "container-logger", "", "the program containerd's shim runs to write each container's log (default: "+loggerName+" next to the kubelet binary, else the kubelet binary itself)")
	fs.IntVar(&f.v, "v", 0, "log verbosity")
	fs.BoolVar(&f.toStderr, "logtostderr", true, "log to stderr")
	fs.StringVar(&f.logDir, "log-dir", "", "log directory when --logtostderr=false")
	// Seed flags accepted and ignored.
	fs.Bool("allow-privileged", true, "accepted for the seeds; privileged containers are always allowed")
	fs.String("config", "", "accepted for the seeds (static pods are not supported)")
	fs.Bool("register-node", true, "accepted for the seeds; the node always registers")
	for _, n := range []string{"allow-privileged", "config", "register-node"} {
		_ = fs.MarkHidden(n)
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	mirrors := map[string][]*url.URL{}
	for _, m := range f.mirrors {
		reg, u, err := containerdrt.ParseMirror(m)
		if err != nil {
			return fmt.Errorf("--registry-mirror: %w", err)
		}
		mirrors[reg] = append(mirrors[reg], u)
	}
	log, closeLog, err := apilogs.New("kubelet", f.v, f.toStderr, f.logDir)
	if err != nil {
		return err
	}
	defer closeLog()
	cfg, _, err := kc.ClientConfig()
	if err != nil {
		return err
	}
	c, err := client.New(cfg)
	if err != nil {
		return err
	}
	name := f.hostname
	if name == "" {
		if name, err = os.Hostname(); err != nil {
			return err
		}
	}
	name = strings.ToLower(name)
	labels := map[string]string{}
	for _, l := range f.nodeLabels {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return fmt.Errorf("--node-labels: %q is not key=value", l)
		}
		labels[k] = v
	}
	if f.imageGCHigh < 1 || f.imageGCHigh > 100 || f.imageGCLow < 1 || f.imageGCLow > f.imageGCHigh {
		return fmt.Errorf("--image-gc-low-threshold (%d) and --image-gc-high-threshold (%d) must satisfy 1 <= low <= high <= 100", f.imageGCLow, f.imageGCHigh)
	}
	if f.imageMinAge < 0 {
		return fmt.Errorf("--minimum-image-ttl-duration must not be negative")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	opts := kubelet.Options{
		NodeName: name, NodeIP: f.nodeIP, Labels: labels, RootDir: f.rootDir, PodInfraImage: f.infraImage,
		StatusUpdateFrequency: f.statusFreq, BackoffBase: f.backoffBase, Logger: log,
		ClusterDNS: f.clusterDNS, ClusterDomain: f.clusterDomain,
		ImageGCHighThresholdPercent: f.imageGCHigh, ImageGCLowThresholdPercent: f.imageGCLow, ImageMinimumGCAge: f.imageMinAge,
	}
	if f.imageMinAge == 0 {
		opts.ImageMinimumGCAge = -1 // no minimum (zero in Options is the default)
	}
	if f.healthzPort > 0 {
		opts.HealthzAddr = fmt.Sprintf("%s:%d", f.healthzAddr, f.healthzPort)
	}
	if f.port > 0 {
		opts.ServerAddr = fmt.Sprintf("%s:%d", f.address, f.port)
	}
	var rt container.Runtime
	switch f.runtime {
	case "fake":
		rt = fakeruntime.New()
		opts.Network = &network.Fake{Base: "10.250.0"}
		opts.ResyncInterval = -1
	case "containerd":
		ns := f.namespace
		if ns == "" {
			ns = "seven-" + name
		}
		logger, err := containerLogger(f.containerLogger, log)
		if err != nil {
			return err
		}
		crt, err := containerdrt.New(containerdrt.Options{Address: f.endpoint, Namespace: ns, Snapshotter: f.snapshotter,
			InsecureRegistries: f.insecure, Mirrors: mirrors, Logger: log, LogBinary: logger, LogMaxSize: f.logMaxSize, LogMaxFiles: f.logMaxFiles})
		if err != nil {
			return err
		}
		defer crt.Close()
		if f.preloadDir != "" {
			names, err := crt.ImportDir(ctx, f.preloadDir)
			if err != nil {
				return fmt.Errorf("--image-preload-dir: %w", err)
			}
			log.Info("preloaded images", "images", names)
		}
		rt = crt
		if opts.Network, err = podNetwork(&f, log); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--runtime: %q is neither containerd nor fake", f.runtime)
	}
	opts.Runtime = rt
	k, err := kubelet.New(c, opts)
	if err != nil {
		return err
	}
	log.Info("starting kubelet", "node", name, "runtime", f.runtime)
	return k.Run(ctx)
}

// podNetwork picks the pod network plugin per --network-plugin.
func podNetwork(f *flags, log *slog.Logger) (network.Plugin, error) {
	stateDir := filepath.Join(f.rootDir, "network")
	switch f.networkPlugin {
	case "none":
		return network.Loopback{}, nil
	case "auto", "bridge", "cni", "kubenet":
		if f.podCIDR != "" {
			cfg, err := bridge.FromPodCIDR(f.podCIDR)
			if err != nil {
				return nil, fmt.Errorf("--pod-cidr: %w", err)
			}
			return bridge.New(cfg, stateDir, log)
		}
		if _, err := os.Stat(f.flannelFile); err == nil || f.networkPlugin != "auto" {
			return bridge.NewFromFile(f.flannelFile, stateDir, log), nil
		}
		log.Warn("no pod network: no --pod-cidr and no flannel subnet file; pods get only loopback", "file", f.flannelFile)
		return network.Loopback{}, nil
	}
	return nil, fmt.Errorf("--network-plugin: %q is not bridge, none or auto", f.networkPlugin)
}

// loggerName is the small container log writer installed next to the kubelet.
const loggerName = "seven-container-logger"

// containerLogger is the absolute path of the program the shim runs as each container's log
// writer: flag when set; else seven-container-logger beside this binary; else this binary,
// which runs the same writer when started as `kubelet seven-container-log <spec>` but costs
// a larger process per container.
func containerLogger(flag string, log *slog.Logger) (string, error) {
	if flag != "" {
		p, err := filepath.Abs(flag)
		if err != nil {
			return "", err
		}
		if !isExecutable(p) {
			return "", fmt.Errorf("--container-logger %s: not an executable file", flag)
		}
		return p, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own binary (the container log writer): %w", err)
	}
	if p := filepath.Join(filepath.Dir(self), loggerName); isExecutable(p) {
		return p, nil
	}
	log.Warn("container log writer not found beside the kubelet; the kubelet binary writes the logs (a larger process per container)", "want", filepath.Join(filepath.Dir(self), loggerName))
	return self, nil
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
