package hollow_test

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/kubelet/pkg/hollow"
)

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestHollowNodes(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop, err := hollow.RunHollowNodes(ctx, c, 20, hollow.Options{LeaseRenewInterval: time.Second, StatusUpdateFrequency: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	waitFor(t, 30*time.Second, "20 ready nodes", func() bool {
		l, err := client.Nodes(c).List(ctx, "", client.ListOptions{})
		if err != nil || len(l.Items) != 20 {
			return false
		}
		for _, n := range l.Items {
			ready := false
			for _, cond := range n.Status.Conditions {
				ready = ready || cond.Type == core.NodeReady && cond.Status == core.ConditionTrue
			}
			if !ready || n.Labels[core.LabelHostname] != n.Name || len(n.Status.Allocatable) == 0 {
				return false
			}
		}
		return true
	})
	// The first Lease may be written just after the node turns Ready.
	var l0 *coordination.Lease
	waitFor(t, 20*time.Second, "first lease", func() bool {
		l, err := client.Leases(c).Get(ctx, core.NamespaceNodeLease, "hollow-node-3")
		l0 = l
		return err == nil
	})
	waitFor(t, 10*time.Second, "lease renewal", func() bool {
		l, err := client.Leases(c).Get(ctx, core.NamespaceNodeLease, "hollow-node-3")
		return err == nil && l.Spec.RenewTime.After(l0.Spec.RenewTime.Time)
	})

	pod := &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: core.PodSpec{NodeName: "hollow-node-7", Containers: []core.Container{
			{Name: "a", Image: "nginx:1.0"}, {Name: "b", Image: "redis:7"}}},
	}
	if _, err := client.Pods(c).Create(ctx, pod); err != nil {
		t.Fatal(err)
	}
	var got *core.Pod
	waitFor(t, 10*time.Second, "pod Running and Ready", func() bool {
		got, err = client.Pods(c).Get(ctx, "default", "web")
		if err != nil || got.Status.Phase != core.PodRunning || got.Status.PodIP == "" || len(got.Status.ContainerStatuses) != 2 {
			return false
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == core.PodReady && cond.Status == core.ConditionTrue {
				return true
			}
		}
		return false
	})
	if got.Status.HostIP == "" || !got.Status.ContainerStatuses[0].Ready || got.Status.StartTime == nil {
		t.Fatalf("status: %+v", got.Status)
	}
	zero := int64(30)
	if err := client.Pods(c).Delete(ctx, "default", "web", &meta.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "pod deleted by the kubelet", func() bool {
		_, err := client.Pods(c).Get(ctx, "default", "web")
		return err != nil
	})
}
