package prober

import (
	"context"
	"fmt"
	"sync"
	"time"

	"seven.dev/api/core"
)

// Kind is a probe's kind.
type Kind string

// Values of Kind.
const (
	Liveness  Kind = "Liveness"
	Readiness Kind = "Readiness"
	Startup   Kind = "Startup"
)

// Running is a running container to probe.
type Running struct {
	Spec *core.Container
	ID   string
	// StartedAt is when the container started (initialDelaySeconds counts from it).
	StartedAt time.Time
	Target    Target
}

// Manager probes the running containers of one pod.
type Manager struct {
	// OnChange is called (from a probe goroutine) when a result changes.
	OnChange func()
	// Event records an event on the pod: type, reason, message.
	Event func(typ, reason, msg string)

	mu      sync.Mutex
	workers map[key]*probeWorker
	results map[key]Result
	wg      sync.WaitGroup
}

type key struct {
	id   string
	kind Kind
}

type probeWorker struct {
	cancel context.CancelFunc
}

// Result returns the latest result of a probe of container id: Unknown before any.
func (m *Manager) Result(id string, kind Kind) Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.results[key{id, kind}]
}

func (m *Manager) set(k key, r Result) {
	m.mu.Lock()
	if m.results == nil {
		m.results = map[key]Result{}
	}
	changed := m.results[k] != r
	m.results[k] = r
	m.mu.Unlock()
	if changed && m.OnChange != nil {
		m.OnChange()
	}
}

// Sync starts probing the containers in running that have probes and stops probing every
// other container. ctx owns the goroutines; Stop waits for them.
func (m *Manager) Sync(ctx context.Context, running []Running) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.workers == nil {
		m.workers = map[key]*probeWorker{}
	}
	want := map[key]bool{}
	for _, r := range running {
		for kind, p := range map[Kind]*core.Probe{Liveness: r.Spec.LivenessProbe, Readiness: r.Spec.ReadinessProbe, Startup: r.Spec.StartupProbe} {
			if p == nil {
				continue
			}
			k := key{r.ID, kind}
			want[k] = true
			if m.workers[k] != nil {
				continue
			}
			wctx, cancel := context.WithCancel(ctx)
			m.workers[k] = &probeWorker{cancel: cancel}
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				m.run(wctx, k, Defaults(p), r)
			}()
		}
	}
	for k, w := range m.workers {
		if !want[k] {
			w.cancel()
			delete(m.workers, k)
			delete(m.results, k)
		}
	}
}

// Stop stops every probe and waits for the goroutines.
func (m *Manager) Stop() {
	m.Sync(context.Background(), nil)
	m.wg.Wait()
}

func (m *Manager) run(ctx context.Context, k key, p core.Probe, r Running) {
	delay := time.Until(r.StartedAt.Add(time.Duration(p.InitialDelaySeconds) * time.Second))
	period := time.Duration(p.PeriodSeconds) * time.Second
	if delay < 0 {
		delay = 0
	}
	if k.kind == Liveness {
		m.set(k, Success) // alive until proven otherwise
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	last, count := Unknown, 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		timer.Reset(period)
		if k.kind != Startup && r.Spec.StartupProbe != nil && m.Result(r.ID, Startup) != Success {
			continue // liveness and readiness wait for the startup probe
		}
		res, msg := Run(ctx, &p, r.Spec, r.Target)
		if ctx.Err() != nil {
			return
		}
		if res == Unknown {
			continue
		}
		if res == last {
			count++
		} else {
			last, count = res, 1
		}
		if res == Failure && m.Event != nil {
			m.Event(core.EventTypeWarning, "Unhealthy", fmt.Sprintf("%s probe failed: %s", k.kind, msg))
		}
		switch {
		case res == Failure && count >= int(p.FailureThreshold):
			m.set(k, Failure)
			if k.kind != Readiness {
				return // the container is restarted: a new one gets a new worker
			}
		case res == Success && count >= int(p.SuccessThreshold):
			m.set(k, Success)
			if k.kind == Startup {
				return
			}
		}
	}
}
