package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"seven.dev/e2e/cluster"
)

// How the cluster tests are gated (see docs/local-cluster.md):
//
//   - They need root (namespaces, bridges, containerd) and skip cleanly without it, and with
//     `go test -short` or SEVEN_E2E_CLUSTER=0.
//   - TestLocalCluster starts and removes its own 2-node cluster (prefix "sevt", underlay
//     10.250.201.0/24).
//   - Scenario tests call sharedCluster(t): one 3-node cluster (prefix "seve", underlay
//     10.250.202.0/24) started on first use and removed by TestMain after every test ran, so
//     scenarios pay for one start between them. A scenario must leave the cluster as it found
//     it (delete what it created, in its own namespace).
//
// Both use fixed directories under the temp dir rather than t.TempDir(): a run that was killed
// leaves a state file there, and the next run's Up removes that cluster first.

// shared is the scenario tests' cluster; package state because TestMain must stop it.
var shared struct {
	once sync.Once
	c    *cluster.Cluster
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.Down(); err != nil {
			fmt.Fprintln(os.Stderr, "shared cluster down:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// skipUnlessClusterTests skips t where a cluster cannot or should not be started.
func skipUnlessClusterTests(t *testing.T) {
	t.Helper()
	switch {
	case testing.Short():
		t.Skip("cluster tests are not run with -short")
	case os.Getenv("SEVEN_E2E_CLUSTER") == "0":
		t.Skip("SEVEN_E2E_CLUSTER=0")
	case os.Geteuid() != 0:
		t.Skip("cluster tests need root (network namespaces, bridges, containerd)")
	}
}

// clusterConfig is a test cluster's config: its own prefix, underlay and directory, the API on
// the bridge address only, on free ports.
func clusterConfig(t *testing.T, prefix string, subnet, nodes int) cluster.Config {
	return cluster.Config{
		Nodes:                 nodes,
		Dir:                   filepath.Join(os.TempDir(), "seven-e2e-"+prefix),
		Bin:                   binDir(t),
		Prefix:                prefix,
		Subnet:                subnet,
		APIPort:               freePort(t),
		SchedulerPort:         freePort(t),
		ControllerManagerPort: freePort(t),
		ImageDir:              filepath.Join(binDir(t), "..", "images"),
		EarlyExit:             2 * time.Second,
		StopGrace:             5 * time.Second,
		Logf:                  t.Logf,
	}
}

// sharedCluster returns the 3-node cluster the scenario tests share, starting it on first use.
func sharedCluster(t *testing.T) *cluster.Cluster {
	t.Helper()
	skipUnlessClusterTests(t)
	shared.once.Do(func() {
		cfg := clusterConfig(t, "seve", 202, 3)
		// A dead node is noticed and its pods evicted in seconds rather than minutes.
		cfg.ExtraArgs = map[string][]string{
			"kube-controller-manager": {"--node-monitor-grace-period=12s", "--node-monitor-period=1s", "--pod-eviction-timeout=10s"},
			"kubelet":                 {"--node-status-update-frequency=3s"},
		}
		cfg.Logf = func(string, ...any) {} // t.Logf must not outlive the first test
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.c, shared.err = cluster.Up(ctx, cfg)
	})
	if shared.err != nil {
		t.Fatalf("shared cluster: %v", shared.err)
	}
	return shared.c
}

// inNetns runs f on a thread switched into the network namespace netns (sockets created by f
// belong to it, and keep working from any goroutine afterwards).
func inNetns(netns string, f func() error) error {
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	target, err := os.Open("/run/netns/" + netns)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("setns %s: %w", netns, err)
	}
	ferr := f()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread stays locked and dies with this goroutine's end rather than serve others
		// from the wrong namespace.
		return fmt.Errorf("setns back: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// listenIn listens on ip:0 inside netns and answers every connection with "ok".
func listenIn(t *testing.T, netns, ip string) string {
	t.Helper()
	var l net.Listener
	if err := inNetns(netns, func() (err error) { l, err = net.Listen("tcp", net.JoinHostPort(ip, "0")); return err }); err != nil {
		t.Fatalf("listen in %s: %v", netns, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("ok"))
			conn.Close()
		}
	}()
	return net.JoinHostPort(ip, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

// dialOK connects to addr (from netns, or the root namespace when it is empty) and expects "ok".
func dialOK(netns, addr string) error {
	var conn net.Conn
	dial := func() (err error) { conn, err = net.DialTimeout("tcp", addr, 3*time.Second); return err }
	var err error
	if netns == "" {
		err = dial()
	} else {
		err = inNetns(netns, dial)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 2)
	if _, err := conn.Read(buf); err != nil || string(buf) != "ok" {
		return fmt.Errorf("read from %s: %q, %v", addr, buf, err)
	}
	return nil
}
