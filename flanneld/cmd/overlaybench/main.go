// Command overlaybench measures what flanneld's overlay costs: TCP throughput between two pods
// on different nodes (over vxlan, or host-gw) against TCP throughput between the two nodes'
// own addresses, in one run, and prints both and their ratio.
//
// It builds everything itself on this machine — an underlay bridge, two "nodes" as network
// namespaces each running the real flanneld binary against an embedded etcd, and a "pod"
// namespace behind a cni0 bridge on each node, the way the kubelet wires pods — and removes it
// all before exiting. It needs root. Traffic never leaves the namespaces it creates.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"seven.dev/flanneld/internal/etcdtest"
	"seven.dev/flanneld/internal/nettest"
	"seven.dev/flanneld/internal/subnetenv"
)

func main() {
	flanneld := flag.String("flanneld", "", "flanneld binary (default: flanneld next to this program)")
	backend := flag.String("backend", "vxlan", "flanneld backend to measure: vxlan or host-gw")
	duration := flag.Duration("duration", 5*time.Second, "measuring time per path")
	rounds := flag.Int("rounds", 5, "alternate the two paths this many times, sharing -duration, to even out drift")
	flag.Parse()
	if *flanneld == "" {
		self, err := os.Executable()
		if err != nil {
			fatal(err)
		}
		*flanneld = filepath.Join(filepath.Dir(self), "flanneld")
	}
	if _, err := os.Stat(*flanneld); err != nil {
		fatal(fmt.Errorf("flanneld binary: %w (build it, or pass -flanneld)", err))
	}
	if err := nettest.Available(); err != nil {
		fatal(fmt.Errorf("overlaybench %v", err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *flanneld, *backend, *duration, max(*rounds, 1)); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "overlaybench:", err)
	os.Exit(1)
}

// env is the built topology, torn down by close.
type env struct {
	lab       *nettest.Lab
	etcd      *etcdtest.Server
	dir       string
	procs     []*exec.Cmd
	nodes     [2]*nettest.Host
	pods      [2]string // pod namespaces
	podAddrs  [2]netip.Addr
	mtu       int
	flannelds [2]string // log paths
}

func run(ctx context.Context, bin, backend string, duration time.Duration, rounds int) (err error) {
	e := &env{}
	defer func() {
		if cerr := e.close(); err == nil {
			err = cerr
		}
	}()
	if err := e.build(ctx, bin, backend); err != nil {
		return err
	}
	fmt.Printf("nodes %s and %s on one bridge (MTU 1500); pods %s and %s behind cni0 (MTU %d), flanneld backend %s\n",
		e.nodes[0].Addr, e.nodes[1].Addr, e.podAddrs[0], e.podAddrs[1], e.mtu, backend)

	// Warm up both paths (ARP, routes, TCP slow start on first use) before measuring.
	if _, err := measure(e.nodes[0].NS, e.nodes[1].NS, e.nodes[1].Addr, 500*time.Millisecond); err != nil {
		return fmt.Errorf("underlay warm-up: %w", err)
	}
	if _, err := measure(e.pods[0], e.pods[1], e.podAddrs[1], 500*time.Millisecond); err != nil {
		return fmt.Errorf("overlay warm-up: %w", err)
	}
	var under, over result
	tunnelBefore := e.tunnelTxBytes()
	slice := duration / time.Duration(rounds)
	for range rounds {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		u, err := measure(e.nodes[0].NS, e.nodes[1].NS, e.nodes[1].Addr, slice)
		if err != nil {
			return fmt.Errorf("underlay: %w", err)
		}
		o, err := measure(e.pods[0], e.pods[1], e.podAddrs[1], slice)
		if err != nil {
			return fmt.Errorf("overlay: %w", err)
		}
		under.add(u)
		over.add(o)
	}
	if backend == "vxlan" {
		// Proof that the pod traffic took the tunnel rather than some other path.
		fmt.Printf("flannel.1 on node 1 sent %d MiB during the overlay runs\n", (e.tunnelTxBytes()-tunnelBefore)>>20)
	}
	ratio := over.gbps() / under.gbps()
	verdict := "meets"
	if ratio < 0.8 {
		verdict = "below"
	}
	fmt.Printf("underlay TCP node->node (%s -> %s): %.2f Gbit/s (%d MiB in %.1fs)\n", e.nodes[0].Addr, e.nodes[1].Addr, under.gbps(), under.bytes>>20, under.elapsed.Seconds())
	fmt.Printf("overlay  TCP pod->pod   (%s -> %s, %s): %.2f Gbit/s (%d MiB in %.1fs)\n", e.podAddrs[0], e.podAddrs[1], backend, over.gbps(), over.bytes>>20, over.elapsed.Seconds())
	fmt.Printf("overlay/underlay ratio: %.2f (%s the 0.80 target)\n", ratio, verdict)
	return nil
}

func (e *env) build(ctx context.Context, bin, backend string) error {
	var err error
	if e.dir, err = os.MkdirTemp("", "overlaybench-"); err != nil {
		return err
	}
	if e.lab, err = nettest.NewLab("10.251"); err != nil {
		return err
	}
	if e.etcd, err = etcdtest.Start(filepath.Join(e.dir, "etcd"), e.lab.RootAddr.String()); err != nil {
		return err
	}
	cli, err := e.etcd.Client()
	if err != nil {
		return err
	}
	defer cli.Close()
	const prefix = "/coreos.com/network"
	if _, err := cli.Put(ctx, prefix+"/config", fmt.Sprintf(`{"Network":"10.247.0.0/16","Backend":{"Type":%q}}`, backend)); err != nil {
		return fmt.Errorf("write network config: %w", err)
	}
	var envs [2]subnetenv.Env
	for i := range e.nodes {
		h, err := e.lab.AddHost()
		if err != nil {
			return err
		}
		e.nodes[i] = h
		subnetFile := filepath.Join(e.dir, h.NS, "subnet.env")
		e.flannelds[i] = filepath.Join(e.dir, h.NS+".log")
		logf, err := os.Create(e.flannelds[i])
		if err != nil {
			return err
		}
		cmd := h.Command(context.Background(), bin, "-etcd-endpoints="+e.etcd.Endpoint, "-etcd-prefix="+prefix,
			"-iface=eth0", "-subnet-file="+subnetFile, "-healthz-addr=")
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			return fmt.Errorf("start flanneld on %s: %w", h.NS, err)
		}
		logf.Close()
		e.procs = append(e.procs, cmd)
		if envs[i], err = waitEnv(ctx, subnetFile, e.flannelds[i]); err != nil {
			return err
		}
	}
	e.mtu = envs[0].MTU
	for i, h := range e.nodes {
		pod, err := e.lab.AddNS(fmt.Sprintf("pod%d", i))
		if err != nil {
			return err
		}
		e.pods[i] = pod
		gw := envs[i].Subnet // x.y.z.1/24: the bridge's address
		e.podAddrs[i] = gw.Addr().Next()
		mtu := strconv.Itoa(envs[i].MTU)
		steps := [][]string{
			{"-n", h.NS, "link", "add", "cni0", "type", "bridge"},
			{"-n", h.NS, "addr", "add", gw.String(), "dev", "cni0"},
			{"-n", h.NS, "link", "set", "cni0", "mtu", mtu, "up"},
			{"-n", h.NS, "link", "add", "vethpod", "mtu", mtu, "type", "veth", "peer", "name", "eth0", "netns", pod},
			{"-n", h.NS, "link", "set", "vethpod", "master", "cni0", "up"},
			{"-n", pod, "addr", "add", netip.PrefixFrom(e.podAddrs[i], gw.Bits()).String(), "dev", "eth0"},
			{"-n", pod, "link", "set", "eth0", "mtu", mtu, "up"},
			{"-n", pod, "link", "set", "lo", "up"},
			{"-n", pod, "route", "add", "default", "via", gw.Addr().String()},
		}
		for _, s := range steps {
			if err := nettest.IP(s...); err != nil {
				return err
			}
		}
		if err := h.Run("sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
			return err
		}
	}
	// Wait until each node routes to the other's subnet.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := measure(e.pods[0], e.pods[1], e.podAddrs[1], 10*time.Millisecond)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pods cannot reach each other: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tunnelTxBytes is what the first node's vxlan device has sent so far (0 if it has none).
func (e *env) tunnelTxBytes() int64 {
	nl, err := e.nodes[0].Handle()
	if err != nil {
		return 0
	}
	defer nl.Close()
	l, err := nl.LinkByName("flannel.1")
	if err != nil || l.Attrs().Statistics == nil {
		return 0
	}
	return int64(l.Attrs().Statistics.TxBytes)
}

func waitEnv(ctx context.Context, path, logPath string) (subnetenv.Env, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if env, err := subnetenv.Read(path); err == nil {
			return env, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	return subnetenv.Env{}, fmt.Errorf("flanneld wrote no %s; its log:\n%s", path, log)
}

func (e *env) close() error {
	for _, p := range e.procs {
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	if e.etcd != nil {
		e.etcd.Close()
	}
	var err error
	if e.lab != nil {
		err = e.lab.Close()
	}
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
	return err
}

type result struct {
	bytes   int64
	elapsed time.Duration
}

func (r *result) add(o result) { r.bytes += o.bytes; r.elapsed += o.elapsed }

func (r result) gbps() float64 { return float64(r.bytes) * 8 / r.elapsed.Seconds() / 1e9 }

// measure streams TCP from namespace src to dst (at addr) for d and returns what the receiver
// got and over how long, timed from its first byte to EOF.
func measure(src, dst string, addr netip.Addr, d time.Duration) (result, error) {
	var ln net.Listener
	if err := nettest.Do(dst, func() (err error) {
		ln, err = net.Listen("tcp", net.JoinHostPort(addr.String(), "0"))
		return err
	}); err != nil {
		return result{}, err
	}
	defer ln.Close()
	type recv struct {
		r   result
		err error
	}
	got := make(chan recv, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- recv{err: err}
			return
		}
		defer c.Close()
		buf := make([]byte, 256<<10)
		var r result
		var start time.Time
		for {
			n, err := c.Read(buf)
			if n > 0 && start.IsZero() {
				start = time.Now()
			}
			r.bytes += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				got <- recv{err: err}
				return
			}
		}
		r.elapsed = time.Since(start)
		got <- recv{r: r}
	}()
	var conn net.Conn
	if err := nettest.Do(src, func() (err error) {
		conn, err = net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
		return err
	}); err != nil {
		return result{}, err
	}
	buf := make([]byte, 256<<10)
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		_ = conn.SetWriteDeadline(end.Add(5 * time.Second))
		if _, err := conn.Write(buf); err != nil {
			conn.Close()
			return result{}, err
		}
	}
	if err := conn.Close(); err != nil {
		return result{}, err
	}
	select {
	case g := <-got:
		return g.r, g.err
	case <-time.After(10 * time.Second):
		return result{}, fmt.Errorf("receiver on %s did not finish", addr)
	}
}
