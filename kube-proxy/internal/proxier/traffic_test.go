package proxier

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/kube-proxy/internal/nftables"
	"seven.dev/kube-proxy/internal/rules"
)

func service(name, ip string, nodePort int32, proto core.Protocol, port, target int32) *core.Service {
	typ := core.ServiceTypeClusterIP
	if nodePort != 0 {
		typ = core.ServiceTypeNodePort
	}
	return &core.Service{ObjectMeta: meta.ObjectMeta{Namespace: "default", Name: name},
		Spec: core.ServiceSpec{ClusterIP: ip, Type: typ, Ports: []core.ServicePort{
			{Port: port, Protocol: proto, TargetPort: intstr.FromInt32(target), NodePort: nodePort}}}}
}

func endpoints(name string, proto core.Protocol, port int32, ips ...string) *core.Endpoints {
	e := &core.Endpoints{ObjectMeta: meta.ObjectMeta{Namespace: "default", Name: name}}
	if len(ips) > 0 {
		ss := core.EndpointSubset{Ports: []core.EndpointPort{{Port: port, Protocol: proto}}}
		for _, ip := range ips {
			ss.Addresses = append(ss.Addresses, core.EndpointAddress{IP: ip})
		}
		e.Subsets = []core.EndpointSubset{ss}
	}
	return e
}

// modes are the proxy modes every traffic test runs against.
var modes = []string{"iptables", "nftables"}

func newTestProxier(l *lab, mode string) *Proxier {
	cfg := Config{Kernel: l.kernel, Rules: rules.Options{NodeName: "node", ClusterCIDR: "10.244.0.0/16", LocalhostNodePorts: true}}
	if mode == "nftables" {
		cfg.NFT = nftables.Runner{Prefix: l.kernel.Prefix}
	}
	return New(cfg)
}

func syncOK(t *testing.T, p *Proxier) {
	t.Helper()
	if err := p.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestTraffic drives real packets through the rules in a namespace lab (root only), in
// each proxy mode.
func TestTraffic(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) { testTraffic(t, mode) })
	}
}

func testTraffic(t *testing.T, mode string) {
	l := newLab(t)
	if _, err := exec.LookPath("nft"); err != nil && mode == "nftables" {
		t.Skip("nftables mode needs nft")
	}
	client := l.addPod("cli", 10)
	l.addOutsideLink(client)
	var servers []string
	for i, name := range []string{"s1", "s2", "s3"} {
		p := l.addPod(name, 2+i)
		l.serve(p, name)
		servers = append(servers, p.ip)
	}
	node := newNSExec(t, l.node)

	p := newTestProxier(l, mode)
	p.SetService(service("web", "10.254.0.10", 30080, core.ProtocolTCP, 80, 8080))
	p.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, servers...))
	p.SetService(service("empty", "10.254.0.20", 30020, core.ProtocolTCP, 80, 8080))
	p.SetEndpoints(endpoints("empty", core.ProtocolTCP, 8080))
	p.SetService(service("self", "10.254.0.30", 0, core.ProtocolTCP, 80, 8080))
	p.SetEndpoints(endpoints("self", core.ProtocolTCP, 8080, l.pods["s1"].ip))
	p.SetService(service("dns", "10.254.0.40", 0, core.ProtocolUDP, 53, 5353))
	p.SetEndpoints(endpoints("dns", core.ProtocolUDP, 5353, servers...))
	sticky := service("sticky", "10.254.0.50", 0, core.ProtocolTCP, 80, 8080)
	sticky.Spec.SessionAffinity = core.ServiceAffinityClientIP
	p.SetService(sticky)
	p.SetEndpoints(endpoints("sticky", core.ProtocolTCP, 8080, servers...))
	// Programmed (and so checked by the kernel) in both modes; only s1 is on this node.
	local := service("local", "10.254.0.60", 30060, core.ProtocolTCP, 80, 8080)
	local.Spec.ExternalTrafficPolicy = core.ServiceExternalTrafficPolicyLocal
	local.Spec.ExternalIPs = []string{"192.0.2.60"}
	p.SetService(local)
	localEps := endpoints("local", core.ProtocolTCP, 8080, servers...)
	nodeName := "node"
	localEps.Subsets[0].Addresses[0].NodeName = &nodeName
	p.SetEndpoints(localEps)
	p.SetReady()
	syncOK(t, p)

	t.Run("SessionAffinity", func(t *testing.T) {
		first, err := client.exec.get("10.254.0.50:80", 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			if got, err := client.exec.get("10.254.0.50:80", 2*time.Second); err != nil || got != first {
				t.Fatalf("ClientIP affinity: first %s, then %q, %v", first, got, err)
			}
		}
	})

	t.Run("ExternalTrafficPolicyLocal", func(t *testing.T) {
		// From outside the cluster only the local endpoint answers.
		for range 20 {
			if got, err := client.exec.get(nodeExtIP+":30060", 2*time.Second); err != nil || got != "s1" {
				t.Fatalf("node port with policy Local: %q, %v", got, err)
			}
		}
	})

	t.Run("ClusterIPSpread", func(t *testing.T) {
		counts := map[string]int{}
		const n = 1000
		for range n {
			got, err := client.exec.get("10.254.0.10:80", 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			counts[got]++
		}
		for _, s := range []string{"s1", "s2", "s3"} {
			if share := float64(counts[s]) / n; share < 0.25 || share > 0.42 {
				t.Errorf("%s got %.1f%% of %d connections (%v), want 25-42%%", s, share*100, n, counts)
			}
		}
		t.Logf("spread over %d connections: %v", n, counts)
	})

	t.Run("NodePort", func(t *testing.T) {
		for _, c := range []struct {
			from *nsExec
			addr string
		}{
			{client.exec, nodeExtIP + ":30080"},       // from outside the cluster
			{client.exec, nodePodIP + ":30080"},       // a pod, to the node's bridge address
			{node, nodeExtIP + ":30080"},              // the node itself
			{node, "127.0.0.1:30080"},                 // curl localhost:30001, as the seeds do
			{l.pods["s2"].exec, nodeExtIP + ":30080"}, // a backend pod, possibly to itself
		} {
			for range 10 {
				if got, err := c.from.get(c.addr, 2*time.Second); err != nil || !strings.HasPrefix(got, "s") {
					t.Fatalf("%s: %q, %v", c.addr, got, err)
				}
			}
		}
	})

	t.Run("NoEndpointsRejects", func(t *testing.T) {
		for _, addr := range []string{"10.254.0.20:80", nodeExtIP + ":30020"} {
			start := time.Now()
			_, err := client.exec.get(addr, 5*time.Second)
			if took := time.Since(start); !errors.Is(err, syscall.ECONNREFUSED) || took > time.Second {
				t.Errorf("%s: err %v after %v, want connection refused within 1s", addr, err, took)
			}
		}
	})

	t.Run("Hairpin", func(t *testing.T) {
		for range 5 {
			if got, err := l.pods["s1"].exec.get("10.254.0.30:80", 2*time.Second); err != nil || got != "s1" {
				t.Fatalf("s1 to its own service: %q, %v", got, err)
			}
		}
	})

	t.Run("UDPEndpointRemovedFlushesConntrack", func(t *testing.T) {
		// One client port keeps one conntrack entry: every datagram goes to one server.
		var conn net.PacketConn
		client.exec.do(func() {
			var err error
			if conn, err = net.ListenPacket("udp4", ":40053"); err != nil {
				t.Fatal(err)
			}
		})
		defer conn.Close()
		ask := func() string {
			buf := make([]byte, 64)
			for range 3 {
				dst := &net.UDPAddr{IP: net.ParseIP("10.254.0.40"), Port: 53}
				if _, err := conn.WriteTo([]byte("who"), dst); err != nil {
					t.Fatal(err)
				}
				conn.SetReadDeadline(time.Now().Add(time.Second))
				if n, _, err := conn.ReadFrom(buf); err == nil {
					return string(buf[:n])
				}
			}
			t.Fatal("no UDP answer")
			return ""
		}
		first := ask()
		if again := ask(); again != first {
			t.Fatalf("one flow answered by %s then %s", first, again)
		}
		var rest []string
		for _, s := range []string{"s1", "s2", "s3"} {
			if s != first {
				rest = append(rest, l.pods[s].ip)
			}
		}
		p.SetEndpoints(endpoints("dns", core.ProtocolUDP, 5353, rest...))
		syncOK(t, p)
		if after := ask(); after == first {
			t.Errorf("after %s left the endpoints the flow still reaches it: conntrack not flushed", first)
		}
	})

	t.Run("EndpointRemoved", func(t *testing.T) {
		p.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, servers[:2]...))
		syncOK(t, p)
		for range 200 {
			got, err := client.exec.get("10.254.0.10:80", 2*time.Second)
			if err != nil || got == "s3" {
				t.Fatalf("after removing s3: %q, %v", got, err)
			}
		}
	})

	t.Run("RestartWithoutFlushWindow", func(t *testing.T) {
		var ok, failed atomic.Int64
		var firstErr atomic.Value
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := client.exec.get("10.254.0.10:80", 2*time.Second); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				} else {
					ok.Add(1)
				}
			}
		})
		// A new kube-proxy: empty state, full sync (with leftover detection) over live rules.
		for range 3 {
			p2 := newTestProxier(l, mode)
			p2.SetService(service("web", "10.254.0.10", 30080, core.ProtocolTCP, 80, 8080))
			p2.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, servers[:2]...))
			p2.SetReady()
			syncOK(t, p2)
			time.Sleep(50 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		if failed.Load() != 0 || ok.Load() == 0 {
			t.Errorf("during restarts: %d ok, %d failed (first: %v)", ok.Load(), failed.Load(), firstErr.Load())
		}
		// The restarted proxier only knows "web": the other services' chains are gone.
		if _, err := client.exec.get("10.254.0.30:80", time.Second); err == nil {
			t.Error("service self still answers after a proxier that does not know it synced")
		}
	})

	t.Run("Cleanup", func(t *testing.T) {
		if err := l.kernel.Cleanup(context.Background()); err != nil {
			t.Fatal(err)
		}
		out := l.run("ip", "netns", "exec", l.node, "iptables-save")
		if strings.Contains(out, "KUBE-") {
			t.Errorf("KUBE- rules left after cleanup:\n%s", out)
		}
		if mode == "nftables" {
			if err := (nftables.Runner{Prefix: l.kernel.Prefix}).Cleanup(context.Background()); err != nil {
				t.Fatal(err)
			}
			if out := l.run("ip", "netns", "exec", l.node, "nft", "list", "tables"); strings.Contains(out, rules.NFTTable) {
				t.Errorf("table %s left after cleanup:\n%s", rules.NFTTable, out)
			}
		}
	})
}
