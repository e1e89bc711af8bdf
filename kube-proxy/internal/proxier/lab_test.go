package proxier

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"seven.dev/kube-proxy/internal/iptables"
)

// lab is a throwaway cluster in network namespaces: a "node" namespace holding the bridge
// br0 (10.244.0.1/24, the pod network), kube-proxy's rules and an outside link ext0
// (192.168.77.1/24); pod namespaces on the bridge; the client pod also has eth1 on ext0's
// link, so it can come from outside the cluster too. Everything lives inside namespaces
// the lab created and is deleted when the test ends.
type lab struct {
	t      *testing.T
	id     string
	node   string
	kernel iptables.Runner
	pods   map[string]*pod
}

type pod struct {
	ns   string
	ip   string
	exec *nsExec
}

var labSeq atomic.Uint32

const (
	nodePodIP = "10.244.0.1"
	nodeExtIP = "192.168.77.1"
)

func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespace tests need root")
	}
	for _, bin := range []string{"ip", "iptables-restore", "iptables-save", "conntrack", "sysctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("network namespace tests need %s", bin)
		}
	}
	l := &lab{t: t, id: fmt.Sprintf("kpt-%d-%d", os.Getpid(), labSeq.Add(1)), pods: map[string]*pod{}}
	l.node = l.id + "-node"
	l.kernel = iptables.Runner{Prefix: []string{"ip", "netns", "exec", l.node}}
	l.addNS(l.node)
	l.ip("-n", l.node, "link", "add", "br0", "type", "bridge")
	l.ip("-n", l.node, "addr", "add", nodePodIP+"/24", "dev", "br0")
	l.ip("-n", l.node, "link", "set", "br0", "up")
	// A default route to nowhere, as a node's uplink would be: cluster IPs must be routable
	// before kube-proxy's DNAT (or REJECT) sees them.
	l.ip("-n", l.node, "link", "add", "up0", "type", "veth", "peer", "name", "up1")
	l.ip("-n", l.node, "link", "set", "up0", "up")
	l.ip("-n", l.node, "link", "set", "up1", "up")
	l.ip("-n", l.node, "route", "add", "default", "dev", "up0")
	l.run("ip", "netns", "exec", l.node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
	return l
}

func (l *lab) addNS(ns string) {
	l.ip("netns", "add", ns)
	l.t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
			l.t.Errorf("delete namespace %s: %v: %s", ns, err, out)
		}
	})
	l.ip("-n", ns, "link", "set", "lo", "up")
}

// addPod creates a pod namespace with eth0 on the bridge at 10.244.0.<n>.
func (l *lab) addPod(name string, n int) *pod {
	p := &pod{ns: l.id + "-" + name, ip: fmt.Sprintf("10.244.0.%d", n)}
	l.addNS(p.ns)
	host := fmt.Sprintf("veth%d", n)
	l.ip("-n", l.node, "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", p.ns)
	l.ip("-n", l.node, "link", "set", host, "master", "br0", "up")
	// As the CNI bridge plugin's hairpinMode (flannel's default) does: with br_netfilter a
	// pod's packet DNATed back to that pod leaves through the port it came in by.
	l.ip("-n", l.node, "link", "set", host, "type", "bridge_slave", "hairpin", "on")
	l.ip("-n", p.ns, "addr", "add", p.ip+"/24", "dev", "eth0")
	l.ip("-n", p.ns, "link", "set", "eth0", "up")
	l.ip("-n", p.ns, "route", "add", "default", "via", nodePodIP)
	p.exec = newNSExec(l.t, p.ns)
	l.pods[name] = p
	return p
}

// addOutsideLink gives pod an eth1 on the node's ext0 link, 192.168.77.0/24.
func (l *lab) addOutsideLink(p *pod) {
	l.ip("-n", l.node, "link", "add", "ext0", "type", "veth", "peer", "name", "eth1", "netns", p.ns)
	l.ip("-n", l.node, "addr", "add", nodeExtIP+"/24", "dev", "ext0")
	l.ip("-n", l.node, "link", "set", "ext0", "up")
	l.ip("-n", p.ns, "addr", "add", "192.168.77.2/24", "dev", "eth1")
	l.ip("-n", p.ns, "link", "set", "eth1", "up")
}

// serve answers with name on TCP :8080 (one line, then close) and UDP :5353 (one datagram
// per datagram), from inside the pod's namespace.
func (l *lab) serve(p *pod, name string) {
	var ln net.Listener
	var pc net.PacketConn
	p.exec.do(func() {
		var err error
		if ln, err = net.Listen("tcp4", ":8080"); err != nil {
			l.t.Fatal(err)
		}
		if pc, err = net.ListenPacket("udp4", ":5353"); err != nil {
			l.t.Fatal(err)
		}
	})
	l.t.Cleanup(func() { ln.Close(); pc.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(name))
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 512)
		for {
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo([]byte(name), from)
		}
	}()
}

func (l *lab) ip(args ...string) { l.t.Helper(); l.run("ip", args...) }

func (l *lab) run(name string, args ...string) string {
	l.t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// get connects to addr over TCP from inside e's namespace and returns what the server said.
func (e *nsExec) get(addr string, timeout time.Duration) (string, error) {
	var s string
	var err error
	e.do(func() {
		var c net.Conn
		if c, err = net.DialTimeout("tcp4", addr, timeout); err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(timeout))
		var b []byte
		b, err = io.ReadAll(c)
		s = string(b)
	})
	return s, err
}

// nsExec runs functions on an OS thread that lives in one network namespace, so the
// sockets they open belong to it (a socket keeps its namespace for life).
type nsExec struct{ fns chan func() }

func newNSExec(t *testing.T, ns string) *nsExec {
	e := &nsExec{fns: make(chan func())}
	ready := make(chan error)
	go func() {
		// Never unlocked: the thread is in another namespace and dies with the goroutine.
		runtime.LockOSThread()
		h, err := netns.GetFromName(ns)
		if err == nil {
			err = netns.Set(h)
			h.Close()
		}
		ready <- err
		if err != nil {
			return
		}
		for fn := range e.fns {
			fn()
		}
	}()
	if err := <-ready; err != nil {
		t.Fatalf("enter namespace %s: %v", ns, err)
	}
	t.Cleanup(func() { close(e.fns) })
	return e
}

func (e *nsExec) do(fn func()) {
	done := make(chan struct{})
	e.fns <- func() { defer close(done); fn() }
	<-done
}
