package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"seven.dev/api/kubeconfig"
)

// ErrNotRoot is returned by Up when the caller is not root: namespaces, links and
// containerd need it. Tests skip on it.
var ErrNotRoot = errors.New("a local cluster needs root (network namespaces, bridges, containerd)")

// Cluster is a running cluster.
type Cluster struct {
	// Config is the config it was started with, defaults filled in.
	Config Config
	// APIURL is the API server's URL from the root namespace.
	APIURL string
	// Kubeconfig is the path of a kubeconfig for APIURL.
	Kubeconfig string
	// Nodes are the node namespaces, in order.
	Nodes []Node
	// Unavailable lists the daemons that are missing or exited right after start.
	Unavailable []Unavailable

	st *stateFile
}

// Node is one node of the cluster.
type Node struct {
	Name  string // name in the API (node-<i>)
	IP    string // underlay address, reachable from the root namespace
	Netns string // network namespace (ip netns name)
	Dir   string // node directory: subnet.env, kubelet root dir
	// SubnetFile is flanneld's subnet.env for this node.
	SubnetFile string
}

// Unavailable is a daemon the cluster runs without, and why.
type Unavailable struct {
	Daemon string
	Node   string // empty for the control plane
	Reason string // one line, or the tail of its log
}

// Up starts a cluster as cfg describes, first removing whatever a previous cluster in
// cfg.Dir (or with cfg's names) left behind. kube-apiserver and the network must come up;
// any other daemon that is missing or exits within cfg.EarlyExit is listed in Unavailable
// and the cluster runs without it. On error everything started is removed again.
func Up(ctx context.Context, cfg Config) (*Cluster, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	for _, tool := range []string{"ip", "nsenter", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is needed (deploy/install-deps.sh installs it): %w", tool, err)
		}
	}
	if err := Down(ctx, cfg); err != nil {
		return nil, fmt.Errorf("remove the previous cluster in %s: %w", cfg.Dir, err)
	}
	for _, d := range []string{"etcd", "nodes", "containerd", "logs"} {
		if err := os.RemoveAll(filepath.Join(cfg.Dir, d)); err != nil {
			return nil, err
		}
	}
	if err := portFree(cfg.APIBindAddress, cfg.APIPort); err != nil {
		return nil, err
	}
	st, err := loadState(cfg.statePath())
	if err != nil {
		return nil, err
	}
	c := &Cluster{Config: cfg, APIURL: cfg.APIURL(), Kubeconfig: cfg.Kubeconfig, st: st}
	if err := c.up(ctx); err != nil {
		cfg.Logf("cluster did not come up; removing it (logs stay in %s)", cfg.LogDir())
		if derr := c.Down(); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	return c, nil
}

func (c *Cluster) up(ctx context.Context) error {
	cfg := c.Config
	if err := c.st.update(func(s *State) { s.Prefix, s.Bridge = cfg.Prefix, cfg.Bridge }); err != nil {
		return err
	}
	cfg.Logf("underlay bridge %s %s/24", cfg.Bridge, cfg.HostIP())
	if err := addBridge(ctx, cfg, c.st); err != nil {
		return err
	}
	if err := allowBridgeForward(ctx, cfg, c.st); err != nil {
		return err
	}

	cfg.Logf("kube-apiserver on %s (etcd %s)", cfg.APIURL(), cfg.EtcdURL())
	api, err := c.start(ctx, "kube-apiserver", -1, apiserverArgs(cfg))
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, cfg.APIURL()+"/readyz", 60*time.Second, api.done); err != nil {
		return fmt.Errorf("kube-apiserver: %w\n%s", err, tail(api.Log, 20))
	}
	if err := putFlannelConfig(ctx, cfg.EtcdURL(), cfg.PodNetwork); err != nil {
		return err
	}

	var watch []*started // daemons to check for an early exit
	if _, err := exec.LookPath("containerd"); err != nil {
		c.unavailable("containerd", "", "containerd is not installed (deploy/install-deps.sh)")
	} else if _, err := exec.LookPath("ctr"); err != nil {
		c.unavailable("containerd", "", "ctr is not installed (it comes with containerd)")
	} else {
		path, err := writeContainerdConfig(cfg)
		if err != nil {
			return err
		}
		cd, err := c.startPath(ctx, "containerd", -1, "containerd", []string{"--config", path})
		if err != nil {
			return err
		}
		if err := c.st.update(func(s *State) { s.ContainerdSocket = cfg.ContainerdSocket() }); err != nil {
			return err
		}
		if err := waitContainerd(ctx, cfg.ContainerdSocket(), cd); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name string
		args func(Config, flagSet) []string
	}{{"kube-scheduler", schedulerArgs}, {"kube-controller-manager", controllerManagerArgs}} {
		if s := c.startOptional(ctx, d.name, -1, func(fs flagSet) []string { return d.args(cfg, fs) }); s != nil {
			watch = append(watch, s)
		}
	}

	imageDir, registry := "", ""
	if cfg.ImageDir != "" {
		if tars, _ := filepath.Glob(filepath.Join(cfg.ImageDir, "*.tar")); len(tars) > 0 {
			imageDir = cfg.ImageDir
		}
	}
	if imageDir != "" {
		if r, err := c.startRegistry(ctx, imageDir); err != nil {
			c.unavailable("registry", "", err.Error())
		} else {
			registry = r
		}
	}
	for i := 1; i <= cfg.Nodes; i++ {
		cfg.Logf("node %s: netns %s, %s", cfg.NodeName(i), cfg.Netns(i), cfg.NodeIP(i))
		if err := addNodeNetns(ctx, cfg, c.st, i); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(cfg.NodeDir(i), "kubelet"), 0o755); err != nil {
			return err
		}
		c.Nodes = append(c.Nodes, Node{Name: cfg.NodeName(i), IP: cfg.NodeIP(i), Netns: cfg.Netns(i),
			Dir: cfg.NodeDir(i), SubnetFile: cfg.SubnetFile(i)})
		i := i
		for _, s := range []*started{
			c.startOptional(ctx, "flanneld", i, func(flagSet) []string { return flanneldArgs(cfg, i) }),
			c.startOptional(ctx, "kubelet", i, func(fs flagSet) []string { return kubeletArgs(cfg, i, fs, imageDir, registry) }),
			c.startOptional(ctx, "kube-proxy", i, func(fs flagSet) []string { return proxyArgs(cfg, i, fs) }),
		} {
			if s != nil {
				watch = append(watch, s)
			}
		}
	}
	for _, s := range exitedEarly(watch, cfg.EarlyExit) {
		c.unavailable(s.Name, s.Node, "exited at once:\n"+tail(s.Log, 10))
	}
	return c.writeKubeconfig()
}

// startRegistry serves the image tarballs of dir on the bridge address (seven-images -from)
// and returns its URL once it answers, which is once every image is in.
func (c *Cluster) startRegistry(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(c.Config.Bin, "seven-images")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("not built: %s is missing (deploy/build-images.sh builds it)", bin)
	}
	addr := strings.TrimPrefix(c.Config.RegistryURL(), "http://")
	c.Config.Logf("image registry on %s (the nodes' mirror of every registry)", addr)
	s, err := c.startPath(ctx, "registry", -1, bin, []string{"-from", dir, "-serve", addr})
	if err != nil {
		return "", err
	}
	if err := waitHTTP(ctx, c.Config.RegistryURL()+"/v2/", 60*time.Second, s.done); err != nil {
		return "", fmt.Errorf("%w\n%s", err, tail(s.Log, 10))
	}
	return c.Config.RegistryURL(), nil
}

// start runs the binary name from cfg.Bin, on node i (-1: the root namespace), and records it.
func (c *Cluster) start(ctx context.Context, name string, i int, args []string) (*started, error) {
	return c.startPath(ctx, name, i, filepath.Join(c.Config.Bin, name), args)
}

func (c *Cluster) startPath(_ context.Context, name string, i int, bin string, args []string) (*started, error) {
	args = append(args, c.Config.ExtraArgs[name]...)
	netns, node, logPath := "", "", filepath.Join(c.Config.LogDir(), name+".log")
	if i > 0 {
		netns, node = c.Config.Netns(i), c.Config.NodeName(i)
		logPath = filepath.Join(c.Config.LogDir(), node, name+".log")
	}
	s, err := startProc(name, node, netns, bin, args, logPath)
	if err != nil {
		return nil, err
	}
	return s, c.st.update(func(st *State) { st.Processes = append(st.Processes, s.Proc) })
}

// startOptional starts a daemon that the cluster can run without; a missing binary or a
// failed start is recorded in Unavailable and nil returned.
func (c *Cluster) startOptional(ctx context.Context, name string, i int, args func(flagSet) []string) *started {
	node := ""
	if i > 0 {
		node = c.Config.NodeName(i)
	}
	bin := filepath.Join(c.Config.Bin, name)
	if _, err := os.Stat(bin); err != nil {
		c.unavailable(name, node, "not built: "+bin+" is missing")
		return nil
	}
	s, err := c.start(ctx, name, i, args(helpFlags(bin)))
	if err != nil {
		c.unavailable(name, node, err.Error())
		return nil
	}
	return s
}

func (c *Cluster) unavailable(daemon, node, reason string) {
	c.Unavailable = append(c.Unavailable, Unavailable{Daemon: daemon, Node: node, Reason: reason})
}

// Available reports whether daemon runs (on at least one node, for node daemons).
func (c *Cluster) Available(daemon string) bool {
	down := 0
	for _, u := range c.Unavailable {
		if u.Daemon == daemon {
			if u.Node == "" {
				return false
			}
			down++
		}
	}
	return down < len(c.Nodes) || len(c.Nodes) == 0
}

func (c *Cluster) writeKubeconfig() error {
	kc := kubeconfig.New()
	name := "seven-" + c.Config.Prefix
	kc.Clusters = []kubeconfig.NamedCluster{{Name: name, Cluster: kubeconfig.Cluster{Server: c.APIURL}}}
	kc.Users = []kubeconfig.NamedUser{{Name: name}}
	kc.Contexts = []kubeconfig.NamedContext{{Name: name, Context: kubeconfig.Context{Cluster: name, AuthInfo: name}}}
	kc.CurrentContext = name
	if err := os.MkdirAll(filepath.Dir(c.Kubeconfig), 0o755); err != nil {
		return err
	}
	return kubeconfig.Write(c.Kubeconfig, kc)
}

// portFree fails with a clear message when addr:port is taken (another API server).
func portFree(addr string, port int) error {
	if addr != "0.0.0.0" {
		return nil // the bridge address is ours alone; it does not exist yet
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d is taken (another API server? `ss -ltnp sport = :%d` shows it; choose another with --api-port): %w", port, port, err)
	}
	return l.Close()
}

// waitHTTP polls url until it answers 200, d passes, or exited is closed.
func waitHTTP(ctx context.Context, url string, d time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("exited before answering " + url)
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s", url, d)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Processes returns the daemons the cluster started (running or not), for tests that check
// they are gone after Down.
func (c *Cluster) Processes() []Proc { return c.st.snapshot().Processes }

// Alive reports whether p is still the process that was started (same PID and start time).
func Alive(p Proc) bool { return alive(p) }
