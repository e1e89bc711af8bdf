package controller

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"seven.dev/api/workqueue"
)

// Metrics are the sync metrics shared by every controller of a process; the workqueue_*
// metrics come from the workqueue package itself.
type Metrics struct {
	Registerer   prometheus.Registerer
	syncDuration *prometheus.HistogramVec
	syncErrors   *prometheus.CounterVec
}

// NewMetrics registers the sync metrics on reg (nil means none are exported).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Registerer: reg,
		syncDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "controller_sync_duration_seconds",
			Help:    "Time one sync of one key took, by controller.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}, []string{"controller"}),
		syncErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "controller_sync_errors_total",
			Help: "Syncs that returned an error and were requeued, by controller.",
		}, []string{"controller"}),
	}
	if reg != nil {
		reg.MustRegister(m.syncDuration, m.syncErrors)
	}
	return m
}

// Runner feeds the keys of one controller's queue to its sync function.
type Runner struct {
	// Name is the controller's upstream name ("replicaset"); it labels metrics and logs.
	Name  string
	Queue *workqueue.Queue[string]
	// Sync reconciles one key. It must be idempotent; an error requeues the key with backoff.
	Sync    func(ctx context.Context, key string) error
	Logger  *slog.Logger
	Metrics *Metrics
	// MaxRetries drops a key after so many consecutive failures (0 means never).
	MaxRetries int
}

// NewRunner builds a runner with a queue named after the controller, reporting to m.
func NewRunner(name string, m *Metrics, logger *slog.Logger, sync func(context.Context, string) error) *Runner {
	if m == nil {
		m = NewMetrics(nil)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	q := workqueue.New(workqueue.Config[string]{Name: name, Registerer: m.Registerer})
	return &Runner{Name: name, Queue: q, Sync: sync, Logger: logger.With("controller", name), Metrics: m}
}

// Run processes keys with workers goroutines until ctx ends, then shuts the queue down and
// waits for the workers.
func (r *Runner) Run(ctx context.Context, workers int) {
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r.processNext(ctx) {
			}
		}()
	}
	<-ctx.Done()
	r.Queue.ShutDown()
	wg.Wait()
}

func (r *Runner) processNext(ctx context.Context) bool {
	key, shutdown := r.Queue.Get()
	if shutdown {
		return false
	}
	defer r.Queue.Done(key)
	start := time.Now()
	err := r.Sync(ctx, key)
	r.Metrics.syncDuration.WithLabelValues(r.Name).Observe(time.Since(start).Seconds())
	if err == nil {
		r.Queue.Forget(key)
		return true
	}
	r.Metrics.syncErrors.WithLabelValues(r.Name).Inc()
	if ctx.Err() != nil {
		return true
	}
	if r.MaxRetries > 0 && r.Queue.NumRequeues(key) >= r.MaxRetries {
		r.Logger.Warn("dropping key after repeated failures", "key", key, "err", err)
		r.Queue.Forget(key)
		return true
	}
	r.Logger.Info("sync failed, requeueing", "key", key, "err", err)
	r.Queue.AddRateLimited(key)
	return true
}
