// Command podbench measures pod startup latency on one real node, as `make bench` runs it:
// it starts its own containerd (own root, state and socket), a kube-apiserver on embedded
// etcd and one kubelet on that containerd with busybox and our pause image preloaded, then
// creates -pods busybox pods (at -qps, or as fast as the API server answers) (`sleep 3600`, imagePullPolicy IfNotPresent) bound to the node
// through spec.nodeName and reports the time from each create to a watcher seeing it
// Running: p50, p90, p99 and max, against upstream's SLO shape (target here: p99 <= 2 s).
// Everything it started or created is stopped and removed at the end, also on SIGINT.
//
//	podbench -bin _output/bin -pods 30
//
// It needs root and the containerd, containerd-shim-runc-v2 and runc binaries.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type options struct {
	bin     string
	logDir  string
	v       int
	busybox string
	pods    int
	qps     float64
	timeout time.Duration
	target  time.Duration
}

func main() {
	o := options{}
	defBin := os.Getenv("SEVEN_BIN")
	if defBin == "" {
		defBin = "_output/bin"
	}
	flag.StringVar(&o.bin, "bin", defBin, "directory with kube-apiserver and kubelet (each built on the fly when missing)")
	flag.StringVar(&o.busybox, "busybox", "/bin/busybox", "static busybox for the busybox image")
	flag.StringVar(&o.logDir, "log-dir", "", "keep the daemons' logs here (they are removed with everything else by default)")
	flag.IntVar(&o.v, "v", 0, "the kubelet's --v")
	flag.IntVar(&o.pods, "pods", 30, "pods to create")
	flag.Float64Var(&o.qps, "qps", 0, "create pods at this rate (0: one after the other, as fast as the API server answers)")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long to wait for all pods to run")
	flag.DurationVar(&o.target, "target", 2*time.Second, "the p99 target reported against")
	flag.Parse()
	if abs, err := filepath.Abs(o.bin); err == nil {
		o.bin = abs
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "podbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (it runs containerd)")
	}
	load := loadavg()
	n, err := startNode(ctx, o)
	if n != nil {
		defer n.stop()
	}
	if err != nil {
		n.tailLogs(os.Stderr, 40)
		return err
	}
	res, err := measure(ctx, n.client, n.name, o.pods, o.qps, o.timeout)
	// Delete the pods whatever happened, while the kubelet still runs to stop them.
	if cerr := deletePods(n.client, n.name, o.pods); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		n.tailLogs(os.Stderr, 40)
		return err
	}
	res.print(os.Stdout, o.pods, o.qps, o.target)
	fmt.Printf("load average before / after: %s / %s on %d CPUs\n", load, loadavg(), runtime.NumCPU())
	return nil
}

// loadavg is the 1-minute load average: figures taken on a busy machine say so.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b) + " ?")[0]
}
