package main

// End-to-end tests of the flanneld binary: "hosts" are network namespaces on one underlay
// bridge (nettest), each running the real flanneld against one embedded etcd. They need root
// and skip without it.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	clientv3 "go.etcd.io/etcd/client/v3"
	"golang.org/x/sys/unix"

	"seven.dev/flanneld/internal/etcdtest"
	"seven.dev/flanneld/internal/nettest"
	"seven.dev/flanneld/internal/subnet"
	"seven.dev/flanneld/internal/subnetenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// flanneldBinary builds this command once per test run.
func flanneldBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flanneld-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "flanneld")
		goCmd := filepath.Join(runtime.GOROOT(), "bin", "go") // the toolchain running this test
		if _, err := os.Stat(goCmd); err != nil {
			goCmd = "go"
		}
		out, err := exec.Command(goCmd, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// cluster is one underlay, one etcd and the flanneld processes on its hosts.
type cluster struct {
	t      *testing.T
	lab    *nettest.Lab
	etcd   *etcdtest.Server
	cli    *clientv3.Client
	prefix string
	bin    string
	dir    string
}

func newCluster(t *testing.T, cfg string) *cluster {
	t.Helper()
	lab := nettest.New(t, "10.250") // skips without root
	bin := flanneldBinary(t)
	srv, cli := etcdtest.NewOn(t, lab.RootAddr.String())
	c := &cluster{t: t, lab: lab, etcd: srv, cli: cli, prefix: "/coreos.com/network", bin: bin, dir: t.TempDir()}
	etcdtest.Put(t, cli, c.prefix+"/config", cfg)
	return c
}

// flannel is one flanneld process on a host.
type flannel struct {
	c          *cluster
	host       *nettest.Host
	args       []string
	subnetFile string
	logPath    string
	cmd        *exec.Cmd
	exited     chan struct{}
	waitErr    error
}

func (c *cluster) start(h *nettest.Host, extra ...string) *flannel {
	c.t.Helper()
	f := &flannel{c: c, host: h, subnetFile: filepath.Join(c.dir, h.NS, "subnet.env"), logPath: filepath.Join(c.dir, h.NS+".log")}
	f.args = append([]string{
		"-etcd-endpoints=" + c.etcd.Endpoint, "-etcd-prefix=" + c.prefix, "-iface=eth0",
		"-subnet-file=" + f.subnetFile, "-healthz-addr=127.0.0.1:8285", "--v=4",
	}, extra...)
	f.run()
	c.t.Cleanup(func() {
		f.kill()
		if c.t.Failed() {
			b, _ := os.ReadFile(f.logPath)
			c.t.Logf("flanneld log of %s:\n%s", h.NS, b)
		}
	})
	return f
}

func (f *flannel) run() {
	f.c.t.Helper()
	logf, err := os.OpenFile(f.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		f.c.t.Fatal(err)
	}
	f.cmd = f.host.Command(context.Background(), f.c.bin, f.args...)
	f.cmd.Stdout, f.cmd.Stderr = logf, logf
	if err := f.cmd.Start(); err != nil {
		f.c.t.Fatal(err)
	}
	f.exited = make(chan struct{})
	go func() {
		f.waitErr = f.cmd.Wait()
		logf.Close()
		close(f.exited)
	}()
}

// stop sends SIGTERM and expects a clean exit.
func (f *flannel) stop() {
	f.c.t.Helper()
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-f.exited:
		if f.waitErr != nil {
			f.c.t.Fatalf("flanneld on %s exited with %v after SIGTERM", f.host.NS, f.waitErr)
		}
	case <-time.After(15 * time.Second):
		f.kill()
		f.c.t.Fatalf("flanneld on %s did not stop within 15s of SIGTERM", f.host.NS)
	}
}

func (f *flannel) kill() {
	if f.cmd == nil || f.cmd.Process == nil {
		return
	}
	select {
	case <-f.exited:
	default:
		_ = f.cmd.Process.Kill()
		<-f.exited
	}
}

// env waits for the subnet file.
func (f *flannel) env() subnetenv.Env {
	f.c.t.Helper()
	return f.envSince(time.Time{})
}

// envSince waits for the subnet file to be written after t.
func (f *flannel) envSince(t time.Time) subnetenv.Env {
	f.c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(f.subnetFile); err == nil && fi.ModTime().After(t) {
			if e, err := subnetenv.Read(f.subnetFile); err == nil {
				return e
			}
		}
		select {
		case <-f.exited:
			f.c.t.Fatalf("flanneld on %s exited: %v", f.host.NS, f.waitErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	f.c.t.Fatalf("flanneld on %s wrote no subnet file", f.host.NS)
	return subnetenv.Env{}
}

func (f *flannel) subnet() netip.Prefix { return f.env().Lease() }

func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// vxlanState renders what host h's flannel.1 holds: routes, permanent neighbours, fdb.
func vxlanState(h *nettest.Host) (map[string]bool, error) {
	nl, err := h.Handle()
	if err != nil {
		return nil, err
	}
	defer nl.Close()
	link, err := nl.LinkByName("flannel.1")
	if err != nil {
		return nil, err
	}
	idx := link.Attrs().Index
	out := map[string]bool{}
	routes, err := nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{LinkIndex: idx, Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, err
	}
	for _, r := range routes {
		if r.Dst != nil && r.Flags&int(netlink.FLAG_ONLINK) != 0 {
			out["route "+r.Dst.String()+" via "+r.Gw.String()] = true
		}
	}
	neighs, err := nl.NeighList(idx, netlink.FAMILY_V4)
	if err != nil {
		return nil, err
	}
	for _, n := range neighs {
		if n.State&netlink.NUD_PERMANENT != 0 {
			out["neigh "+n.IP.String()+" "+n.HardwareAddr.String()] = true
		}
	}
	fdb, err := nl.NeighList(idx, unix.AF_BRIDGE)
	if err != nil {
		return nil, err
	}
	for _, n := range fdb {
		out["fdb "+n.HardwareAddr.String()+" "+n.IP.String()] = true
	}
	return out, nil
}

// leaseOf reads the lease of subnet p from etcd.
func (c *cluster) leaseOf(p netip.Prefix) (subnet.Attrs, clientv3.LeaseID) {
	c.t.Helper()
	resp, err := c.cli.Get(context.Background(), c.prefix+"/subnets/"+subnet.SubnetKey(p))
	if err != nil || len(resp.Kvs) != 1 {
		c.t.Fatalf("lease of %s: %v %v", p, resp, err)
	}
	a, err := subnet.DecodeAttrs(resp.Kvs[0].Value)
	if err != nil {
		c.t.Fatal(err)
	}
	return a, clientv3.LeaseID(resp.Kvs[0].Lease)
}

// vxlanEntries are the state a host must hold to reach the node owning subnet p.
func (c *cluster) vxlanEntries(p netip.Prefix) []string {
	a, _ := c.leaseOf(p)
	var d struct{ VtepMAC string }
	if err := json.Unmarshal(a.BackendData, &d); err != nil {
		c.t.Fatal(err)
	}
	gw := p.Addr().String()
	return []string{"route " + p.String() + " via " + gw, "neigh " + gw + " " + d.VtepMAC, "fdb " + d.VtepMAC + " " + a.PublicIP.String()}
}

func holds(h *nettest.Host, state func(*nettest.Host) (map[string]bool, error), entries []string, want bool) func() error {
	return func() error {
		s, err := state(h)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if s[e] != want {
				return fmt.Errorf("%s: %q present=%v, want %v (have %v)", h.NS, e, s[e], want, s)
			}
		}
		return nil
	}
}

// addPodAddress puts the first address of a host's subnet (FLANNEL_SUBNET) on a bridge, as the
// runtime does for its pod bridge: the address a packet to that subnet is delivered to.
func addPodAddress(t *testing.T, h *nettest.Host, env subnetenv.Env) netip.Addr {
	t.Helper()
	if err := h.Run("ip", "link", "add", "cni0", "type", "bridge"); err != nil {
		t.Fatal(err)
	}
	if err := h.Run("ip", "addr", "add", env.Subnet.String(), "dev", "cni0"); err != nil {
		t.Fatal(err)
	}
	if err := h.Run("ip", "link", "set", "cni0", "up"); err != nil {
		t.Fatal(err)
	}
	return env.Subnet.Addr()
}

// echo checks that a TCP connection from host `from` to addr, served in host `to`, carries
// data both ways.
func echo(from, to *nettest.Host, addr netip.Addr) error {
	var ln net.Listener
	if err := to.Do(func() (err error) {
		ln, err = net.Listen("tcp", net.JoinHostPort(addr.String(), "0"))
		return err
	}); err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(c, io.LimitReader(c, 5))
	}()
	return from.Do(func() error {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte("hello")); err != nil {
			return err
		}
		got, err := io.ReadAll(bufio.NewReader(c))
		if err != nil || string(got) != "hello" {
			return fmt.Errorf("echo over %s: got %q, %v", ln.Addr(), got, err)
		}
		return nil
	})
}

// httpGet fetches a URL from inside host h's namespace.
func httpGet(h *nettest.Host, url string) (string, error) {
	var body string
	err := h.Do(func() error {
		addr := strings.TrimPrefix(url, "http://")
		path := "/"
		if i := strings.IndexByte(addr, '/'); i >= 0 {
			addr, path = addr[:i], addr[i:]
		}
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, addr)
		b, err := io.ReadAll(c)
		body = string(b)
		return err
	})
	return body, err
}

func TestVXLANThreeHosts(t *testing.T) {
	c := newCluster(t, `{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","VNI":1,"Port":8472}}`)
	hosts := c.lab.Hosts(t, 3)
	a, b, hc := hosts[0], hosts[1], hosts[2]
	fa := c.start(a)
	fb := c.start(b, "-iface="+b.Addr.String()) // the interface named by its address
	fc := c.start(hc, "-ip-masq")
	sa, sb, sc := fa.subnet(), fb.subnet(), fc.subnet()
	if sa == sb || sb == sc || sa == sc {
		t.Fatalf("subnets not distinct: %s %s %s", sa, sb, sc)
	}
	env := fa.env()
	if env.Network.String() != "10.244.0.0/16" || env.MTU != 1450 || env.Subnet.Addr() != sa.Addr().Next() || env.IPMasq {
		t.Errorf("A's subnet file = %+v", env)
	}
	if !fc.env().IPMasq {
		t.Error("C ran with -ip-masq but FLANNEL_IPMASQ is false")
	}

	// Every host holds route, neighbour and fdb entry for each other host.
	for _, pair := range []struct {
		h    *nettest.Host
		peer netip.Prefix
	}{{a, sb}, {a, sc}, {b, sa}, {b, sc}, {hc, sa}, {hc, sb}} {
		eventually(t, fmt.Sprintf("%s to reach %s", pair.h.NS, pair.peer), holds(pair.h, vxlanState, c.vxlanEntries(pair.peer), true))
	}

	// An address in A's subnet answers C across the vxlan.
	podA := addPodAddress(t, a, env)
	eventually(t, "C to reach A's pod address over vxlan", func() error { return echo(hc, a, podA) })

	// C's masquerade rules are in its nat table.
	out, err := hc.Command(context.Background(), "iptables-save", "-t", "nat").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-A POSTROUTING -m comment --comment \"flanneld masq\" -j FLANNEL-POSTRTG") ||
		!strings.Contains(string(out), "-d "+sc.String()+" -m comment --comment \"flanneld masq\" -j RETURN") {
		t.Errorf("C's nat table (%v):\n%s", err, out)
	}

	// /healthz and /metrics inside A's namespace.
	if body, err := httpGet(a, "http://127.0.0.1:8285/healthz"); err != nil || !strings.HasSuffix(body, "ok") {
		t.Errorf("/healthz = %q, %v", body, err)
	}
	eventually(t, "metrics to show two remote subnets", func() error {
		body, err := httpGet(a, "http://127.0.0.1:8285/metrics")
		if err != nil || !strings.Contains(body, "flanneld_remote_subnets 2") || !strings.Contains(body, "flanneld_subnet_lease_expiration_timestamp_seconds") || !strings.Contains(body, "flanneld_backend_sync_errors_total 0") {
			return fmt.Errorf("metrics: %v\n%s", err, body)
		}
		return nil
	})

	// B restarts: it keeps its subnet and its device, so nobody's entries change, and pods
	// on A stay reachable throughout.
	before := c.vxlanEntries(sb)
	fb.stop()
	if err := echo(hc, a, podA); err != nil {
		t.Errorf("A unreachable from C while B's flanneld is down: %v", err)
	}
	restarted := time.Now()
	fb.run()
	if got := fb.envSince(restarted).Lease(); got != sb {
		t.Fatalf("B's subnet after restart = %s, want %s", got, sb)
	}
	if after := c.vxlanEntries(sb); strings.Join(after, "|") != strings.Join(before, "|") {
		t.Errorf("B's lease after restart = %v, want unchanged %v", after, before)
	}
	eventually(t, "A to keep B's entries", holds(a, vxlanState, before, true))

	// B leaves for good: its lease is revoked, and A and C drop its route, neighbour and fdb.
	fb.stop()
	_, id := c.leaseOf(sb)
	if _, err := c.cli.Revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	eventually(t, "A to forget B", holds(a, vxlanState, before, false))
	eventually(t, "C to forget B", holds(hc, vxlanState, before, false))
	eventually(t, "A to keep C", holds(a, vxlanState, c.vxlanEntries(sc), true))
	if err := echo(hc, a, podA); err != nil {
		t.Errorf("A unreachable from C after B left: %v", err)
	}
	fa.stop()
	fc.stop()
}

// hostGWState renders host h's gateway routes inside the overlay.
func hostGWState(h *nettest.Host) (map[string]bool, error) {
	nl, err := h.Handle()
	if err != nil {
		return nil, err
	}
	defer nl.Close()
	routes, err := nl.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range routes {
		if r.Dst != nil && r.Gw != nil {
			out["route "+r.Dst.String()+" via "+r.Gw.String()] = true
		}
	}
	return out, nil
}

func TestHostGWThreeHosts(t *testing.T) {
	c := newCluster(t, `{"Network":"10.245.0.0/16","Backend":{"Type":"host-gw"}}`)
	hosts := c.lab.Hosts(t, 3)
	a, b, hc := hosts[0], hosts[1], hosts[2]
	fa := c.start(a)
	fb := c.start(b, "-subnet-lease-ttl=4s") // leaves by letting its lease expire
	fc := c.start(hc)
	sa, sb, sc := fa.subnet(), fb.subnet(), fc.subnet()
	if sa == sb || sb == sc || sa == sc {
		t.Fatalf("subnets not distinct: %s %s %s", sa, sb, sc)
	}
	if mtu := fa.env().MTU; mtu != 1500 {
		t.Errorf("host-gw MTU = %d, want the interface's 1500", mtu)
	}
	route := func(p netip.Prefix, h *nettest.Host) []string {
		return []string{"route " + p.String() + " via " + h.Addr.String()}
	}
	for _, pair := range []struct {
		h    *nettest.Host
		want []string
	}{{a, route(sb, b)}, {a, route(sc, hc)}, {b, route(sa, a)}, {b, route(sc, hc)}, {hc, route(sa, a)}, {hc, route(sb, b)}} {
		eventually(t, pair.h.NS+" routes", holds(pair.h, hostGWState, pair.want, true))
	}
	// Routing (not bridging) to a pod address on A needs A to accept it; C sends from its eth0.
	podA := addPodAddress(t, a, fa.env())
	eventually(t, "C to reach A's pod address via host-gw", func() error { return echo(hc, a, podA) })

	// B's flanneld stops and its 4 s lease runs out: A and C drop the route.
	fb.stop()
	eventually(t, "A to forget B", holds(a, hostGWState, route(sb, b), false))
	eventually(t, "C to forget B", holds(hc, hostGWState, route(sb, b), false))
	eventually(t, "A to keep C", holds(a, hostGWState, route(sc, hc), true))
	fa.stop()
	fc.stop()
}

// Twenty flanneld binaries start at once, each in its own host on one underlay: twenty
// distinct subnets, and each host routes to the nineteen others.
func TestTwentyFlannelds(t *testing.T) {
	const n = 20
	c := newCluster(t, `{"Network":"10.246.0.0/16","SubnetMin":"10.246.1.0","SubnetMax":"10.246.20.0"}`)
	hosts := c.lab.Hosts(t, n)
	fs := make([]*flannel, n)
	for i, h := range hosts {
		fs[i] = c.start(h, "-healthz-addr=")
	}
	seen := map[netip.Prefix]string{}
	for i, f := range fs {
		p := f.subnet()
		if other, dup := seen[p]; dup {
			t.Fatalf("%s and %s both got %s", other, hosts[i].NS, p)
		}
		seen[p] = hosts[i].NS
	}
	for _, h := range hosts {
		eventually(t, h.NS+" to route to all others", func() error {
			s, err := vxlanState(h)
			if err != nil {
				return err
			}
			routes := 0
			for e := range s {
				if strings.HasPrefix(e, "route ") {
					routes++
				}
			}
			if routes != n-1 {
				return fmt.Errorf("%d routes", routes)
			}
			return nil
		})
	}
	for _, f := range fs {
		f.stop()
	}
}
