package cluster

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// The daemons' command lines, as pure functions of the config (and, for flags a daemon may
// not have yet, of the flags its --help lists), so they are tested without starting anything.

// flagSet is the set of flag names a binary's --help mentions.
type flagSet map[string]bool

var helpFlagRE = regexp.MustCompile(`(?:^|[\s,])--?([a-zA-Z][a-zA-Z0-9_-]*)`)

// helpFlags runs bin --help and collects the flag names it prints (pflag and flag both
// print to stderr and may exit non-zero; only the text matters).
func helpFlags(bin string) flagSet {
	out, _ := exec.Command(bin, "--help").CombinedOutput()
	fs := flagSet{}
	for _, m := range helpFlagRE.FindAllStringSubmatch(string(out), -1) {
		fs[m[1]] = true
	}
	return fs
}

// optional appends --name=value to args when the daemon knows the flag: the launcher runs
// with daemons still being written, and an unknown flag would make one exit at once.
func (fs flagSet) optional(args []string, name, value string) []string {
	if fs[name] {
		return append(args, "--"+name+"="+value)
	}
	return args
}

func apiserverArgs(cfg Config) []string {
	return []string{
		"--data-dir=" + filepath.Join(cfg.Dir, "etcd"),
		"--insecure-bind-address=" + cfg.APIBindAddress,
		"--port=" + strconv.Itoa(cfg.APIPort),
		"--embedded-etcd-client-url=" + cfg.EtcdURL(),
		// The peer URL is on the bridge address too, not etcd's 127.0.0.1:2380, so the cluster
		// starts beside a stock kube-apiserver on the same machine.
		"--embedded-etcd-peer-url=http://" + cfg.HostIP() + ":" + strconv.Itoa(cfg.EtcdPeerPort),
		"--service-cluster-ip-range=" + cfg.ServiceRange,
		"--shutdown-timeout=5s",
		"--logtostderr=true",
	}
}

func schedulerArgs(cfg Config, fs flagSet) []string {
	args := []string{"--master=" + cfg.NodeAPIURL(), "--leader-elect=true", "--logtostderr=true"}
	args = fs.optional(args, "bind-address", cfg.HostIP())
	return fs.optional(args, "secure-port", strconv.Itoa(cfg.SchedulerPort))
}

func controllerManagerArgs(cfg Config, fs flagSet) []string {
	args := []string{"--master=" + cfg.NodeAPIURL(), "--leader-elect=true", "--logtostderr=true"}
	args = fs.optional(args, "bind-address", cfg.HostIP())
	return fs.optional(args, "secure-port", strconv.Itoa(cfg.ControllerManagerPort))
}

// SubnetFile is where node i's flanneld writes its subnet.env.
func (c Config) SubnetFile(i int) string { return filepath.Join(c.NodeDir(i), "subnet.env") }

func flanneldArgs(cfg Config, i int) []string {
	return []string{
		"-etcd-endpoints=" + cfg.EtcdURL(),
		"-iface=eth0",
		"-ip-masq",
		"-subnet-file=" + cfg.SubnetFile(i),
		"-healthz-addr=127.0.0.1:8285",
		"--logtostderr=true",
	}
}

// kubeletArgs: one containerd is shared by every node, each kubelet in its own containerd
// namespace. imageDir is passed when it holds images; registry, when not empty, is every
// registry's mirror.
func kubeletArgs(cfg Config, i int, fs flagSet, imageDir, registry string) []string {
	args := []string{
		"--api-servers=" + cfg.NodeAPIURL(),
		"--hostname-override=" + cfg.NodeName(i),
		"--node-ip=" + cfg.NodeIP(i),
		"--root-dir=" + filepath.Join(cfg.NodeDir(i), "kubelet"),
		"--container-runtime-endpoint=unix://" + cfg.ContainerdSocket(),
		"--logtostderr=true",
	}
	args = fs.optional(args, "containerd-namespace", cfg.Prefix+"-"+cfg.NodeName(i))
	args = fs.optional(args, "flannel-subnet-file", cfg.SubnetFile(i))
	if imageDir != "" {
		args = fs.optional(args, "image-preload-dir", imageDir)
	}
	if registry != "" {
		args = fs.optional(args, "registry-mirror", "*="+registry)
	}
	return args
}

func proxyArgs(cfg Config, i int, fs flagSet) []string {
	args := []string{
		"--master=" + cfg.NodeAPIURL(),
		"--hostname-override=" + cfg.NodeName(i),
		"--cluster-cidr=" + cfg.PodNetwork,
		"--proxy-mode=iptables",
		"--logtostderr=true",
	}
	args = fs.optional(args, "healthz-bind-address", cfg.NodeIP(i)+":10256")
	return fs.optional(args, "metrics-bind-address", "127.0.0.1:10249")
}
