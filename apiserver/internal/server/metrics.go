package server

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/handlers"
	"seven.dev/apiserver/internal/storage"
)

// metrics are the server's Prometheus series, with upstream's names.
type metrics struct {
	gatherer   prometheus.Gatherer
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	longRun    *prometheus.GaugeVec
	watchers   *prometheus.GaugeVec
	etcd       *prometheus.HistogramVec
	etcdErrors *prometheus.CounterVec
	objects    *prometheus.GaugeVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		gatherer: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiserver_request_total",
			Help: "Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.",
		}, []string{"verb", "group", "version", "resource", "subresource", "scope", "component", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "apiserver_request_duration_seconds",
			Help:    "Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.",
			Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
		}, []string{"verb", "group", "version", "resource", "subresource", "scope", "component"}),
		longRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_longrunning_requests",
			Help: "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.",
		}, []string{"verb", "group", "version", "resource", "subresource", "scope", "component"}),
		watchers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_registered_watchers",
			Help: "Number of currently registered watchers for a given resources",
		}, []string{"group", "version", "kind"}),
		etcd: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "etcd_request_duration_seconds",
			Help:    "Etcd request latency in seconds for each operation and object type.",
			Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
		}, []string{"operation", "type"}),
		etcdErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etcd_request_errors_total",
			Help: "Etcd failed request counts for each operation and object type.",
		}, []string{"operation", "type"}),
		objects: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_storage_objects",
			Help: "Number of stored objects at the time of last check split by kind.",
		}, []string{"resource"}),
	}
	reg.MustRegister(m.requests, m.duration, m.longRun, m.watchers, m.etcd, m.etcdErrors, m.objects,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Inc and Dec count registered watchers (handlers.Config.Watches).
func (m *metrics) Inc(group, version, kind string) {
	m.watchers.WithLabelValues(group, version, kind).Inc()
}

// Dec is the counterpart of Inc.
func (m *metrics) Dec(group, version, kind string) {
	m.watchers.WithLabelValues(group, version, kind).Dec()
}

// statusRecorder remembers the response code and keeps Flush working for watches.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijacking is not supported")
}

func (m *metrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := handlers.ParseRequestInfo(r)
		if !info.IsResource {
			next.ServeHTTP(w, r)
			return
		}
		verb := upstreamVerb(info.Verb)
		scope := "cluster"
		switch {
		case info.Name != "":
			scope = "resource"
		case info.Namespace != "":
			scope = "namespace"
		}
		labels := []string{verb, info.Group, info.Version, info.Resource, info.Subresource, scope, "apiserver"}
		if verb == "WATCH" {
			g := m.longRun.WithLabelValues(labels...)
			g.Inc()
			defer g.Dec()
		}
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(rec, r)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		m.duration.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(append(labels, strconv.Itoa(code))...).Inc()
	})
}

func upstreamVerb(v string) string {
	switch v {
	case "get":
		return "GET"
	case "list":
		return "LIST"
	case "watch":
		return "WATCH"
	case "create":
		return "POST"
	case "update":
		return "PUT"
	case "patch":
		return "PATCH"
	case "delete", "deletecollection":
		return "DELETE"
	}
	return v
}

// instrument wraps a store so every etcd-bound call is timed.
func (m *metrics) instrument(resource string, s storage.Store) storage.Store {
	return &timedStore{Store: s, m: m, resource: resource}
}

type timedStore struct {
	storage.Store
	m        *metrics
	resource string
}

func (t *timedStore) observe(op string, start time.Time, err error) {
	t.m.etcd.WithLabelValues(op, t.resource).Observe(time.Since(start).Seconds())
	if err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrAlreadyExists) && !errors.Is(err, storage.ErrConflict) {
		t.m.etcdErrors.WithLabelValues(op, t.resource).Inc()
	}
}

func (t *timedStore) Create(ctx context.Context, obj meta.Object) (meta.Object, error) {
	start := time.Now()
	out, err := t.Store.Create(ctx, obj)
	t.observe("create", start, err)
	return out, err
}

func (t *timedStore) Get(ctx context.Context, ns, name string) (meta.Object, error) {
	start := time.Now()
	out, err := t.Store.Get(ctx, ns, name)
	t.observe("get", start, err)
	return out, err
}

func (t *timedStore) List(ctx context.Context, ns string, opts storage.ListOptions) (storage.ListResult, error) {
	start := time.Now()
	out, err := t.Store.List(ctx, ns, opts)
	t.observe("list", start, err)
	return out, err
}

func (t *timedStore) GuaranteedUpdate(ctx context.Context, ns, name string, pre *storage.Preconditions, fn storage.UpdateFunc) (meta.Object, error) {
	start := time.Now()
	out, err := t.Store.GuaranteedUpdate(ctx, ns, name, pre, fn)
	t.observe("update", start, err)
	return out, err
}

func (t *timedStore) Delete(ctx context.Context, ns, name string, pre *storage.Preconditions, check func(meta.Object) error) (meta.Object, error) {
	start := time.Now()
	out, err := t.Store.Delete(ctx, ns, name, pre, check)
	t.observe("delete", start, err)
	return out, err
}

// Collect refreshes the object counts (called before each scrape would be nicer; a
// periodic refresh is enough for a gauge named "at the time of last check").
func (m *metrics) refreshObjects(stores map[string]storage.Store) {
	for res, s := range stores {
		m.objects.WithLabelValues(res).Set(float64(s.Count()))
	}
}
