package workqueue

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Upstream's metric names (k8s.io/component-base workqueue metrics), subsystem "workqueue".
const (
	metricDepth         = "workqueue_depth"
	metricAdds          = "workqueue_adds_total"
	metricRetries       = "workqueue_retries_total"
	metricQueueDuration = "workqueue_queue_duration_seconds"
	metricWorkDuration  = "workqueue_work_duration_seconds"
)

// durationBuckets span 10 ns to 1000 s, as upstream's.
func durationBuckets() []float64 { return prometheus.ExponentialBuckets(10e-9, 10, 12) }

// metrics records one queue's numbers. A nil *metrics records nothing. Its methods are
// called with the queue's lock held (retry excepted), which also guards the time maps.
type metrics[T comparable] struct {
	clock         Clock
	depth         prometheus.Gauge
	adds          prometheus.Counter
	retries       prometheus.Counter
	queueDuration prometheus.Observer
	workDuration  prometheus.Observer

	addTimes        map[T]time.Time
	processingStart map[T]time.Time
}

func newMetrics[T comparable](reg prometheus.Registerer, name string, clock Clock) *metrics[T] {
	if reg == nil {
		return nil
	}
	labels := []string{"name"}
	depth := register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: metricDepth, Help: "Current depth of workqueue",
	}, labels))
	adds := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: metricAdds, Help: "Total number of adds handled by workqueue",
	}, labels))
	retries := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: metricRetries, Help: "Total number of retries handled by workqueue",
	}, labels))
	queueDuration := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: metricQueueDuration, Help: "How long in seconds an item stays in workqueue before being requested.",
		Buckets: durationBuckets(),
	}, labels))
	workDuration := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: metricWorkDuration, Help: "How long in seconds processing an item from workqueue takes.",
		Buckets: durationBuckets(),
	}, labels))
	return &metrics[T]{
		clock:           clock,
		depth:           depth.WithLabelValues(name),
		adds:            adds.WithLabelValues(name),
		retries:         retries.WithLabelValues(name),
		queueDuration:   queueDuration.WithLabelValues(name),
		workDuration:    workDuration.WithLabelValues(name),
		addTimes:        map[T]time.Time{},
		processingStart: map[T]time.Time{},
	}
}

// register registers c, or returns the collector of the same name already registered by
// another queue on reg, so queues can share a registry.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		// A different collector under our name is a programming error in the caller's
		// wiring; fail as MustRegister would.
		panic(err)
	}
	return c
}

func (m *metrics[T]) add(item T) {
	if m == nil {
		return
	}
	m.adds.Inc()
	m.depth.Inc()
	if _, ok := m.addTimes[item]; !ok {
		m.addTimes[item] = m.clock.Now()
	}
}

func (m *metrics[T]) get(item T) {
	if m == nil {
		return
	}
	m.depth.Dec()
	now := m.clock.Now()
	m.processingStart[item] = now
	if t, ok := m.addTimes[item]; ok {
		m.queueDuration.Observe(now.Sub(t).Seconds())
		delete(m.addTimes, item)
	}
}

func (m *metrics[T]) done(item T) {
	if m == nil {
		return
	}
	if t, ok := m.processingStart[item]; ok {
		m.workDuration.Observe(m.clock.Now().Sub(t).Seconds())
		delete(m.processingStart, item)
	}
}

func (m *metrics[T]) retry() {
	if m == nil {
		return
	}
	m.retries.Inc()
}
