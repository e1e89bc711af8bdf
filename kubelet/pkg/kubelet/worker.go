package kubelet

import (
	"context"
	"sync"
	"time"

	"seven.dev/api/core"
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
	podIPs     []string
	lastStatus *core.PodStatus
	startSeen  bool
}

func newWorker(k *Kubelet, p *core.Pod) *worker {
	return &worker{k: k, ch: make(chan struct{}, 1), pod: p}
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
// passes, until the pod is gone or ctx ends.
func (w *worker) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		pod, removed := w.get()
		next, done := w.k.syncPod(ctx, w, pod, removed)
		if done || ctx.Err() != nil {
			return
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
			return
		case <-w.ch:
		case <-tc:
		}
	}
}
