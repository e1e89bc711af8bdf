package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	binDir       string
	nodes, pods  int
	clients      int
	heartbeat    time.Duration
	timeout      time.Duration
	keep         bool
	schedulerArg string
	cpuProfile   string
	backlog      bool
}

func main() {
	var o options
	flag.StringVar(&o.binDir, "bin", "_output/bin", "directory of the built kube-apiserver and kube-scheduler")
	flag.IntVar(&o.nodes, "nodes", 5000, "hollow nodes to register")
	flag.IntVar(&o.pods, "pods", 10000, "pods to schedule")
	flag.IntVar(&o.clients, "clients", 50, "concurrent clients creating nodes and pods")
	flag.DurationVar(&o.heartbeat, "heartbeat", 10*time.Second, "node Lease renewal interval")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory with the logs")
	flag.StringVar(&o.schedulerArg, "scheduler-args", "--kube-api-qps=5000 --kube-api-burst=10000 --leader-elect=false",
		"extra kube-scheduler flags, space-separated (no election by default: on an overloaded machine a missed renewal would end the run, not measure it)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a 15 s CPU profile of kube-scheduler, taken while it drains the backlog (or, with -backlog=false, while pods are created), to this file")
	flag.BoolVar(&o.backlog, "backlog", true, "also measure a restarted scheduler draining as many pods created while it was down")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "schedbench: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) (err error) {
	ctx, cancel := context.WithTimeoutCause(context.Background(), o.timeout, fmt.Errorf("gave up after -timeout %v", o.timeout))
	defer cancel()
	// A daemon that dies ends the run at once, with the reason.
	ctx, died := context.WithCancelCause(ctx)
	defer died(nil)
	dir, err := os.MkdirTemp("", "schedbench-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep || err != nil {
			fmt.Println("logs kept in", dir)
			return
		}
		os.RemoveAll(dir)
	}()
	h := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2}}

	ports, err := freePorts(4)
	if err != nil {
		return err
	}
	server := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	stopAPI, err := start(dir, filepath.Join(o.binDir, "kube-apiserver"), died, "--data-dir="+filepath.Join(dir, "etcd"),
		"--port="+strconv.Itoa(ports[0]),
		"--embedded-etcd-client-url=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--embedded-etcd-peer-url=http://127.0.0.1:"+strconv.Itoa(ports[2]))
	if err != nil {
		return err
	}
	defer stopAPI()
	if err := waitOK(ctx, h, server+"/readyz"); err != nil {
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	fmt.Printf("kube-apiserver %s, %d CPUs; load average before: %s\n", server, numCPU(), loadavg())

	t0 := time.Now()
	if err := registerNodes(ctx, h, server, o.nodes, o.clients); err != nil {
		return err
	}
	fmt.Printf("registered %d hollow nodes (Ready; cpu 4, memory 16Gi, pods 110) with leases in %.1fs\n", o.nodes, time.Since(t0).Seconds())
	var hb sync.WaitGroup
	hbCtx, hbStop := context.WithCancel(ctx)
	var renewals, renewErrs atomic.Int64
	hb.Add(1)
	go func() { defer hb.Done(); heartbeat(hbCtx, h, server, o.nodes, o.heartbeat, &renewals, &renewErrs) }()
	defer func() { hbStop(); hb.Wait() }()

	metricsAddr := "127.0.0.1:" + strconv.Itoa(ports[3])
	args := []string{"--master=" + server, "--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(ports[3])}
	args = append(args, strings.Fields(o.schedulerArg)...)
	startScheduler := func() (func(), time.Duration, error) {
		t := time.Now()
		stop, err := start(dir, filepath.Join(o.binDir, "kube-scheduler"), died, args...)
		if err != nil {
			return nil, 0, err
		}
		if err := waitOK(ctx, h, "http://"+metricsAddr+"/readyz"); err != nil {
			stop()
			return nil, 0, fmt.Errorf("kube-scheduler: %w", err)
		}
		return stop, time.Since(t), nil
	}
	stopSched, synced, err := startScheduler()
	if err != nil {
		return err
	}
	fmt.Printf("kube-scheduler %s synced in %.1fs\n", strings.Join(args[1:], " "), synced.Seconds())
	profile := func() {
		if o.cpuProfile == "" {
			return
		}
		go func() {
			if err := saveProfile(h, "http://"+metricsAddr+"/debug/pprof/profile?seconds=15", o.cpuProfile); err != nil {
				fmt.Fprintf(os.Stderr, "schedbench: profile: %v\n", err)
			}
		}()
	}
	if !o.backlog {
		profile()
	}
	res, err := schedulePods(ctx, h, server, 0, o.pods, o.clients, nil)
	if err != nil {
		stopSched()
		return err
	}
	m, _ := scrape(h, "http://"+metricsAddr+"/metrics", "scheduler_schedule_attempts_total")
	stopSched()
	rate := float64(o.pods) / res.elapsed.Seconds()
	fmt.Printf("created %d pods in %.2fs (%.0f/s) from %d clients\n", o.pods, res.created.Seconds(), float64(o.pods)/res.created.Seconds(), o.clients)
	fmt.Printf("create->bound latency p50 %.0fms p99 %.0fms max %.0fms\n", ms(pct(res.latency, 50)), ms(pct(res.latency, 99)), ms(pct(res.latency, 100)))
	fmt.Printf("scheduler metrics: %s\n", m)
	fmt.Printf("end to end: %d pods on %d nodes, created and bound in %.2fs = %.0f pods/s (load average %s)\n",
		o.pods, o.nodes, res.elapsed.Seconds(), rate, loadavg())
	if !o.backlog {
		return nil
	}

	// Backlog: pods created while no scheduler runs, then a scheduler drains them. This
	// takes the creation rate out of the figure.
	var stopBacklog func()
	res, err = schedulePods(ctx, h, server, o.pods, o.pods, o.clients, func() (time.Time, error) {
		var synced time.Duration
		var err error
		stopBacklog, synced, err = startScheduler()
		if err != nil {
			return time.Time{}, err
		}
		fmt.Printf("backlog: %d pods pending; kube-scheduler restarted and synced in %.1fs\n", o.pods, synced.Seconds())
		profile()
		return time.Now(), nil
	})
	if stopBacklog != nil {
		defer stopBacklog()
	}
	if err != nil {
		return err
	}
	fmt.Printf("backlog: %d pods bound %.2fs after the scheduler was ready = %.0f pods/s (load average %s)\n",
		o.pods, res.elapsed.Seconds(), float64(o.pods)/res.elapsed.Seconds(), loadavg())
	fmt.Printf("heartbeats: %d lease renewals (%d failed) during the run; the machine is shared, so other processes add noise\n",
		renewals.Load(), renewErrs.Load())
	return nil
}
