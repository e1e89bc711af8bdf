package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/daemonset"
)

// daemonKubelet plays scheduler and kubelets for daemon pods: binds each to the node its
// affinity names, marks it ready, and finishes deletions.
func daemonKubelet(ctx context.Context, c *client.Client) {
	n := 0
	for ctx.Err() == nil {
		if l, err := client.Pods(c).List(ctx, "default", client.ListOptions{}); err == nil {
			for _, p := range l.Items {
				switch {
				case p.DeletionTimestamp != nil:
					_ = client.Pods(c).Delete(ctx, "default", p.Name, &meta.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
				case p.Spec.NodeName == "" && daemonset.TargetNode(p) != "":
					n++
					_ = runPod(ctx, c, p, daemonset.TargetNode(p), fmt.Sprintf("10.4.%d.%d", n/250, n%250+1))
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func TestDaemonSet(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"daemonset"} })
	for _, name := range []string{"node-1", "node-2", "node-3"} {
		createNode(ctx, t, c, name)
		n, err := client.Nodes(c).Get(ctx, "", name)
		if err != nil {
			t.Fatal(err)
		}
		n.Labels = map[string]string{"role": "worker"}
		if _, err := client.Nodes(c).Update(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	go daemonKubelet(ctx, c)

	ds := &apps.DaemonSet{}
	ds.Name, ds.Namespace = "agent", "default"
	ds.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}
	ds.Spec.Template = template("agent", "agent:v1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "worker"}
	one := intstr.FromInt32(1)
	ds.Spec.UpdateStrategy = apps.DaemonSetUpdateStrategy{Type: apps.RollingUpdateDaemonSetStrategyType, RollingUpdate: &apps.RollingUpdateDaemonSet{MaxUnavailable: &one}}
	if _, err := client.DaemonSets(c).Create(ctx, ds); err != nil {
		t.Fatal(err)
	}
	settled := func(image string, nodes ...string) func() error {
		return func() error {
			ps, err := activePods(ctx, c, "default", "app=agent")
			if err != nil {
				return err
			}
			on := map[string]bool{}
			for _, p := range ps {
				if p.Spec.Containers[0].Image != image || !podReady(p) {
					return errorf("pod %s: %s ready=%v", p.Name, p.Spec.Containers[0].Image, podReady(p))
				}
				on[daemonset.TargetNode(p)] = true
			}
			if len(ps) != len(nodes) || len(on) != len(nodes) {
				return errorf("%d pods on %v, want one on each of %v", len(ps), on, nodes)
			}
			for _, n := range nodes {
				if !on[n] {
					return errorf("no pod pinned to %s", n)
				}
			}
			got, err := client.DaemonSets(c).Get(ctx, "default", "agent")
			if err != nil {
				return err
			}
			want := int32(len(nodes))
			st := got.Status
			if st.DesiredNumberScheduled != want || st.CurrentNumberScheduled != want || st.NumberReady != want || st.UpdatedNumberScheduled != want ||
				st.NumberAvailable != want || st.NumberMisscheduled != 0 || st.ObservedGeneration != got.Generation {
				return errorf("status %+v generation %d", st, got.Generation)
			}
			return nil
		}
	}
	eventually(t, 20*time.Second, settled("agent:v1", "node-1", "node-2", "node-3"))

	// A template change rolls one node at a time: never more than 3 pods, never fewer
	// than 2 ready.
	wctx, stopWatch := context.WithCancel(ctx)
	b := &bounds{}
	var wg sync.WaitGroup
	wg.Go(func() { b.watch(wctx, c, "app=agent", 3, 2) })
	got, err := client.DaemonSets(c).Get(ctx, "default", "agent")
	if err != nil {
		t.Fatal(err)
	}
	got.Spec.Template.Spec.Containers[0].Image = "agent:v2"
	if _, err := client.DaemonSets(c).Update(ctx, got); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, settled("agent:v2", "node-1", "node-2", "node-3"))
	stopWatch()
	wg.Wait()
	if len(b.violations) > 0 {
		t.Fatalf("rolling update left its bounds (max pods %d, min ready %d): %v", b.maxSeen, b.minReady, b.violations[:min(5, len(b.violations))])
	}

	// A node labelled out of the selector loses its pod.
	n, err := client.Nodes(c).Get(ctx, "", "node-3")
	if err != nil {
		t.Fatal(err)
	}
	n.Labels["role"] = "storage"
	if _, err := client.Nodes(c).Update(ctx, n); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, settled("agent:v2", "node-1", "node-2"))
}
