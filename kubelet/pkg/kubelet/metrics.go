package kubelet

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the kubelet's Prometheus metrics, under upstream's names.
type Metrics struct {
	Registry *prometheus.Registry
	// PodStartDuration is kubelet_pod_start_duration_seconds: pod creation to Running.
	PodStartDuration prometheus.Histogram
	// RuntimeOps is kubelet_runtime_operations_duration_seconds by operation_type.
	RuntimeOps *prometheus.HistogramVec
	// RuntimeErrors is kubelet_runtime_operations_errors_total by operation_type.
	RuntimeErrors *prometheus.CounterVec
}

// NewMetrics builds the metrics in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		PodStartDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kubelet_pod_start_duration_seconds",
			Help:    "Duration in seconds from the pod's creation to the kubelet seeing it Running.",
			Buckets: []float64{0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600},
		}),
		RuntimeOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kubelet_runtime_operations_duration_seconds",
			Help:    "Duration in seconds of runtime operations, by operation type.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 14),
		}, []string{"operation_type"}),
		RuntimeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubelet_runtime_operations_errors_total",
			Help: "Cumulative number of runtime operation errors, by operation type.",
		}, []string{"operation_type"}),
	}
	m.Registry.MustRegister(m.PodStartDuration, m.RuntimeOps, m.RuntimeErrors)
	return m
}

func (m *Metrics) observeOp(op string, t0 time.Time, err error) {
	m.RuntimeOps.WithLabelValues(op).Observe(time.Since(t0).Seconds())
	if err != nil {
		m.RuntimeErrors.WithLabelValues(op).Inc()
	}
}

// metricsHandler serves /metrics.
func (k *Kubelet) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kubelet_running_pods", Help: "Number of pods that have a running container."},
		func() float64 { p, _ := k.runningCounts(); return float64(p) }))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kubelet_running_containers", Help: "Number of running containers."},
		func() float64 { _, c := k.runningCounts(); return float64(c) }))
	return promhttp.HandlerFor(prometheus.Gatherers{reg, k.metrics.Registry}, promhttp.HandlerOpts{})
}

// serve listens on the healthz and server addresses until ctx ends; requests (exec and
// followed logs included) get contexts derived from ctx.
func (k *Kubelet) serve(ctx context.Context, bg *sync.WaitGroup) error {
	h := k.Handler()
	for i, addr := range []string{k.opts.HealthzAddr, k.opts.ServerAddr} {
		if addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		if i == 1 {
			k.port.Store(int32(ln.Addr().(*net.TCPAddr).Port))
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
		bg.Add(2)
		go func() {
			defer bg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				k.log.Warn("serve", "addr", addr, "err", err)
			}
		}()
		go func() {
			defer bg.Done()
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
	}
	return nil
}
