package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

// bounds watches a deployment's pods and records any moment outside the rollout's bounds.
type bounds struct {
	mu         sync.Mutex
	violations []string
	maxSeen    int
	minReady   int
}

func (b *bounds) watch(ctx context.Context, c *client.Client, sel string, maxPods, minReady int) {
	b.minReady = 1 << 30
	for ctx.Err() == nil {
		ps, err := activePods(ctx, c, "default", sel)
		if err == nil {
			ready := 0
			for _, p := range ps {
				for _, cnd := range p.Status.Conditions {
					if cnd.Type == core.PodReady && cnd.Status == core.ConditionTrue {
						ready++
					}
				}
			}
			b.mu.Lock()
			b.maxSeen = max(b.maxSeen, len(ps))
			b.minReady = min(b.minReady, ready)
			if len(ps) > maxPods {
				b.violations = append(b.violations, errorf("%d pods > %d", len(ps), maxPods).Error())
			}
			if ready < minReady {
				b.violations = append(b.violations, errorf("%d ready < %d", ready, minReady).Error())
			}
			b.mu.Unlock()
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func TestDeploymentRollingUpdateAndRollback(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startCM(t, s, func(o *Options) {
		o.Controllers = []string{"deployment", "replicaset", "garbagecollector"}
	})
	go kubelet(ctx, c, "default", "node-1")

	d := &apps.Deployment{}
	d.Name, d.Namespace = "web", "default"
	d.Spec.Replicas = ptr(int32(4))
	d.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	d.Spec.Template = template("web", "nginx:v1")
	surge, unavail := intstr.FromInt32(1), intstr.FromInt32(1)
	d.Spec.Strategy = apps.DeploymentStrategy{Type: apps.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &apps.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavail}}
	if _, err := client.Deployments(c).Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	rolledOut := func(image string) func() error {
		return func() error {
			got, err := client.Deployments(c).Get(ctx, "default", "web")
			if err != nil {
				return err
			}
			st := got.Status
			if st.ObservedGeneration != got.Generation || st.UpdatedReplicas != 4 || st.Replicas != 4 || st.AvailableReplicas != 4 {
				return errorf("status %+v", st)
			}
			ps, err := activePods(ctx, c, "default", "app=web")
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.Spec.Containers[0].Image != image {
					return errorf("pod %s runs %s", p.Name, p.Spec.Containers[0].Image)
				}
			}
			if len(ps) != 4 {
				return errorf("%d pods", len(ps))
			}
			return nil
		}
	}
	eventually(t, 30*time.Second, rolledOut("nginx:v1"))

	wctx, stopWatch := context.WithCancel(ctx)
	b := &bounds{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.watch(wctx, c, "app=web", 5, 3) }()
	update := func(image string) {
		t.Helper()
		got, err := client.Deployments(c).Get(ctx, "default", "web")
		if err != nil {
			t.Fatal(err)
		}
		got.Spec.Template.Spec.Containers[0].Image = image
		if _, err := client.Deployments(c).Update(ctx, got); err != nil {
			t.Fatal(err)
		}
	}
	update("nginx:v2")
	eventually(t, 60*time.Second, rolledOut("nginx:v2"))

	// Rollback as kubectl rollout undo does: the template of the previous revision.
	update("nginx:v1")
	eventually(t, 60*time.Second, rolledOut("nginx:v1"))
	stopWatch()
	wg.Wait()
	if len(b.violations) > 0 {
		t.Fatalf("rollout left its bounds (max pods seen %d, min ready %d): %v", b.maxSeen, b.minReady, b.violations[:min(5, len(b.violations))])
	}
	rss, err := client.ReplicaSets(c).List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	revs := map[string]string{}
	for _, rs := range rss.Items {
		revs[rs.Spec.Template.Spec.Containers[0].Image] = rs.Annotations[apps.RevisionAnnotation]
	}
	if len(rss.Items) != 2 || revs["nginx:v1"] != "3" || revs["nginx:v2"] != "2" {
		t.Fatalf("replica sets by image and revision: %v", revs)
	}

	// Cascading delete removes the replica sets and their pods.
	fg := meta.DeletePropagationForeground
	if err := client.Deployments(c).Delete(ctx, "default", "web", &meta.DeleteOptions{PropagationPolicy: &fg}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		l, err := client.ReplicaSets(c).List(ctx, "default", client.ListOptions{})
		if err != nil || len(l.Items) != 0 {
			return errorf("replica sets left: %v", err)
		}
		if _, err := client.Deployments(c).Get(ctx, "default", "web"); err == nil {
			return errorf("deployment still there")
		}
		return countIs(ctx, c, "default", "app=web", 0)()
	})
}
