package kubelet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/record"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/network"
	"seven.dev/kubelet/pkg/volume"
)

// Kubelet runs the pods bound to one node. Build it with New and start it with Run.
type Kubelet struct {
	imageGC    *imageGC    // nil without an ImageService runtime or with image GC off
	nodeImages *nodeImages // nil without an ImageService runtime
	opts       Options
	c          *client.Client
	rt         container.Runtime
	net        network.Plugin
	volumes    *volume.Manager
	log        *slog.Logger
	rec        *record.Recorder
	pods       *informer.Informer[*core.Pod]
	services   *informer.Informer[*core.Service]
	backoff    *backoff
	metrics    *Metrics
	capacity   core.ResourceList
	nodeIP     string

	mu      sync.Mutex
	node    *core.Node
	workers map[string]*worker // by pod UID
	// finished holds the UIDs of pods whose worker terminated them, and when: late
	// events for them must not start a new worker (which would set the pod up again).
	finished map[string]time.Time
	wg       sync.WaitGroup

	lease *coordination.Lease // owned by the heartbeat goroutine
	port  atomic.Int32        // the API server's port, once listening
	cpu   cpuSampler          // /stats/summary's CPU rates
}

// New checks opts and builds a kubelet; it does not contact anything.
func New(c *client.Client, opts Options) (*Kubelet, error) {
	opts.defaults()
	if opts.NodeName == "" {
		return nil, errors.New("kubelet: no node name")
	}
	if opts.Runtime == nil {
		return nil, errors.New("kubelet: no runtime")
	}
	k := &Kubelet{
		opts: opts, c: c, rt: opts.Runtime, net: opts.Network,
		log:     opts.Logger.With("node", opts.NodeName),
		backoff: newBackoff(opts.BackoffBase, opts.BackoffMax),
		metrics: NewMetrics(),
		workers: map[string]*worker{}, finished: map[string]time.Time{},
		nodeIP: opts.NodeIP,
	}
	k.volumes = &volume.Manager{RootDir: opts.RootDir, Objects: apiObjects{c}}
	if k.nodeIP == "" && opts.Capacity == nil {
		k.nodeIP = DefaultNodeIP()
	}
	k.capacity = opts.Capacity
	if k.capacity == nil {
		k.capacity = MachineCapacity(opts.RootDir)
	}
	if is, ok := opts.Runtime.(container.ImageService); ok {
		k.nodeImages = &nodeImages{images: is}
		if opts.ImageGCPeriod > 0 {
			k.imageGC = &imageGC{images: is, keep: container.NormalizeImage(opts.PodInfraImage),
				first: map[string]time.Time{}, used: map[string]time.Time{}}
		}
	}
	if !opts.NoEvents {
		k.rec = record.NewRecorder(record.SinkFor(c), core.EventSource{Component: "kubelet", Host: opts.NodeName}, record.Options{Logger: k.log})
	}
	k.pods = informer.NewFiltered(client.Pods(c), "", informer.Selector{Field: "spec.nodeName=" + opts.NodeName},
		informer.Options{Name: "pods", Logger: k.log})
	if !opts.NoServiceEnv {
		k.services = informer.NewFiltered(client.Services(c), "", informer.Selector{}, informer.Options{Name: "services", Logger: k.log})
	}
	return k, nil
}

// Metrics returns the kubelet's metrics.
func (k *Kubelet) Metrics() *Metrics { return k.metrics }

// NodeName returns the node's name.
func (k *Kubelet) NodeName() string { return k.opts.NodeName }

func (k *Kubelet) event(obj *core.Pod, typ, reason, format string, args ...any) {
	if typ == core.EventTypeWarning {
		k.log.Warn(reason, "pod", podDesc(obj), "msg", fmt.Sprintf(format, args...))
	}
	if k.rec != nil {
		k.rec.Eventf(obj, typ, reason, format, args...)
	}
}

// Run registers the node, heartbeats and runs pods until ctx ends. It returns after every
// goroutine it started has stopped. Containers keep running when it returns: a restarted
// kubelet adopts them.
func (k *Kubelet) Run(ctx context.Context) error {
	if err := os.MkdirAll(k.opts.RootDir, 0o755); err != nil && k.opts.Capacity == nil {
		return fmt.Errorf("kubelet: root dir: %w", err)
	}
	var bg sync.WaitGroup
	defer bg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if k.rec != nil {
		bg.Add(1)
		go func() { defer bg.Done(); k.rec.Run(ctx) }()
	}
	if k.opts.HealthzAddr != "" || k.opts.ServerAddr != "" {
		if err := k.serve(ctx, &bg); err != nil {
			return err
		}
	}
	for {
		err := k.registerNode(ctx)
		if err == nil {
			break
		}
		k.log.Warn("register node", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	k.log.Info("node registered")
	bg.Add(1)
	go func() { defer bg.Done(); k.heartbeat(ctx) }()
	if k.services != nil {
		bg.Add(1)
		go func() { defer bg.Done(); k.services.Run(ctx) }()
		if !k.services.WaitForCacheSync(ctx) {
			return nil
		}
	}
	k.rt.Subscribe(func(uid string) { k.wake(uid) })
	k.pods.AddEventHandler(informer.Handler[*core.Pod]{
		OnAdd:    func(p *core.Pod, _ bool) { k.dispatch(ctx, p, false) },
		OnUpdate: func(_, p *core.Pod) { k.dispatch(ctx, p, false) },
		OnDelete: func(p *core.Pod, _ bool) { k.dispatch(ctx, p, true) },
	})
	bg.Add(1)
	go func() { defer bg.Done(); k.pods.Run(ctx) }()
	if !k.pods.WaitForCacheSync(ctx) {
		return nil
	}
	k.cleanupOrphans(ctx)
	if k.opts.HousekeepingInterval > 0 {
		bg.Add(1)
		// Networks and volumes of pods that are gone.
		go func() { defer bg.Done(); k.withPodsEvery(ctx, k.opts.HousekeepingInterval, k.collectGarbage) }()
	}
	if k.imageGC != nil {
		bg.Add(1)
		go func() {
			defer bg.Done()
			k.withPodsEvery(ctx, k.opts.ImageGCPeriod, func(ctx context.Context, pods []*container.PodStatus) {
				if err := k.imageGCOnce(ctx, pods); err != nil && ctx.Err() == nil {
					k.log.Warn("image garbage collection", "err", err)
				}
			})
		}()
	}
	<-ctx.Done()
	k.wg.Wait()
	return nil
}

// cleanupOrphans removes the sandboxes and containers of pods the API no longer has.
func (k *Kubelet) cleanupOrphans(ctx context.Context) {
	pods, err := k.rt.ListPods(ctx)
	if err != nil {
		k.log.Warn("list runtime pods", "err", err)
		return
	}
	known := map[string]bool{}
	for _, p := range k.pods.Store().List() {
		known[p.UID] = true
	}
	k.collectGarbage(ctx, pods)
	for _, p := range pods {
		if known[p.Pod.UID] {
			continue
		}
		k.log.Info("removing orphaned pod", "pod", p.Pod.Namespace+"/"+p.Pod.Name, "uid", p.Pod.UID)
		if err := k.killPod(ctx, nil, p, 0); err != nil {
			k.log.Warn("remove orphaned pod", "uid", p.Pod.UID, "err", err)
		}
	}
}

// dispatch hands a pod to its worker, starting one for a new pod.
func (k *Kubelet) dispatch(ctx context.Context, p *core.Pod, removed bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.workers[p.UID]
	if w == nil {
		if _, done := k.finished[p.UID]; done || removed || ctx.Err() != nil {
			return
		}
		w = newWorker(k, p)
		k.workers[p.UID] = w
		k.wg.Add(1)
		go func() {
			defer k.wg.Done()
			terminated := w.run(ctx)
			k.mu.Lock()
			delete(k.workers, p.UID)
			if terminated {
				now := time.Now()
				for uid, t := range k.finished {
					if now.Sub(t) > 10*time.Minute {
						delete(k.finished, uid)
					}
				}
				k.finished[p.UID] = now
			}
			k.mu.Unlock()
		}()
	}
	w.update(p, removed)
}

// wake asks a pod's worker to sync (a container exited).
func (k *Kubelet) wake(uid string) {
	k.mu.Lock()
	w := k.workers[uid]
	k.mu.Unlock()
	if w != nil {
		w.kick()
	}
}

// runningCounts counts running pods and containers for the metrics.
func (k *Kubelet) runningCounts() (pods, containers int) {
	k.mu.Lock()
	ws := make([]*worker, 0, len(k.workers))
	for _, w := range k.workers {
		ws = append(ws, w)
	}
	k.mu.Unlock()
	for _, w := range ws {
		n := w.runningContainers()
		if n > 0 {
			pods++
		}
		containers += n
	}
	return pods, containers
}

// withPodsEvery calls fn with the runtime's pods every d until ctx ends.
func (k *Kubelet) withPodsEvery(ctx context.Context, d time.Duration, fn func(context.Context, []*container.PodStatus)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if pods, err := k.rt.ListPods(ctx); err == nil {
			fn(ctx, pods)
		}
	}
}

// collectGarbage tears down networks and volumes of pods that are not live: not in
// runtime, not bound here in the API, not owned by a worker.
func (k *Kubelet) collectGarbage(ctx context.Context, runtimePods []*container.PodStatus) {
	live := map[string]bool{}
	k.mu.Lock()
	for uid := range k.workers {
		live[uid] = true
	}
	k.mu.Unlock()
	for _, p := range runtimePods {
		live[p.Pod.UID] = true
	}
	for _, p := range k.pods.Store().List() {
		live[p.UID] = true
	}
	if gc, ok := k.net.(network.GarbageCollector); ok {
		if err := gc.GC(ctx, live); err != nil {
			k.log.Warn("pod network garbage collection", "err", err)
		}
	}
	if k.opts.NoVolumes {
		return
	}
	for _, uid := range k.volumes.PodsWithVolumes() {
		if !live[uid] {
			if err := k.volumes.TearDown(uid); err != nil {
				k.log.Warn("remove orphaned volumes", "uid", uid, "err", err)
			}
		}
	}
}

// memoryCapacity is the node's memory in bytes (0 when unknown).
func (k *Kubelet) memoryCapacity() int64 {
	m, ok := k.capacity[core.ResourceMemory]
	if !ok {
		return 0
	}
	return m.Value()
}
