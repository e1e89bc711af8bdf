package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"sync"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/scheduler/internal/cache"
	"seven.dev/scheduler/internal/placement"
	"seven.dev/scheduler/internal/queue"
)

// EventRecorder records events about objects; *record.Recorder is one.
type EventRecorder interface {
	Eventf(obj meta.Object, eventType, reason, format string, args ...any)
}

// PodWriter is what the scheduler writes to the API server: bindings and pod status.
type PodWriter interface {
	Bind(ctx context.Context, b *core.Binding) error
	PatchStatus(ctx context.Context, namespace, name string, strategicMergePatch []byte) error
}

// ClientWriter adapts the REST client to PodWriter.
func ClientWriter(c *client.Client) PodWriter { return clientWriter{c} }

type clientWriter struct{ c *client.Client }

func (w clientWriter) Bind(ctx context.Context, b *core.Binding) error { return w.c.Bind(ctx, b) }

func (w clientWriter) PatchStatus(ctx context.Context, ns, name string, patch []byte) error {
	_, err := client.Pods(w.c).Patch(ctx, ns, name, client.StrategicMergePatchType, patch, "status")
	return err
}

// Config is what a Scheduler needs.
type Config struct {
	// SchedulerName is the spec.schedulerName of the pods this scheduler places.
	SchedulerName string
	Factory       *informer.Factory
	Writer        PodWriter
	Recorder      EventRecorder
	Metrics       *Metrics
	Logger        *slog.Logger
	// Seed seeds the tie-breaking random source; 0 picks one from the clock.
	Seed int64
	// PercentageOfNodesToScore, see placement.Input.
	PercentageOfNodesToScore int
	// Parallelism bounds the API writes (binds, status) in flight; 0 means 512. Bindings take
	// a round trip through etcd each, so throughput is Parallelism / bind latency at most.
	Parallelism int
}

// Scheduler places pods. Create it with New before starting the factory's informers.
type Scheduler struct {
	cfg     Config
	profile placement.Profile
	cache   *cache.Cache
	queue   *queue.Queue

	pods     *informer.Lister[*core.Pod]
	services *informer.Lister[*core.Service]
	rcs      *informer.Lister[*core.ReplicationController]
	rss      *informer.Lister[*apps.ReplicaSet]
	synced   []func() bool

	rng       *rand.Rand
	nextStart int
	writes    chan struct{}
	wg        sync.WaitGroup
}

// New builds a scheduler and registers its handlers with cfg.Factory's informers (pods,
// nodes, and services, replication controllers and replica sets for spreading).
func New(cfg Config) *Scheduler {
	s := newScheduler(cfg)
	f := cfg.Factory
	s.pods = f.Pods().Lister()
	s.services = f.Services().Lister()
	s.rcs = f.ReplicationControllers().Lister()
	s.rss = f.ReplicaSets().Lister()
	s.synced = []func() bool{
		f.Pods().AddEventHandler(s.podHandler()).HasSynced,
		f.Nodes().AddEventHandler(s.nodeHandler()).HasSynced,
		f.Services().HasSynced, f.ReplicationControllers().HasSynced, f.ReplicaSets().HasSynced,
	}
	return s
}

// newScheduler builds the scheduler's own parts; the caller supplies listers and handlers.
func newScheduler(cfg Config) *Scheduler {
	if cfg.SchedulerName == "" {
		cfg.SchedulerName = core.DefaultSchedulerName
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = 512
	}
	if cfg.Seed == 0 {
		cfg.Seed = time.Now().UnixNano()
	}
	s := &Scheduler{
		cfg:     cfg,
		profile: placement.DefaultProfile(),
		cache:   cache.New(),
		queue:   queue.New(queue.Options{Pending: cfg.Metrics.PendingPods}),
		rng:     rand.New(rand.NewSource(cfg.Seed)),
		writes:  make(chan struct{}, cfg.Parallelism),
	}
	return s
}

// HasSynced reports whether the handlers have seen the informers' initial lists.
func (s *Scheduler) HasSynced() bool {
	for _, f := range s.synced {
		if !f() {
			return false
		}
	}
	return true
}

// Run schedules pods until ctx ends, then waits for the writes in flight. The informers must
// be running; Run waits for them to sync first.
func (s *Scheduler) Run(ctx context.Context) {
	s.cfg.Logger.Info("waiting for informer caches to sync")
	if !informer.WaitFor(ctx, s.HasSynced) {
		return
	}
	s.cfg.Logger.Info("scheduling", "schedulerName", s.cfg.SchedulerName, "seed", s.cfg.Seed)
	var flusher sync.WaitGroup
	flusher.Add(1)
	go func() {
		defer flusher.Done()
		s.queue.Run(ctx, 100*time.Millisecond)
	}()
	for s.scheduleOne(ctx) {
	}
	flusher.Wait()
	s.wg.Wait()
}

// scheduleOne places the next pod; it returns false when the queue has closed.
func (s *Scheduler) scheduleOne(ctx context.Context) bool {
	qp, cycle, ok := s.queue.Pop()
	if !ok {
		return false
	}
	if s.cache.Knows(qp.Key) {
		s.queue.Done(qp.Key) // assumed already, or bound while it waited
		return true
	}
	start := time.Now()
	pi := placement.NewPodInfo(qp.Pod)
	res := s.profile.Schedule(placement.Input{
		Pod:                      pi,
		Snapshot:                 s.cache.Snapshot(),
		SpreadSelectors:          s.spreadSelectors(qp.Pod),
		PercentageOfNodesToScore: s.cfg.PercentageOfNodesToScore,
		StartIndex:               s.nextStart,
	}, s.rng)
	s.nextStart = res.NextStartIndex
	if res.Err != nil {
		s.fail(ctx, qp, cycle, res.Err, start)
		return true
	}
	// Assume a copy: the informer's object is shared and must not change.
	podCopy := *qp.Pod
	podCopy.Spec.NodeName = res.Node
	assumed := *pi
	assumed.Pod = &podCopy
	if err := s.cache.AssumePod(&assumed); err != nil {
		s.cfg.Logger.Error("assume failed", "pod", qp.Key, "err", err)
		s.observe(resultError, start)
		s.queue.AddBackoff(qp)
		return true
	}
	s.queue.Done(qp.Key)
	s.observe(resultScheduled, start)
	s.cfg.Logger.Debug("placed", "pod", qp.Key, "node", res.Node, "evaluated", res.Evaluated, "feasible", res.Feasible)
	s.write(func() { s.bind(ctx, qp, &podCopy) })
	return true
}

func (s *Scheduler) observe(result string, start time.Time) {
	s.cfg.Metrics.Attempts.WithLabelValues(result, s.cfg.SchedulerName).Inc()
	s.cfg.Metrics.AttemptDuration.WithLabelValues(result, s.cfg.SchedulerName).Observe(time.Since(start).Seconds())
}

// write runs fn in the background, at most Parallelism at once: the loop waits for a slot,
// which is the back-pressure that keeps a slow API server from piling up goroutines.
func (s *Scheduler) write(fn func()) {
	s.writes <- struct{}{}
	s.wg.Add(1)
	go func() {
		defer func() { <-s.writes; s.wg.Done() }()
		fn()
	}()
}

// bind posts the binding of an assumed pod. On failure the assumption is dropped and the pod,
// if it still waits for a node, is retried after its backoff.
func (s *Scheduler) bind(ctx context.Context, qp *queue.QueuedPod, pod *core.Pod) {
	node := pod.Spec.NodeName
	err := s.cfg.Writer.Bind(ctx, &core.Binding{
		ObjectMeta: meta.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Target:     core.ObjectReference{Kind: "Node", Name: node},
	})
	if err == nil {
		s.cfg.Recorder.Eventf(pod, core.EventTypeNormal, "Scheduled", "Successfully assigned %v/%v to %v", pod.Namespace, pod.Name, node)
		return
	}
	s.cache.ForgetPod(qp.Key)
	s.cfg.Metrics.Attempts.WithLabelValues(resultError, s.cfg.SchedulerName).Inc()
	if ctx.Err() != nil {
		return
	}
	err = fmt.Errorf("bind pod %s to %s: %w", qp.Key, node, err)
	s.cfg.Logger.Info("binding failed", "pod", qp.Key, "node", node, "err", err)
	s.cfg.Recorder.Eventf(pod, core.EventTypeWarning, "FailedScheduling", "Binding rejected: %v", err)
	cur, gerr := s.pods.Get(pod.Namespace, pod.Name)
	if apierrors.IsNotFound(gerr) || (gerr == nil && (assigned(cur) || cur.UID != pod.UID)) {
		return // gone, or placed by someone else: nothing to retry
	}
	if gerr == nil {
		qp.Pod = cur
	}
	s.queue.AddBackoff(qp)
}

// fail handles a pod that fits nowhere (or an error deciding): event, pod condition, requeue.
func (s *Scheduler) fail(ctx context.Context, qp *queue.QueuedPod, cycle int64, err error, start time.Time) {
	pod := qp.Pod
	var fitErr *placement.FitError
	reason := core.PodReasonUnschedulable
	// A cluster without nodes is unschedulable too, as upstream: a node added retries it.
	if errors.As(err, &fitErr) || errors.Is(err, placement.ErrNoNodesAvailable) {
		s.observe(resultUnschedulable, start)
		s.queue.AddUnschedulable(qp, cycle)
	} else {
		reason = core.PodReasonSchedulerError
		s.observe(resultError, start)
		s.queue.AddBackoff(qp)
	}
	msg := err.Error()
	s.cfg.Logger.Debug("unable to schedule pod", "pod", qp.Key, "err", msg)
	s.cfg.Recorder.Eventf(pod, core.EventTypeWarning, "FailedScheduling", "%s", msg)
	for _, c := range pod.Status.Conditions {
		if c.Type == core.PodScheduled && c.Status == core.ConditionFalse && c.Reason == reason && c.Message == msg {
			return // already says so
		}
	}
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []map[string]any{{
		"type": core.PodScheduled, "status": core.ConditionFalse, "reason": reason, "message": msg,
		"lastProbeTime": nil, "lastTransitionTime": meta.Now(),
	}}}})
	s.write(func() {
		if err := s.cfg.Writer.PatchStatus(ctx, pod.Namespace, pod.Name, patch); err != nil && ctx.Err() == nil && !apierrors.IsNotFound(err) {
			s.cfg.Logger.Info("updating pod condition failed", "pod", qp.Key, "err", err)
		}
	})
}

// spreadSelectors returns the selectors of the services, replication controllers and replica
// sets that select pod, for SelectorSpread.
func (s *Scheduler) spreadSelectors(pod *core.Pod) []labels.Selector {
	if len(pod.Labels) == 0 {
		return nil
	}
	var out []labels.Selector
	for _, svc := range s.services.List(pod.Namespace, nil) {
		if len(svc.Spec.Selector) > 0 {
			if sel := labels.SelectorFromSet(svc.Spec.Selector); sel.Matches(pod.Labels) {
				out = append(out, sel)
			}
		}
	}
	for _, rc := range s.rcs.List(pod.Namespace, nil) {
		if len(rc.Spec.Selector) > 0 {
			if sel := labels.SelectorFromSet(rc.Spec.Selector); sel.Matches(pod.Labels) {
				out = append(out, sel)
			}
		}
	}
	for _, rs := range s.rss.List(pod.Namespace, nil) {
		if sel, err := labels.SelectorFromLabelSelector(rs.Spec.Selector); err == nil && !sel.Empty() && sel.Matches(pod.Labels) {
			out = append(out, sel)
		}
	}
	return out
}
