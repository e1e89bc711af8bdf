package nodelifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"seven.dev/api/coordination"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
)

// API is how the controller writes nodes and pods.
type API interface {
	// UpdateNodeStatus writes the node's status and returns the stored node.
	UpdateNodeStatus(ctx context.Context, n *core.Node) (*core.Node, error)
	// SetTaints replaces the node's taints, preconditioned on resourceVersion.
	SetTaints(ctx context.Context, name, resourceVersion string, taints []core.Taint) error
	UpdatePodStatus(ctx context.Context, p *core.Pod) error
	DeletePod(ctx context.Context, namespace, name string) error
}

// EventRecorder records events; nil means none.
type EventRecorder interface {
	Event(obj meta.Object, eventType, reason, message string)
}

// Config builds a Controller.
type Config struct {
	Nodes  informer.Store[*core.Node]
	Leases informer.Store[*coordination.Lease]
	// Pods must carry informer.NodeNameIndex.
	Pods     informer.Store[*core.Pod]
	API      API
	Recorder EventRecorder
	Metrics  *controller.Metrics
	Logger   *slog.Logger
	// GracePeriod is --node-monitor-grace-period, MonitorPeriod --node-monitor-period,
	// EvictionTimeout --pod-eviction-timeout.
	GracePeriod, MonitorPeriod, EvictionTimeout time.Duration
	Now                                         func() time.Time
}

// Controller watches node health, taints unhealthy nodes and evicts their pods.
type Controller struct {
	Config
	Runner *controller.Runner

	mu        sync.Mutex
	disrupted bool // last full-disruption state seen, to log transitions once
}

// New returns a controller; Register wires it to informers and Run starts it.
func New(cfg Config) *Controller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Controller{Config: cfg}
	c.Runner = controller.NewRunner("nodelifecycle", cfg.Metrics, cfg.Logger, c.Sync)
	return c
}

// Register makes node, lease and pod events enqueue node names.
func (c *Controller) Register(nodes *informer.Informer[*core.Node], leases *informer.Informer[*coordination.Lease], pods *informer.Informer[*core.Pod]) {
	q := c.Runner.Queue
	nodes.AddEventHandler(informer.Handler[*core.Node]{
		OnAdd:    func(n *core.Node, _ bool) { q.Add(n.Name) },
		OnUpdate: func(_, n *core.Node) { q.Add(n.Name) },
	})
	leases.AddEventHandler(informer.Handler[*coordination.Lease]{
		OnUpdate: func(_, l *coordination.Lease) {
			if l.Namespace == LeaseNamespace {
				q.Add(l.Name)
			}
		},
	})
	// A pod bound to a tainted node needs its eviction clock started.
	pods.AddEventHandler(informer.Handler[*core.Pod]{
		OnAdd: func(p *core.Pod, _ bool) {
			if p.Spec.NodeName != "" {
				q.Add(p.Spec.NodeName)
			}
		},
		OnUpdate: func(old, p *core.Pod) {
			if p.Spec.NodeName != "" && old.Spec.NodeName != p.Spec.NodeName {
				q.Add(p.Spec.NodeName)
			}
		},
	})
}

// Run checks every node each MonitorPeriod (a silent kubelet produces no events) and
// processes keys with workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	wg.Go(func() {
		period := c.MonitorPeriod
		if period <= 0 {
			period = 5 * time.Second
		}
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, n := range c.Nodes.List() {
					c.Runner.Queue.Add(n.Name)
				}
			}
		}
	})
	c.Runner.Run(ctx, workers)
	wg.Wait()
}

// fullDisruption counts healthy nodes and logs when the cluster enters or leaves full
// disruption.
func (c *Controller) fullDisruption(now time.Time) bool {
	nodes := c.Nodes.List()
	healthy := 0
	for _, n := range nodes {
		lease, _ := c.Leases.GetByName(LeaseNamespace, n.Name)
		if Healthy(n, lease, now, c.GracePeriod) {
			healthy++
		}
	}
	d := FullDisruption(healthy, len(nodes))
	c.mu.Lock()
	defer c.mu.Unlock()
	if d != c.disrupted {
		if d {
			c.Runner.Logger.Warn("controller detected that all nodes are not ready; entering full disruption mode: no pod is evicted", "nodes", len(nodes))
		} else {
			c.Runner.Logger.Info("controller detected that some nodes are ready; leaving full disruption mode")
		}
		c.disrupted = d
	}
	return d
}

// Sync checks the health of node name and acts on it.
func (c *Controller) Sync(ctx context.Context, name string) error {
	cached, ok := c.Nodes.GetByName("", name)
	if !ok {
		return nil
	}
	now := c.Now()
	lease, _ := c.Leases.GetByName(LeaseNamespace, name)
	disrupted := c.fullDisruption(now)
	node := cached
	if IsStale(node, lease, now, c.GracePeriod) {
		if st, changed := MarkUnknown(node.Status, now); changed {
			next := controller.Clone(node)
			next.Status = st
			stored, err := c.API.UpdateNodeStatus(ctx, next)
			if err != nil {
				return fmt.Errorf("mark node %s unknown: %w", name, err)
			}
			c.event(node, core.EventTypeNormal, "NodeNotReady", fmt.Sprintf("Node %s status is now: NodeNotReady", name))
			node = stored
		}
	}
	ready := ReadyStatus(node)
	pods, err := c.Pods.ByIndex(informer.NodeNameIndex, name)
	if err != nil {
		return fmt.Errorf("pods of node %s: %w", name, err)
	}
	slices.SortFunc(pods, func(a, b *core.Pod) int { return strings.Compare(controller.Key(a), controller.Key(b)) })
	if ready != core.ConditionTrue {
		if err := c.markPodsNotReady(ctx, pods, now); err != nil {
			return err
		}
	}
	taintList, changed := DesiredTaints(node.Spec.Taints, ready, disrupted, now)
	if changed {
		if err := c.API.SetTaints(ctx, name, node.ResourceVersion, taintList); err != nil {
			return fmt.Errorf("set taints of node %s: %w", name, err)
		}
	}
	if disrupted {
		return nil
	}
	return c.evict(ctx, name, pods, NoExecuteTaint(taintList), now)
}

func (c *Controller) markPodsNotReady(ctx context.Context, pods []*core.Pod, now time.Time) error {
	for _, p := range pods {
		st, changed := MarkPodNotReady(p.Status, now)
		if !changed {
			continue
		}
		next := controller.Clone(p)
		next.Status = st
		if err := c.API.UpdatePodStatus(ctx, next); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("mark pod %s/%s not ready: %w", p.Namespace, p.Name, err)
		}
	}
	return nil
}

// evict deletes the pods whose time on the tainted node is up, and comes back for the
// next one due.
func (c *Controller) evict(ctx context.Context, node string, pods []*core.Pod, taint *core.Taint, now time.Time) error {
	if taint == nil {
		return nil
	}
	var next time.Duration
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		at, ok := EvictAt(p, *taint, c.EvictionTimeout, now)
		if !ok {
			continue
		}
		if at.After(now) {
			if d := at.Sub(now); next == 0 || d < next {
				next = d
			}
			continue
		}
		c.event(p, core.EventTypeNormal, "TaintManagerEviction", fmt.Sprintf("Marking for deletion Pod %s/%s", p.Namespace, p.Name))
		if err := c.API.DeletePod(ctx, p.Namespace, p.Name); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("evict pod %s/%s from node %s: %w", p.Namespace, p.Name, node, err)
		}
	}
	if next > 0 {
		c.Runner.Queue.AddAfter(node, next)
	}
	return nil
}

func (c *Controller) event(obj meta.Object, typ, reason, msg string) {
	if c.Recorder != nil {
		c.Recorder.Event(obj, typ, reason, msg)
	}
}
