package integration

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/app"
)

// startCM runs an in-process controller manager against s until the test ends.
func startCM(t *testing.T, s *apiservertest.Server, mod func(*app.Options)) context.CancelFunc {
	t.Helper()
	o := app.NewOptions()
	o.Server.Master = s.URL
	o.Election.LeaderElect = false
	o.SecurePort = 0
	if mod != nil {
		mod(o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	level := slog.LevelWarn
	if os.Getenv("CM_DEBUG") != "" {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	go func() {
		defer close(done)
		if err := app.Run(ctx, o, logger); err != nil {
			t.Logf("controller manager: %v", err)
		}
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return cancel
}

// eventually polls f every 100ms until it returns nil or timeout passes.
func eventually(t *testing.T, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

func template(app, image string) core.PodTemplateSpec {
	var t core.PodTemplateSpec
	t.Labels = map[string]string{"app": app}
	t.Spec.Containers = []core.Container{{Name: "c", Image: image, Ports: []core.ContainerPort{{Name: "http", ContainerPort: 8080}}}}
	return t
}

// activePods lists the pods of ns matching sel that are not being deleted.
func activePods(ctx context.Context, c *client.Client, ns, sel string) ([]*core.Pod, error) {
	l, err := client.Pods(c).List(ctx, ns, client.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, err
	}
	var out []*core.Pod
	for _, p := range l.Items {
		if p.DeletionTimestamp == nil && p.Status.Phase != core.PodFailed && p.Status.Phase != core.PodSucceeded {
			out = append(out, p)
		}
	}
	return out, nil
}

func countIs(ctx context.Context, c *client.Client, ns, sel string, n int) func() error {
	return func() error {
		ps, err := activePods(ctx, c, ns, sel)
		if err != nil {
			return err
		}
		if len(ps) != n {
			return fmt.Errorf("%d active pods for %q, want %d", len(ps), sel, n)
		}
		return nil
	}
}

func createNode(ctx context.Context, t *testing.T, c *client.Client, name string) {
	t.Helper()
	n := &core.Node{}
	n.Name = name
	n, err := client.Nodes(c).Create(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	heartbeat(ctx, t, c, name)
}

// heartbeat posts a Ready=True node status, as a kubelet does.
func heartbeat(ctx context.Context, t *testing.T, c *client.Client, name string) {
	t.Helper()
	n, err := client.Nodes(c).Get(ctx, "", name)
	if err != nil {
		t.Fatal(err)
	}
	now := meta.Now()
	n.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: core.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: now, LastTransitionTime: now}}
	n.Status.Addresses = []core.NodeAddress{{Type: core.NodeInternalIP, Address: "10.0.0.1"}}
	if _, err := client.Nodes(c).UpdateStatus(ctx, n); err != nil {
		t.Fatal(err)
	}
}

// runPod plays kubelet for one pod: binds it to node (when unbound) and marks it Running
// and Ready with an IP.
func runPod(ctx context.Context, c *client.Client, p *core.Pod, node, ip string) error {
	if p.Spec.NodeName == "" {
		b := &core.Binding{Target: core.ObjectReference{Kind: "Node", Name: node}}
		b.Name, b.Namespace = p.Name, p.Namespace
		if err := c.Bind(ctx, b); err != nil {
			return fmt.Errorf("bind %s: %w", p.Name, err)
		}
	}
	return setPodStatus(ctx, c, p.Namespace, p.Name, core.PodRunning, true, ip)
}

func setPodStatus(ctx context.Context, c *client.Client, ns, name string, phase core.PodPhase, ready bool, ip string) error {
	p, err := client.Pods(c).Get(ctx, ns, name)
	if err != nil {
		return err
	}
	st := core.ConditionFalse
	if ready {
		st = core.ConditionTrue
	}
	now := meta.Now()
	p.Status.Phase = phase
	p.Status.PodIP = ip
	if ip != "" {
		p.Status.PodIPs = []core.PodIP{{IP: ip}}
	}
	p.Status.StartTime = &now
	p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: st, LastTransitionTime: now}}
	_, err = client.Pods(c).UpdateStatus(ctx, p)
	return err
}

// kubelet plays kubelet for every pod matching sel until ctx ends: pending pods are bound to
// node and marked ready; pods being deleted are removed with grace 0.
func kubelet(ctx context.Context, c *client.Client, ns, node string) {
	n := 0
	for ctx.Err() == nil {
		l, err := client.Pods(c).List(ctx, ns, client.ListOptions{})
		if err == nil {
			for _, p := range l.Items {
				switch {
				case p.DeletionTimestamp != nil:
					_ = client.Pods(c).Delete(ctx, ns, p.Name, &meta.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
				case p.Status.Phase == "" || p.Status.Phase == core.PodPending:
					n++
					_ = runPod(ctx, c, p, node, fmt.Sprintf("10.1.%d.%d", n/250, n%250+1))
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func newNamespace(ctx context.Context, t *testing.T, c *client.Client, name string) {
	t.Helper()
	ns := &core.Namespace{}
	ns.Name = name
	if _, err := client.Namespaces(c).Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
}
