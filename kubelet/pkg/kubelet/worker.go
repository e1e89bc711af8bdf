package kubelet

import (
	"context"
	"sync"
	"time"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/prober"
)

// worker owns one pod: it alone syncs the pod's containers and writes its status, so no
// two syncs of a pod ever race.
type worker struct {
	k  *Kubelet
	ch chan struct{}

	mu      sync.Mutex
	pod     *core.Pod
	removed bool
	running int

	// Owned by the run goroutine.
	podIPs      []string
	lastStatus  *core.PodStatus
	startSeen   bool
	volumePaths map[string]string

	// probes runs the pod's probes; its goroutines belong to run's context.
	probes *prober.Manager
}

func newWorker(k *Kubelet, p *core.Pod) *worker {
	w := &worker{k: k, ch: make(chan struct{}, 1), pod: p}
	w.probes = &prober.Manager{
		OnChange: w.kick,
		Event: func(typ, reason, msg string) {
			pod, _ := w.get()
			k.event(pod, typ, reason, "%s", msg)
		},
	}
	return w
}

func (w *worker) update(p *core.Pod, removed bool) {
	w.mu.Lock()
	w.pod = p
	w.removed = w.removed || removed
	w.mu.Unlock()
	w.kick()
}

func (w *worker) kick() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

func (w *worker) get() (*core.Pod, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod, w.removed
}

func (w *worker) setRunning(n int) {
	w.mu.Lock()
	w.running = n
	w.mu.Unlock()
}

func (w *worker) runningContainers() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.running
}

// run syncs the pod whenever something changes, a back-off ends or the resync interval
// passes, until the pod is gone (it then returns true) or ctx ends.
func (w *worker) run(ctx context.Context) bool {
	defer w.probes.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		pod, removed := w.get()
		next, done := w.k.syncPod(ctx, w, pod, removed)
		if done {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if r := w.k.opts.ResyncInterval; r > 0 && (next <= 0 || next > r) {
			next = r
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		var tc <-chan time.Time
		if next > 0 {
			timer.Reset(next)
			tc = timer.C
		}
		select {
		case <-ctx.Done():
			return false
		case <-w.ch:
		case <-tc:
		}
	}
}
