package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// Config describes a cluster to start. The zero value of every field but Dir and Bin has a
// default (see withDefaults); two clusters on one machine need distinct Prefix, Subnet and
// Dir, and distinct ports when both bind the API to 0.0.0.0.
type Config struct {
	// Nodes is how many node namespaces to start (default 2, at most 200).
	Nodes int
	// Dir holds the state file, logs/, data and the node directories (required).
	Dir string
	// Bin is the directory with the built binaries (required): kube-apiserver is needed,
	// every other daemon is started when present and reported in Cluster.Unavailable if not.
	Bin string
	// Prefix names everything the cluster creates: the bridge (<prefix>0), the node
	// namespaces (<prefix>-node-<i>) and their host-side veths (<prefix>-v<i>). Default "seven";
	// lower-case letters, digits and dashes, at most 8 characters (link names are short).
	Prefix string
	// Bridge overrides the underlay bridge's name (default <prefix>0).
	Bridge string
	// Subnet is k in the underlay 10.250.<k>.0/24: the bridge is .1, node i is .1<i> (.11, .12, ...).
	Subnet int
	// APIBindAddress is kube-apiserver's --insecure-bind-address. Empty binds the bridge
	// address only; "0.0.0.0" also serves 127.0.0.1 (and every other interface: the insecure
	// port has no authentication, so only do that on a machine you trust).
	APIBindAddress string
	// APIPort is the insecure API port (default 8080).
	APIPort int
	// EtcdClientPort and EtcdPeerPort are the embedded etcd's ports on the bridge address
	// (default 2379 and 2380); flanneld in the node namespaces reaches etcd there.
	EtcdClientPort, EtcdPeerPort int
	// SchedulerPort and ControllerManagerPort serve their /healthz on the bridge address
	// (default 10259 and 10257).
	SchedulerPort, ControllerManagerPort int
	// PodNetwork is flannel's Network (default 172.16.0.0/16, a /24 per node).
	PodNetwork string
	// ServiceRange is --service-cluster-ip-range (default 10.254.0.0/16).
	ServiceRange string
	// ImageDir holds the image tarballs (deploy/build-images.sh): every kubelet imports
	// them at start (--image-preload-dir), and a registry on the bridge address serves them
	// as every registry's mirror (--registry-mirror=*=...), so pulls never leave the machine.
	ImageDir string
	// RegistryPort is that registry's port (default 5000).
	RegistryPort int
	// Kubeconfig is where the kubeconfig is written (default <Dir>/kubeconfig).
	Kubeconfig string
	// ExtraArgs adds flags per daemon, by binary name (e.g. "kube-controller-manager":
	// {"--node-monitor-grace-period=10s"}), for scenarios that need them.
	ExtraArgs map[string][]string
	// EarlyExit is how long a daemon must survive after start to count as running (default 3s).
	EarlyExit time.Duration
	// StopGrace is how long Down waits after SIGTERM before SIGKILL (default 10s).
	StopGrace time.Duration
	// Logf reports progress (default: silent).
	Logf func(format string, args ...any)
}

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,7}$`)

// withDefaults returns c with every zero field defaulted, or an error naming the bad field.
func (c Config) withDefaults() (Config, error) {
	if c.Dir == "" || c.Bin == "" {
		return c, errors.New("cluster config: Dir and Bin are required")
	}
	var err error
	if c.Dir, err = filepath.Abs(c.Dir); err != nil {
		return c, err
	}
	if c.Bin, err = filepath.Abs(c.Bin); err != nil {
		return c, err
	}
	if c.Nodes == 0 {
		c.Nodes = 2
	}
	if c.Nodes < 0 || c.Nodes > 200 {
		return c, fmt.Errorf("cluster config: Nodes %d is not in 1..200", c.Nodes)
	}
	if c.Prefix == "" {
		c.Prefix = "seven"
	}
	if !prefixRE.MatchString(c.Prefix) {
		return c, fmt.Errorf("cluster config: Prefix %q must match %s", c.Prefix, prefixRE)
	}
	if c.Bridge == "" {
		c.Bridge = c.Prefix + "0"
	}
	if len(c.Bridge) > 15 {
		return c, fmt.Errorf("cluster config: bridge name %q is longer than 15 characters", c.Bridge)
	}
	if c.Subnet < 0 || c.Subnet > 255 {
		return c, fmt.Errorf("cluster config: Subnet %d is not in 0..255", c.Subnet)
	}
	if c.APIBindAddress == "" {
		c.APIBindAddress = c.HostIP()
	}
	if a, err := netip.ParseAddr(c.APIBindAddress); err != nil || a.IsLoopback() {
		return c, fmt.Errorf("cluster config: APIBindAddress %q must be 0.0.0.0 or an address the nodes reach", c.APIBindAddress)
	}
	defInt(&c.APIPort, 8080)
	defInt(&c.EtcdClientPort, 2379)
	defInt(&c.EtcdPeerPort, 2380)
	defInt(&c.SchedulerPort, 10259)
	defInt(&c.ControllerManagerPort, 10257)
	defInt(&c.RegistryPort, 5000)
	if c.PodNetwork == "" {
		c.PodNetwork = "172.16.0.0/16"
	}
	if c.ServiceRange == "" {
		c.ServiceRange = "10.254.0.0/16"
	}
	if c.Kubeconfig == "" {
		c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	}
	if c.Kubeconfig, err = filepath.Abs(c.Kubeconfig); err != nil {
		return c, err
	}
	if c.ImageDir != "" {
		if c.ImageDir, err = filepath.Abs(c.ImageDir); err != nil {
			return c, err
		}
	}
	if c.EarlyExit == 0 {
		c.EarlyExit = 3 * time.Second
	}
	if c.StopGrace == 0 {
		c.StopGrace = 10 * time.Second
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c, nil
}

func defInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

// RegistryURL is the image registry's URL, on the bridge address.
func (c Config) RegistryURL() string {
	return "http://" + net.JoinHostPort(c.HostIP(), strconv.Itoa(c.RegistryPort))
}

// HostIP is the bridge's address in the root namespace: 10.250.<Subnet>.1.
func (c Config) HostIP() string { return "10.250." + strconv.Itoa(c.Subnet) + ".1" }

// NodeIP is node i's (1-based) underlay address: 10.250.<Subnet>.<10+i>.
func (c Config) NodeIP(i int) string {
	return "10.250." + strconv.Itoa(c.Subnet) + "." + strconv.Itoa(10+i)
}

// NodeName is node i's name in the API.
func (c Config) NodeName(i int) string { return "node-" + strconv.Itoa(i) }

// Netns is node i's network namespace.
func (c Config) Netns(i int) string { return c.Prefix + "-node-" + strconv.Itoa(i) }

// HostVeth is the root-namespace end of node i's veth, enslaved to the bridge. The node's end
// is called eth0 inside its namespace.
func (c Config) HostVeth(i int) string { return c.Prefix + "-v" + strconv.Itoa(i) }

// APIURL is the URL clients in the root namespace use (127.0.0.1 when bound to 0.0.0.0).
func (c Config) APIURL() string {
	host := c.APIBindAddress
	if host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return "http://" + host + ":" + strconv.Itoa(c.APIPort)
}

// NodeAPIURL is the URL the nodes' daemons use: the bridge address.
func (c Config) NodeAPIURL() string {
	return "http://" + c.HostIP() + ":" + strconv.Itoa(c.APIPort)
}

// EtcdURL is the embedded etcd's client URL, on the bridge address.
func (c Config) EtcdURL() string {
	return "http://" + c.HostIP() + ":" + strconv.Itoa(c.EtcdClientPort)
}

// NodeDir is node i's directory: subnet.env, kubelet root dir.
func (c Config) NodeDir(i int) string { return filepath.Join(c.Dir, "nodes", c.NodeName(i)) }

// LogDir is where every daemon's log goes: logs/<daemon>.log for the control plane,
// logs/<node>/<daemon>.log for the nodes.
func (c Config) LogDir() string { return filepath.Join(c.Dir, "logs") }

func (c Config) statePath() string { return filepath.Join(c.Dir, "state.json") }

func (c Config) containerdDir() string { return filepath.Join(c.Dir, "containerd") }

// ContainerdSocket is the cluster's own containerd's address, shared by its kubelets.
func (c Config) ContainerdSocket() string { return filepath.Join(c.containerdDir(), "containerd.sock") }
