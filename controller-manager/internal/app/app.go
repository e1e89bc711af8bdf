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
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/leaderelection"
	"seven.dev/api/record"
	"seven.dev/controller-manager/internal/controller"
)

// Context is what a controller's constructor gets: the shared client, informers, metrics,
// events and options of the process.
type Context struct {
	Client   *client.Client
	Factory  *informer.Factory
	Metrics  *controller.Metrics
	Recorder *record.Recorder
	Logger   *slog.Logger
	Options  *Options
}

// Starter registers a controller's handlers and returns its run function, called once the
// caches have synced; run must return when ctx ends.
type Starter func(cc *Context) (run func(ctx context.Context), err error)

// Run serves /healthz and /metrics and runs the enabled controllers, under leader election
// when it is on, until ctx ends (nil) or leadership is lost (an error: the process should
// exit, as upstream's does).
func Run(ctx context.Context, o *Options, logger *slog.Logger) error {
	if err := o.Validate(); err != nil {
		return err
	}
	cfg, _, err := o.Server.ClientConfig()
	if err != nil {
		return err
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "kube-controller-manager"
	}
	c, err := client.New(cfg)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	leading := prometheus.NewGauge(prometheus.GaugeOpts{Name: "leader_election_master_status", Help: "1 while this process is the leader.", ConstLabels: prometheus.Labels{"name": o.Election.ResourceName}})
	reg.MustRegister(leading)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	if addr := o.ServingAddress(); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		srv := &http.Server{Handler: mux(reg), ReadHeaderTimeout: 10 * time.Second}
		wg.Add(2)
		go func() { defer wg.Done(); _ = srv.Serve(ln) }()
		go func() { defer wg.Done(); <-ctx.Done(); _ = srv.Close() }()
		logger.Info("serving healthz and metrics", "address", ln.Addr().String())
	}

	work := func(ctx context.Context) {
		leading.Set(1)
		defer leading.Set(0)
		if err := runControllers(ctx, c, reg, o, logger); err != nil {
			logger.Error("controllers failed", "err", err)
		}
	}
	if !o.Election.LeaderElect {
		work(ctx)
		return nil
	}
	id := o.Identity
	if id == "" {
		host, _ := os.Hostname()
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = host + "_" + hex.EncodeToString(b)
	}
	lc := o.Election.Config(id, leaderelection.LeaseClientFor(c), leaderelection.Callbacks{
		OnStartedLeading: work,
		OnNewLeader:      func(who string) { logger.Info("leader", "identity", who) },
	})
	lc.ReleaseOnCancel = true
	lc.Logger = logger
	err = leaderelection.Run(ctx, lc)
	if errors.Is(err, leaderelection.ErrLeaderLost) {
		return err
	}
	return nil
}

func mux(reg *prometheus.Registry) *http.ServeMux {
	m := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }
	m.HandleFunc("/healthz", ok)
	m.HandleFunc("/livez", ok)
	m.HandleFunc("/readyz", ok)
	m.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return m
}

// runControllers starts the enabled controllers and blocks until ctx ends.
func runControllers(ctx context.Context, c *client.Client, reg prometheus.Registerer, o *Options, logger *slog.Logger) error {
	rec := record.NewRecorder(record.SinkFor(c), core.EventSource{Component: "controller-manager"}, record.Options{Logger: logger})
	cc := &Context{
		Client:   c,
		Factory:  informer.NewFactory(c, informer.FactoryOptions{Logger: logger}),
		Metrics:  controller.NewMetrics(reg),
		Recorder: rec,
		Logger:   logger,
		Options:  o,
	}
	var runs []func(context.Context)
	for _, name := range KnownControllers() {
		if !o.Enabled(name) {
			continue
		}
		run, err := controllers[name](cc)
		if err != nil {
			return fmt.Errorf("start %s controller: %w", name, err)
		}
		logger.Info("started controller", "controller", name)
		runs = append(runs, run)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { defer wg.Done(); rec.Run(ctx) }()
	cc.Factory.Start(ctx)
	defer cc.Factory.Wait()
	for kind, ok := range cc.Factory.WaitForCacheSync(ctx) {
		if !ok {
			return fmt.Errorf("cache of %s did not sync: %w", kind.Resource, ctx.Err())
		}
	}
	for _, run := range runs {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	<-ctx.Done()
	return nil
}
