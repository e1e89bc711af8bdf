package workqueue

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// series returns the series of family for the queue name.
func series(t *testing.T, reg *prometheus.Registry, family, name string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != family {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelValue(m, "name") == name {
				return m
			}
		}
	}
	t.Fatalf("no %s{name=%q}", family, name)
	return nil
}

// histogram returns the sample count and sum of a histogram series.
func histogram(t *testing.T, reg *prometheus.Registry, family, name string) (uint64, float64) {
	t.Helper()
	h := series(t, reg, family, name).GetHistogram()
	return h.GetSampleCount(), h.GetSampleSum()
}

// value returns the value of a counter or gauge series.
func value(t *testing.T, reg *prometheus.Registry, family, name string) float64 {
	t.Helper()
	m := series(t, reg, family, name)
	if c := m.GetCounter(); c != nil {
		return c.GetValue()
	}
	return m.GetGauge().GetValue()
}

func labelValue(m *dto.Metric, label string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == label {
			return l.GetValue()
		}
	}
	return ""
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	clock := newFakeClock()
	q := New(Config[string]{Name: "deployment", Registerer: reg, Clock: clock})
	defer q.ShutDown()
	other := New(Config[string]{Name: "replicaset", Registerer: reg, Clock: clock}) // shares the families
	defer other.ShutDown()
	other.Add("x")

	q.Add("a")
	q.Add("b")
	q.Add("a") // deduplicated: not an add
	depth := func() float64 { return value(t, reg, metricDepth, "deployment") }
	if got := value(t, reg, metricAdds, "deployment"); got != 2 {
		t.Fatalf("%s = %v, want 2", metricAdds, got)
	}
	if got := depth(); got != 2 {
		t.Fatalf("%s = %v, want 2", metricDepth, got)
	}
	clock.Step(2 * time.Second)
	item, _ := q.Get()
	if got := depth(); got != 1 {
		t.Fatalf("%s = %v after Get, want 1", metricDepth, got)
	}
	clock.Step(3 * time.Second)
	q.Done(item)
	if n, sum := histogram(t, reg, metricQueueDuration, "deployment"); n != 1 || sum != 2 {
		t.Fatalf("%s: count %d sum %v, want 1 and 2s", metricQueueDuration, n, sum)
	}
	if n, sum := histogram(t, reg, metricWorkDuration, "deployment"); n != 1 || sum != 3 {
		t.Fatalf("%s: count %d sum %v, want 1 and 3s", metricWorkDuration, n, sum)
	}
	q.AddRateLimited("a")
	q.AddAfter("c", time.Second)
	if got := value(t, reg, metricRetries, "deployment"); got != 2 {
		t.Fatalf("%s = %v, want 2", metricRetries, got)
	}
	if got := value(t, reg, metricAdds, "replicaset"); got != 1 {
		t.Fatalf("%s{name=replicaset} = %v, want 1", metricAdds, got)
	}
	if n, err := testutil.GatherAndCount(reg, metricDepth); err != nil || n != 2 {
		t.Fatalf("%s series = %d (%v), want one per queue", metricDepth, n, err)
	}
}

func TestNoRegistererNoMetrics(t *testing.T) {
	q := New(Config[string]{})
	defer q.ShutDown()
	q.Add("a")
	item, _ := q.Get()
	q.Done(item)
	q.AddRateLimited("a")
}
