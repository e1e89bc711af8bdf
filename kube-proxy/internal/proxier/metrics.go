package proxier

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the sync metrics, under upstream kube-proxy's names.
type Metrics struct {
	duration, fullDuration, partialDuration prometheus.Histogram
	rulesTotal                              *prometheus.GaugeVec
	lastSync                                prometheus.Gauge
	failures                                prometheus.Counter
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	buckets := prometheus.ExponentialBuckets(0.001, 2, 15)
	m := &Metrics{
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Subsystem: "kubeproxy", Name: "sync_proxy_rules_duration_seconds",
			Help: "SyncProxyRules latency in seconds", Buckets: buckets}),
		fullDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Subsystem: "kubeproxy", Name: "sync_full_proxy_rules_duration_seconds",
			Help: "SyncProxyRules latency in seconds for full resyncs", Buckets: buckets}),
		partialDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Subsystem: "kubeproxy", Name: "sync_partial_proxy_rules_duration_seconds",
			Help: "SyncProxyRules latency in seconds for partial resyncs", Buckets: buckets}),
		rulesTotal: prometheus.NewGaugeVec(prometheus.GaugeOpts{Subsystem: "kubeproxy", Name: "sync_proxy_rules_iptables_total",
			Help: "Total number of iptables rules owned by kube-proxy"}, []string{"table"}),
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{Subsystem: "kubeproxy", Name: "sync_proxy_rules_last_timestamp_seconds",
			Help: "The last time proxy rules were successfully synced"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Subsystem: "kubeproxy", Name: "sync_proxy_rules_iptables_restore_failures_total",
			Help: "Cumulative proxy iptables restore failures"}),
	}
	reg.MustRegister(m.duration, m.fullDuration, m.partialDuration, m.rulesTotal, m.lastSync, m.failures)
	return m
}

func (m *Metrics) synced(d time.Duration, full bool, at time.Time) {
	if m == nil {
		return
	}
	m.duration.Observe(d.Seconds())
	if full {
		m.fullDuration.Observe(d.Seconds())
	} else {
		m.partialDuration.Observe(d.Seconds())
	}
	m.lastSync.Set(float64(at.UnixNano()) / 1e9)
}

func (m *Metrics) rules(nat, filter int) {
	if m == nil {
		return
	}
	m.rulesTotal.WithLabelValues("nat").Set(float64(nat))
	m.rulesTotal.WithLabelValues("filter").Set(float64(filter))
}

// nftRules records the rule count of nftables mode, under the table label "kube-proxy".
func (m *Metrics) nftRules(n int) {
	if m == nil {
		return
	}
	m.rulesTotal.WithLabelValues("kube-proxy").Set(float64(n))
}

func (m *Metrics) failed() {
	if m == nil {
		return
	}
	m.failures.Inc()
}
