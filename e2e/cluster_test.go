package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"seven.dev/e2e/cluster"
)

// TestLocalCluster brings up a 2-node cluster with whatever daemons are built, checks the API,
// the flannel subnets, the underlay, and that Down leaves nothing behind.
func TestLocalCluster(t *testing.T) {
	skipUnlessClusterTests(t)
	cfg := clusterConfig(t, "sevt", 201, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := cluster.Up(ctx, cfg)
	if errors.Is(err, cluster.ErrNotRoot) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	t.Cleanup(func() { _ = c.Down() }) // after a failure; Down is idempotent
	for _, u := range c.Unavailable {
		t.Logf("not running: %s %s: %s", u.Daemon, u.Node, u.Reason)
	}

	t.Run("api", func(t *testing.T) {
		for _, path := range []string{"/readyz", "/api/v1/namespaces/default"} {
			resp, err := http.Get(c.APIURL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
			}
		}
		if _, err := os.Stat(c.Kubeconfig); err != nil {
			t.Errorf("kubeconfig: %v", err)
		}
	})

	t.Run("flannel", func(t *testing.T) {
		if !c.Available("flanneld") {
			t.Skip("flanneld is not running")
		}
		for _, n := range c.Nodes {
			env := waitFile(t, n.SubnetFile, 30*time.Second)
			if !strings.Contains(env, "FLANNEL_SUBNET=172.16.") || !strings.Contains(env, "FLANNEL_NETWORK=172.16.0.0/16") {
				t.Errorf("%s: subnet.env:\n%s", n.Name, env)
			}
			if out, err := exec.Command("ip", "-n", n.Netns, "link", "show", "flannel.1").CombinedOutput(); err != nil {
				t.Errorf("%s: no flannel.1: %v %s", n.Name, err, out)
			}
		}
	})

	t.Run("underlay", func(t *testing.T) {
		// Root namespace -> every node, and node to node, over the bridge.
		addrs := map[string]string{}
		for _, n := range c.Nodes {
			addrs[n.Name] = listenIn(t, n.Netns, n.IP)
			if err := dialOK("", addrs[n.Name]); err != nil {
				t.Errorf("root namespace -> %s: %v", n.Name, err)
			}
		}
		if err := dialOK(c.Nodes[1].Netns, addrs[c.Nodes[0].Name]); err != nil {
			t.Errorf("%s -> %s: %v", c.Nodes[1].Name, c.Nodes[0].Name, err)
		}
	})

	procs := c.Processes()
	if err := c.Down(); err != nil {
		t.Fatalf("Down: %v", err)
	}
	assertGone(t, cfg, procs)
	if err := c.Down(); err != nil {
		t.Errorf("second Down: %v", err)
	}
}

// assertGone checks that nothing of the cluster is left: processes, namespaces, links,
// iptables rules, mounts, the state file.
func assertGone(t *testing.T, cfg cluster.Config, procs []cluster.Proc) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let the test's own Wait goroutines reap
	for _, p := range procs {
		if cluster.Alive(p) {
			t.Errorf("%s (pid %d) still runs", p.Name, p.PID)
		}
	}
	out, _ := exec.Command("ip", "netns", "list").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, cfg.Prefix+"-") {
			t.Errorf("namespace left: %s", line)
		}
	}
	out, _ = exec.Command("ip", "-o", "link", "show").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], cfg.Prefix) {
			t.Errorf("link left: %s", line)
		}
	}
	out, _ = exec.Command("iptables-save").CombinedOutput()
	if strings.Contains(string(out), "seven-cluster:"+cfg.Prefix+" ") || strings.Contains(string(out), "seven-cluster:"+cfg.Prefix+"\"") {
		t.Errorf("iptables rule left:\n%s", out)
	}
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mounts), cfg.Dir+"/") {
		t.Errorf("mounts left under %s", cfg.Dir)
	}
	if _, err := os.Stat(cfg.Dir + "/state.json"); err == nil {
		t.Errorf("state file left")
	}
}

// waitFile waits for a non-empty file and returns its content.
func waitFile(t *testing.T, path string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return string(data)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not written within %s", path, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
