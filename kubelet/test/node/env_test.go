package node_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/vishvananda/netlink"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/kubelet/internal/privatecontainerd"
	"seven.dev/kubelet/pkg/containerdrt"
	"seven.dev/kubelet/pkg/images"
	"seven.dev/kubelet/pkg/kubelet"
	"seven.dev/kubelet/pkg/logs"
	"seven.dev/kubelet/pkg/network/bridge"
)

const nodeName = "node-test"

type env struct {
	imageGC bool // the kubelet removes every unused image, every second
	t       *testing.T
	dir     string
	sock    string
	ns      string
	c       *client.Client
	rt      *containerdrt.Runtime
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	rootDir string
	busybox string // tarball
	srv     *apiservertest.Server
	logBin  string // seven-container-logger, the containers' log writer
	net     *bridge.Plugin
}

// podCIDR is the test node's pod range (inside the test's own network namespace).
const podCIDR = "10.88.0.0/24"

// kubeletPort is the test kubelet's API port.
const kubeletPort = 10250

// TestMain runs the node tests in a network namespace of their own, which acts as the
// node: the bridge, veths, iptables rules and pod namespaces never touch the machine's.
func TestMain(m *testing.M) {
	if os.Geteuid() == 0 && os.Getenv("SEVEN_NODE_TEST_NETNS") == "" {
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), "SEVEN_NODE_TEST_NETNS=1")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				os.Exit(ee.ExitCode())
			}
			fmt.Fprintln(os.Stderr, "re-exec in a network namespace:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv("SEVEN_NODE_TEST_NETNS") != "" {
		if lo, err := netlink.LinkByName("lo"); err == nil {
			_ = netlink.LinkSetUp(lo)
		}
	}
	os.Exit(m.Run())
}

func requireNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("node tests need root")
	}
	if b := privatecontainerd.Missing(); b != "" {
		t.Skipf("node tests need %s", b)
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("node tests need /bin/busybox (busybox-static)")
	}
}

// startContainerd runs a containerd of its own under dir and returns its socket; cleanup
// removes the namespace's containers and cgroups and stops it.
func startContainerd(t *testing.T, dir, ns string) string {
	d, err := privatecontainerd.Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(ns); err != nil {
			t.Log(err)
		}
	})
	return d.Socket
}

func newEnv(t *testing.T) *env {
	requireNode(t)
	dir, err := os.MkdirTemp("", "kn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	e := &env{t: t, dir: dir, ns: fmt.Sprintf("seven-test-%d", os.Getpid()), rootDir: filepath.Join(dir, "kubelet")}
	e.sock = startContainerd(t, dir, e.ns)
	t.Cleanup(func() { unmountUnder(dir) })
	srv := apiservertest.Start(t)
	e.c = srv.Client()
	e.srv = srv

	// Images: busybox and our pause, built offline.
	pauseBin, err := images.BuildGo("./cmd/pause", moduleDir(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := images.Busybox("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if e.logBin, err = images.BuildGo("./cmd/seven-container-logger", moduleDir(t), filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	pause, err := images.Static(pauseBin, "/pause", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	e.busybox = filepath.Join(dir, "images.tar")
	if err := images.WriteTarball(e.busybox, map[string]v1.Image{"docker.io/library/busybox:latest": bb, "seven.dev/pause:latest": pause}); err != nil {
		t.Fatal(err)
	}
	e.start()
	if _, err := e.rt.ImportFile(context.Background(), e.busybox); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.stop)
	return e
}

func moduleDir(t *testing.T) string {
	wd, _ := os.Getwd()
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// start runs an in-process kubelet (again, after stop).
func (e *env) start() {
	rt, err := containerdrt.New(containerdrt.Options{Address: e.sock, Namespace: e.ns, LogBinary: e.logBin, LogMaxSize: 64 << 10, LogMaxFiles: 3})
	if err != nil {
		e.t.Fatal(err)
	}
	e.rt = rt
	cfg, _ := bridge.FromPodCIDR(podCIDR)
	if e.net, err = bridge.New(cfg, filepath.Join(e.rootDir, "network"), nil); err != nil {
		e.t.Fatal(err)
	}
	opts := kubelet.Options{
		NodeName: nodeName, NodeIP: "127.0.0.1", RootDir: e.rootDir, Runtime: rt, Network: e.net,
		ServerAddr:  fmt.Sprintf("127.0.0.1:%d", kubeletPort),
		BackoffBase: time.Second, ResyncInterval: time.Second, StatusUpdateFrequency: 2 * time.Second,
		HousekeepingInterval: 2 * time.Second, ImageGCPeriod: -1,
	}
	if e.imageGC {
		// Every second, above 1% of the disk in use, down to 1%: removes every unused image.
		opts.ImageGCPeriod, opts.ImageGCHighThresholdPercent, opts.ImageGCLowThresholdPercent, opts.ImageMinimumGCAge = time.Second, 1, 1, -1
	}
	k, err := kubelet.New(e.c, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := k.Run(ctx); err != nil {
			e.t.Errorf("kubelet: %v", err)
		}
	}()
}

// stop ends the kubelet (containers keep running).
func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.wg.Wait()
	e.cancel = nil
	_ = e.rt.Close()
}

func (e *env) waitPod(t *testing.T, name string, d time.Duration, cond func(*core.Pod) bool) *core.Pod {
	t.Helper()
	deadline := time.Now().Add(d)
	var last *core.Pod
	for time.Now().Before(deadline) {
		p, err := client.Pods(e.c).Get(context.Background(), "default", name)
		if err == nil {
			last = p
			if cond(p) {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("pod %s: condition not met in %s; last status: %+v", name, d, last.Status)
	return nil
}

// logOf is the text of one attempt's log file (CRI lines decoded).
func (e *env) logOf(p *core.Pod, container string, attempt int) string {
	var b bytes.Buffer
	_ = logs.Read(context.Background(), kubelet.LogPath(e.rootDir, p.UID, container, attempt), logs.ReadOptions{TailLines: -1}, &b)
	return b.String()
}

func hasLine(s, line string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// unmountUnder detaches every mount below dir (pod namespaces, tmpfs volumes), so that
// the test's directory can go even when a test failed half-way.
func unmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mps []string
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mps = append(mps, f[4])
		}
	}
	for i := len(mps) - 1; i >= 0; i-- {
		_ = syscall.Unmount(mps[i], syscall.MNT_DETACH)
	}
}
