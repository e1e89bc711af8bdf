package integration

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/replication"
)

// fakeNodes plays the kubelets of a few nodes: it renews the Leases of the nodes that are
// alive and binds new pods to the node chosen by target, marking them ready. Dead nodes
// do nothing, so their pods stay terminating when evicted, as on a real unreachable node.
type fakeNodes struct {
	mu     sync.Mutex
	alive  map[string]bool
	target string
}

func (f *fakeNodes) set(target string, alive ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target = target
	f.alive = map[string]bool{}
	for _, n := range alive {
		f.alive[n] = true
	}
}

func (f *fakeNodes) run(ctx context.Context, c *client.Client) {
	n := 0
	for ctx.Err() == nil {
		f.mu.Lock()
		alive, target := f.alive, f.target
		f.mu.Unlock()
		for name := range alive {
			if l, err := client.Leases(c).Get(ctx, "kube-node-lease", name); err == nil {
				now := meta.NowMicro()
				l.Spec.RenewTime = &now
				_, _ = client.Leases(c).Update(ctx, l)
			}
		}
		if l, err := client.Pods(c).List(ctx, "default", client.ListOptions{}); err == nil && target != "" {
			for _, p := range l.Items {
				if p.Spec.NodeName == "" && p.DeletionTimestamp == nil {
					n++
					_ = runPod(ctx, c, p, target, fmt.Sprintf("10.2.%d.%d", n/250, n%250+1))
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func createLease(ctx context.Context, t *testing.T, c *client.Client, name string) {
	t.Helper()
	l := &coordination.Lease{}
	l.Name, l.Namespace = name, "kube-node-lease"
	l.Spec.HolderIdentity, l.Spec.LeaseDurationSeconds = &name, ptr(int32(40))
	now := meta.NowMicro()
	l.Spec.RenewTime = &now
	if _, err := client.Leases(c).Create(ctx, l); err != nil {
		t.Fatal(err)
	}
}

// nodeState reports a node's Ready status and NoExecute taint keys.
func nodeState(ctx context.Context, c *client.Client, name string) (core.ConditionStatus, string, []string, error) {
	n, err := client.Nodes(c).Get(ctx, "", name)
	if err != nil {
		return "", "", nil, err
	}
	var st core.ConditionStatus
	var reason string
	for _, cnd := range n.Status.Conditions {
		if cnd.Type == core.NodeReady {
			st, reason = cnd.Status, cnd.Reason
		}
	}
	var keys []string
	for _, tn := range n.Spec.Taints {
		if tn.Effect == core.TaintEffectNoExecute {
			keys = append(keys, tn.Key)
		}
	}
	return st, reason, keys, nil
}

func podsOn(ctx context.Context, c *client.Client, node string) ([]*core.Pod, error) {
	l, err := client.Pods(c).List(ctx, "default", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []*core.Pod
	for _, p := range l.Items {
		if p.Spec.NodeName == node {
			out = append(out, p)
		}
	}
	return out, nil
}

// podReady reports whether a pod's Ready condition is True.
var podReady = replication.IsReady

func TestNodeLifecycle(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startCM(t, s, func(o *Options) {
		o.Controllers = []string{"nodelifecycle", "replicationcontroller"}
		o.NodeMonitorGracePeriod = 3 * time.Second
		o.NodeMonitorPeriod = 500 * time.Millisecond
		o.PodEvictionTimeout = 3 * time.Second
	})
	for _, n := range []string{"n1", "n2"} {
		createNode(ctx, t, c, n)
		createLease(ctx, t, c, n)
	}
	nodes := &fakeNodes{}
	nodes.set("n1", "n1", "n2")
	go nodes.run(ctx, c)

	rc := &core.ReplicationController{}
	rc.Name, rc.Namespace = "web", "default"
	rc.Spec.Replicas = ptr(int32(2))
	rc.Spec.Selector = map[string]string{"app": "web"}
	tpl := template("web", "nginx")
	rc.Spec.Template = &tpl
	if _, err := client.ReplicationControllers(c).Create(ctx, rc); err != nil {
		t.Fatal(err)
	}
	readyOn := func(node string, n int) func() error {
		return func() error {
			ps, err := podsOn(ctx, c, node)
			if err != nil {
				return err
			}
			ready := 0
			for _, p := range ps {
				if p.DeletionTimestamp == nil && podReady(p) {
					ready++
				}
			}
			if ready != n {
				return errorf("%d ready pods on %s, want %d", ready, node, n)
			}
			return nil
		}
	}
	eventually(t, 20*time.Second, readyOn("n1", 2))
	// Healthy nodes stay healthy for well past the grace period.
	time.Sleep(4 * time.Second)
	if st, _, taints, _ := nodeState(ctx, c, "n1"); st != core.ConditionTrue || len(taints) != 0 {
		t.Fatalf("healthy n1: %s %v", st, taints)
	}

	// n1 goes silent: Unknown, tainted, its pods not ready, then evicted and replaced on n2.
	nodes.set("n2", "n2")
	eventually(t, 20*time.Second, func() error {
		st, reason, taints, err := nodeState(ctx, c, "n1")
		if err != nil {
			return err
		}
		if st != core.ConditionUnknown || reason != "NodeStatusUnknown" || !slices.Equal(taints, []string{core.TaintNodeUnreachable}) {
			return errorf("n1: %s %s %v", st, reason, taints)
		}
		ps, err := podsOn(ctx, c, "n1")
		if err != nil {
			return err
		}
		for _, p := range ps {
			if podReady(p) {
				return errorf("pod %s on the silent node still ready", p.Name)
			}
		}
		return nil
	})
	eventually(t, 30*time.Second, func() error {
		ps, err := podsOn(ctx, c, "n1")
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.DeletionTimestamp == nil {
				return errorf("pod %s on n1 not evicted", p.Name)
			}
		}
		return readyOn("n2", 2)()
	})
	if st, _, taints, _ := nodeState(ctx, c, "n2"); st != core.ConditionTrue || len(taints) != 0 {
		t.Fatalf("n2 must stay healthy: %s %v", st, taints)
	}

	// n1 comes back: untainted.
	heartbeat(ctx, t, c, "n1")
	nodes.set("n2", "n1", "n2")
	eventually(t, 20*time.Second, func() error {
		st, _, taints, err := nodeState(ctx, c, "n1")
		if err != nil {
			return err
		}
		if st != core.ConditionTrue || len(taints) != 0 {
			return errorf("n1: %s %v", st, taints)
		}
		return nil
	})

	// Every node silent at once: marked, but nothing evicted.
	nodes.set("")
	eventually(t, 20*time.Second, func() error {
		for _, n := range []string{"n1", "n2"} {
			st, _, _, err := nodeState(ctx, c, n)
			if err != nil {
				return err
			}
			if st != core.ConditionUnknown {
				return errorf("%s: %s", n, st)
			}
		}
		return nil
	})
	time.Sleep(8 * time.Second) // well past the eviction timeout
	ps, err := podsOn(ctx, c, "n2")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.DeletionTimestamp == nil && podReady(p) {
			t.Errorf("pod %s still ready on a silent node", p.Name)
		}
	}
	if err := noneEvicted(ps, 2); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2"} {
		if _, _, taints, _ := nodeState(ctx, c, n); len(taints) != 0 {
			t.Errorf("%s tainted in full disruption: %v", n, taints)
		}
	}
}

// noneEvicted checks that n pods are left, none of them evicted.
func noneEvicted(ps []*core.Pod, n int) error {
	live := 0
	for _, p := range ps {
		if p.DeletionTimestamp == nil {
			live++
		}
	}
	if live != n {
		return errorf("%d pods left on n2, want %d: evicted in full disruption", live, n)
	}
	return nil
}
