package daemon

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are flanneld's Prometheus metrics, in a registry of their own (no global state).
type metrics struct {
	registry      *prometheus.Registry
	leaseExpiry   prometheus.Gauge
	remoteSubnets prometheus.Gauge
	etcdErrors    *prometheus.CounterVec
	backendErrors prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		leaseExpiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "flanneld_subnet_lease_expiration_timestamp_seconds",
			Help: "When this node's subnet lease expires unless renewed, in seconds since the Unix epoch.",
		}),
		remoteSubnets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "flanneld_remote_subnets",
			Help: "Number of other nodes' subnets this node routes to.",
		}),
		etcdErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "flanneld_etcd_errors_total",
			Help: "Failed etcd requests, by operation.",
		}, []string{"operation"}),
		backendErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "flanneld_backend_sync_errors_total",
			Help: "Failed attempts to bring routes, fdb and neighbour entries in step with the leases.",
		}),
	}
	m.registry.MustRegister(m.leaseExpiry, m.remoteSubnets, m.etcdErrors, m.backendErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}
