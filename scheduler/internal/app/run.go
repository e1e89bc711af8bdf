package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/leaderelection"
	"seven.dev/api/record"
	"seven.dev/scheduler/internal/scheduler"
)

// Run runs kube-scheduler until ctx ends (nil error) or leadership is lost (an error wrapping
// leaderelection.ErrLeaderLost: the process should exit and be restarted, as upstream's does).
// ready, when not nil, is called with the serving address once it listens.
func Run(ctx context.Context, o *Options, log *slog.Logger, reg *prometheus.Registry, ready func(addr string)) error {
	if err := o.Validate(); err != nil {
		return err
	}
	cfg, _, err := o.Kubeconfig.ClientConfig()
	if err != nil {
		return err
	}
	eventCfg := cfg
	cfg.QPS, cfg.Burst = o.KubeAPIQPS, o.KubeAPIBurst
	if cfg.UserAgent == "" {
		cfg.UserAgent = "kube-scheduler"
	}
	c, err := client.New(cfg)
	if err != nil {
		return fmt.Errorf("API client: %w", err)
	}
	// Events get a client (and rate limit) of their own so they never delay bindings.
	eventCfg.UserAgent = cfg.UserAgent
	eventCfg.QPS, eventCfg.Burst = o.KubeAPIQPS, o.KubeAPIBurst
	ec, err := client.New(eventCfg)
	if err != nil {
		return fmt.Errorf("event client: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: stop everything, then wait for it

	metrics := scheduler.NewMetrics(reg)
	rec := record.NewRecorder(record.SinkFor(ec), core.EventSource{Component: o.SchedulerName}, record.Options{Logger: log})
	wg.Add(1)
	go func() { defer wg.Done(); rec.Run(ctx) }()

	factory := informer.NewFactory(c, informer.FactoryOptions{Logger: log})
	sched := scheduler.New(scheduler.Config{
		SchedulerName:            o.SchedulerName,
		Factory:                  factory,
		Writer:                   scheduler.ClientWriter(c),
		Recorder:                 rec,
		Metrics:                  metrics,
		Logger:                   log,
		Seed:                     o.Seed,
		PercentageOfNodesToScore: o.PercentageOfNodesToScore,
		Parallelism:              o.Parallelism,
	})
	if addr := o.serveAddress(); addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("serve /healthz and /metrics: %w", err)
		}
		srv := &http.Server{Handler: mux(reg, sched.HasSynced, o.Profiling), ReadHeaderTimeout: 10 * time.Second}
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("serving failed", "err", err)
			}
		}()
		go func() {
			defer wg.Done()
			<-ctx.Done()
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			_ = srv.Shutdown(sctx)
		}()
		log.Info("serving healthz and metrics", "address", l.Addr().String())
		if ready != nil {
			ready(l.Addr().String())
		}
	}

	// Informers run whether or not this instance leads, so a standby has a warm cache.
	factory.Start(ctx)
	defer func() { cancel(); factory.Wait() }()

	if !o.LeaderElection.LeaderElect {
		sched.Run(ctx)
		return nil
	}
	id, err := identity()
	if err != nil {
		return err
	}
	le := o.LeaderElection.Config(id, leaderelection.LeaseClientFor(c), leaderelection.Callbacks{
		OnStartedLeading: func(ctx context.Context) {
			log.Info("became leader", "identity", id)
			sched.Run(ctx)
		},
		OnStoppedLeading: func() { log.Info("stopped leading", "identity", id) },
		OnNewLeader: func(holder string) {
			if holder != id {
				log.Info("new leader elected", "leader", holder)
			}
		},
	})
	le.ReleaseOnCancel = o.ReleaseOnCancel
	le.Logger = log
	err = leaderelection.Run(ctx, le)
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	return nil
}

// mux serves /healthz and /livez (the process is up), /readyz (the informer caches have
// synced), /metrics and, with profiling, /debug/pprof/.
func mux(reg *prometheus.Registry, synced func() bool, profiling bool) *http.ServeMux {
	m := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }
	m.HandleFunc("/healthz", ok)
	m.HandleFunc("/livez", ok)
	m.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !synced() {
			http.Error(w, "informer caches not synced", http.StatusServiceUnavailable)
			return
		}
		ok(w, r)
	})
	m.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if profiling {
		m.HandleFunc("/debug/pprof/", pprof.Index)
		m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		m.HandleFunc("/debug/pprof/profile", pprof.Profile)
		m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return m
}

// identity is upstream's "<hostname>_<random>".
func identity() (string, error) {
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("leader election identity: %w", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return host + "_" + hex.EncodeToString(b), nil
}
