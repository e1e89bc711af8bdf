package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/scheduler/internal/placement"
)

// TestNoOvercommit creates 510 pods at once for 10 nodes with room for exactly 500: every
// node ends up full, none over its allocatable, and 10 pods wait.
func TestNoOvercommit(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	alloc := map[string]placement.Resource{}
	for i := 0; i < 10; i++ {
		n := createNode(t, c, fmt.Sprintf("n%02d", i), nodeSpec{cpu: "5", memory: "2Gi"})
		alloc[n.Name] = placement.ResourceFromList(n.Status.Allocatable)
	}
	startScheduler(t, srv, nil)

	const pods = 510
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, pods)
	sem := make(chan struct{}, 50)
	for i := 0; i < pods; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			p := &core.Pod{}
			p.Name, p.Namespace = fmt.Sprintf("p%03d", i), "default"
			p.Spec.Containers = []core.Container{{Name: "c", Image: "busybox"}}
			cpu("100m")(p)
			p.Spec.Containers[0].Resources.Requests[core.ResourceMemory] = mustQuantity("32Mi")
			if _, err := client.Pods(c).Create(context.Background(), p); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	t.Logf("created %d pods in %v", pods, time.Since(start).Round(time.Millisecond))
	var bound []*core.Pod
	waitFor(t, 60*time.Second, "500 pods bound", func() (bool, error) {
		list, err := client.Pods(c).List(context.Background(), "default", client.ListOptions{})
		if err != nil {
			return false, err
		}
		bound = bound[:0]
		for _, p := range list.Items {
			if p.Spec.NodeName != "" {
				bound = append(bound, p)
			}
		}
		return len(bound) >= 500, fmt.Errorf("%d bound", len(bound))
	})
	t.Logf("500 bound %v after the first create", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // give an over-committing scheduler the chance to bind more
	list, err := client.Pods(c).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]placement.Resource{}
	count := map[string]int{}
	total := 0
	for _, p := range list.Items {
		if p.Spec.NodeName == "" {
			continue
		}
		total++
		r := used[p.Spec.NodeName]
		r.Add(placement.NewPodInfo(p).Requests)
		used[p.Spec.NodeName] = r
		count[p.Spec.NodeName]++
	}
	if total != 500 {
		t.Errorf("%d pods bound, want exactly 500", total)
	}
	for name, r := range used {
		a := alloc[name]
		if r.MilliCPU > a.MilliCPU || r.Memory > a.Memory || int64(count[name]) > a.AllowedPods {
			t.Errorf("node %s over-committed: %d pods, %dm cpu of %dm, %d memory of %d", name, count[name], r.MilliCPU, a.MilliCPU, r.Memory, a.Memory)
		}
	}
}

// TestFailoverToStandby runs a leader and a standby with short leases, kills the leader
// without releasing its lease, and checks that the standby takes over and binds new pods.
func TestFailoverToStandby(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	createNode(t, c, "n1", nodeSpec{cpu: "4"})
	short := func(o *Options) {
		o.LeaderElection.LeaseDuration = 2 * time.Second
		o.LeaderElection.RenewDeadline = 1500 * time.Millisecond
		o.LeaderElection.RetryPeriod = 200 * time.Millisecond
		o.ReleaseOnCancel = false // a crash, not a clean shutdown
	}
	leaseHolder := func() string {
		l, err := client.Leases(c).Get(context.Background(), "kube-system", "kube-scheduler")
		if err != nil || l.Spec.HolderIdentity == nil {
			return ""
		}
		return *l.Spec.HolderIdentity
	}
	first := startScheduler(t, srv, short)
	var leader string
	waitFor(t, 10*time.Second, "a leader", func() (bool, error) { leader = leaseHolder(); return leader != "", nil })
	startScheduler(t, srv, short)

	createPod(t, c, "before")
	waitBound(t, c, "before", 10*time.Second)

	first.stop()
	if leaseHolder() != leader {
		t.Fatal("the killed leader released its lease")
	}
	start := time.Now()
	createPod(t, c, "after")
	waitBound(t, c, "after", 15*time.Second)
	if h := leaseHolder(); h == leader || h == "" {
		t.Fatalf("lease holder %q, want the standby", h)
	}
	t.Logf("standby bound a new pod %v after the leader died", time.Since(start).Round(time.Millisecond))
}
