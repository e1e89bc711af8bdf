package node_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

const httpd = "mkdir -p /www && echo hello-from-$HOSTNAME > /www/index.html && exec httpd -f -p 8080 -h /www"

// TestPodNetwork: pods get addresses from the node's subnet on cni0, reach each other and
// the node, hostPorts forward, and create/delete cycles leak nothing.
func TestPodNetwork(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pods := client.Pods(e.c)
	_, subnet, _ := net.ParseCIDR(podCIDR)

	// The node serves HTTP on every address, cni0's gateway included.
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	nodeSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("node-ok")) })}
	go func() { _ = nodeSrv.Serve(ln) }()
	defer nodeSrv.Close()

	a := bbPod("net-a", core.RestartPolicyAlways, core.Container{Name: "web", Command: []string{"sh", "-c", httpd},
		Ports: []core.ContainerPort{{ContainerPort: 8080, HostPort: 18080, Protocol: core.ProtocolTCP}}})
	b := bbPod("net-b", core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sleep", "3600"}})
	for _, p := range []*core.Pod{a, b} {
		if _, err := pods.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ga := e.waitPod(t, "net-a", 30*time.Second, running)
	gb := e.waitPod(t, "net-b", 30*time.Second, running)
	for _, p := range []*core.Pod{ga, gb} {
		if ip := net.ParseIP(p.Status.PodIP); ip == nil || !subnet.Contains(ip) || p.Status.PodIP == "10.88.0.1" {
			t.Fatalf("pod %s IP %q not in %s", p.Name, p.Status.PodIP, podCIDR)
		}
	}
	if ga.Status.PodIP == gb.Status.PodIP {
		t.Fatal("two pods share an IP")
	}

	t.Run("PodToPod", func(t *testing.T) {
		var out string
		for range 50 { // httpd may still be starting
			if out, _ = e.execIn(t, gb, "c", "sh", "-c", httpGet(ga.Status.PodIP, 8080)); strings.Contains(out, "hello-from-net-a") {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("pod b cannot reach pod a: %q", out)
	})
	t.Run("PodToNode", func(t *testing.T) {
		port := ln.Addr().(*net.TCPAddr).Port
		out, code := e.execIn(t, gb, "c", "sh", "-c", httpGet("10.88.0.1", port))
		if code != 0 || !strings.HasSuffix(out, "node-ok") {
			t.Fatalf("pod cannot reach the node: %d %q", code, out)
		}
	})
	t.Run("HostPort", func(t *testing.T) {
		c := &http.Client{Timeout: 3 * time.Second}
		resp, err := c.Get("http://10.88.0.1:18080/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := make([]byte, 100)
		n, _ := resp.Body.Read(buf)
		if !strings.Contains(string(buf[:n]), "hello-from-net-a") {
			t.Fatalf("hostPort answered %q", buf[:n])
		}
	})
	t.Run("EtcFiles", func(t *testing.T) {
		var hosts string
		var code int
		hosts, code = e.execIn(t, gb, "c", "cat", "/etc/hosts")
		if !strings.Contains(hosts, gb.Status.PodIP+"\tnet-b") {
			t.Fatalf("/etc/hosts (exit %d):\n%s", code, hosts)
		}
		if route, _ := e.execIn(t, gb, "c", "ip", "route"); !strings.Contains(route, "default via 10.88.0.1") {
			t.Fatalf("routes:\n%s", route)
		}
	})

	t.Run("NoLeaks", func(t *testing.T) {
		e.deleteAll(t, 60*time.Second)
		e.waitIdle(t, 120*time.Second) // net-a's hostPort rule goes with its network
		before := iptablesRules(t)
		const batches, per = 8, 25
		for i := range batches {
			var wg sync.WaitGroup
			for j := range per {
				p := bbPod(fmt.Sprintf("cycle-%d-%d", i, j), core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sleep", "3600"}})
				if j%5 == 0 {
					p.Spec.Containers[0].Ports = []core.ContainerPort{{ContainerPort: 80, HostPort: int32(20000 + j), Protocol: core.ProtocolTCP}}
				}
				zero := int64(0)
				p.Spec.TerminationGracePeriodSeconds = &zero
				if _, err := pods.Create(ctx, p); err != nil {
					t.Fatal(err)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					e.waitPod(t, p.Name, 60*time.Second, func(p *core.Pod) bool { return running(p) && p.Status.PodIP != "" })
				}()
			}
			wg.Wait()
			if i == 0 {
				if n := countVeths(t); n != per {
					t.Errorf("%d veths on cni0 with %d running pods", n, per)
				}
			}
			e.deleteAll(t, 60*time.Second)
		}
		// The last teardowns may still run: deleting a veth waits for the kernel's rtnl
		// lock, which a busy machine (many namespaces going) can hold for long.
		e.waitIdle(t, 120*time.Second)
		netDir := filepath.Join(e.rootDir, "network")
		ips, _ := filepath.Glob(filepath.Join(netDir, "ipam", "10.*"))
		if len(ips) != 0 {
			t.Errorf("addresses left allocated: %v", ips)
			for _, ip := range ips {
				owner, _ := os.ReadFile(ip)
				t.Logf("leftover %s owner %s", ip, owner)
			}
			rps, _ := e.rt.ListPods(ctx)
			for _, rp := range rps {
				t.Logf("leftover runtime pod %+v sandbox %+v", rp.Pod, rp.Sandbox)
			}
		}
		if nss, _ := os.ReadDir(filepath.Join(netDir, "netns")); len(nss) != 0 {
			t.Errorf("netns files left: %d", len(nss))
		}
		mi, _ := os.ReadFile("/proc/self/mountinfo")
		if strings.Contains(string(mi), filepath.Join(netDir, "netns")+"/") {
			t.Error("netns mounts left")
		}
		if hp, _ := filepath.Glob(filepath.Join(netDir, "hostports", "*")); len(hp) != 0 {
			t.Errorf("hostport records left: %v", hp)
		}
		if after := iptablesRules(t); after != before {
			t.Errorf("iptables rules changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		if vols, _ := filepath.Glob(filepath.Join(e.rootDir, "pods", "*", "volumes")); len(vols) != 0 {
			t.Errorf("volume dirs left: %v", vols)
		}
	})
}

func countVeths(t *testing.T) int {
	br, err := netlink.LinkByName("cni0")
	if err != nil {
		t.Fatal(err)
	}
	links, _ := netlink.LinkList()
	n := 0
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			n++
		}
	}
	return n
}

var counters = regexp.MustCompile(`\[\d+:\d+\]`)

// iptablesRules is iptables-save without comments and counters.
func iptablesRules(t *testing.T) string {
	out, err := exec.Command("iptables-save").Output()
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		keep = append(keep, counters.ReplaceAllString(l, ""))
	}
	return strings.Join(keep, "\n")
}

// httpGet is a shell command fetching http://host:port/ with busybox nc (busybox's
// static wget crashes resolving names).
func httpGet(host string, port int) string {
	// The sleep keeps nc's stdin open until the answer is in: nc quits at stdin's end.
	return fmt.Sprintf(`(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | nc -w 3 %s %d`, host, port)
}

// waitIdle waits until no pod network is left (no veth on cni0, no netns, no address
// allocated): the kubelet tears a network down right after the sandbox goes, which
// deleteAll already saw. It fails the test with what is left when d runs out.
func (e *env) waitIdle(t *testing.T, d time.Duration) {
	t.Helper()
	dir := filepath.Join(e.rootDir, "network", "netns")
	var veths int
	var ns []os.DirEntry
	var ips []string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ips, _ = filepath.Glob(filepath.Join(e.rootDir, "network", "ipam", "10.*"))
		ns, _ = os.ReadDir(dir)
		veths = countVeths(t)
		if len(ns) == 0 && len(ips) == 0 && veths == 0 {
			return
		}
	}
	t.Errorf("pod networks not torn down in %s: %d veths, %d netns, addresses %v", d, veths, len(ns), ips)
}

var _ = meta.ObjectMeta{}
