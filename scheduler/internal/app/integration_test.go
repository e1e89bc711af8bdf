package app

import (
	"context"
	"net/http"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func TestNodeSelectorAndLabelChange(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	createNode(t, c, "n1", nodeSpec{cpu: "2"})
	createNode(t, c, "n2", nodeSpec{cpu: "2", labels: map[string]string{"zone": "test"}})
	startScheduler(t, srv, nil)

	createPod(t, c, "test", func(p *core.Pod) { p.Spec.NodeSelector = map[string]string{"zone": "test"} })
	if n := waitBound(t, c, "test", 10*time.Second); n != "n2" {
		t.Fatalf("zone=test pod on %s", n)
	}
	createPod(t, c, "prod", func(p *core.Pod) { p.Spec.NodeSelector = map[string]string{"zone": "prod"} })
	waitUnschedulable(t, c, "prod", "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")

	// `kubectl label nodes n1 zone=prod`: the parked pod is retried and placed.
	if _, err := client.Nodes(c).Patch(context.Background(), "", "n1", client.MergePatchType, []byte(`{"metadata":{"labels":{"zone":"prod"}}}`), ""); err != nil {
		t.Fatal(err)
	}
	if n := waitBound(t, c, "prod", 10*time.Second); n != "n1" {
		t.Fatalf("zone=prod pod on %s", n)
	}
}

func TestResourcesEventsAndMetrics(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	createNode(t, c, "small", nodeSpec{cpu: "1"})
	createNode(t, c, "big", nodeSpec{cpu: "4"})
	s := startScheduler(t, srv, func(o *Options) { o.SecurePort = freePort(t) })

	createPod(t, c, "two-cpus", cpu("2"))
	if n := waitBound(t, c, "two-cpus", 10*time.Second); n != "big" {
		t.Fatalf("2-cpu pod on %s", n)
	}
	waitFor(t, 10*time.Second, "Scheduled event", func() (bool, error) {
		evs, err := client.Events(c).List(context.Background(), "default", client.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			if e.Reason == "Scheduled" && e.Message == "Successfully assigned default/two-cpus to big" && e.Source.Component == "default-scheduler" {
				return true, nil
			}
		}
		return false, nil
	})
	createPod(t, c, "three-cpus", cpu("3"))
	waitUnschedulable(t, c, "three-cpus", "0/2 nodes are available: 2 Insufficient cpu.")

	m := scrape(t, s.addr)
	for _, want := range []string{
		`scheduler_schedule_attempts_total{profile="default-scheduler",result="scheduled"} 1`,
		`scheduler_schedule_attempts_total{profile="default-scheduler",result="unschedulable"}`,
		`scheduler_scheduling_attempt_duration_seconds_count{profile="default-scheduler",result="scheduled"} 1`,
		`scheduler_pending_pods{queue="unschedulable"} 1`,
	} {
		if !hasLine(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestTaintsAndTolerations(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	createNode(t, c, "db", nodeSpec{cpu: "2", taints: []core.Taint{{Key: "dedicated", Value: "db", Effect: core.TaintEffectNoSchedule}}})
	createNode(t, c, "gone", nodeSpec{cpu: "2", taints: []core.Taint{{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoExecute}}})
	cordoned := createNode(t, c, "cordoned", nodeSpec{cpu: "2"})
	cordoned.Spec.Unschedulable = true
	if _, err := client.Nodes(c).Update(context.Background(), cordoned); err != nil {
		t.Fatal(err)
	}
	startScheduler(t, srv, nil)

	createPod(t, c, "plain")
	waitUnschedulable(t, c, "plain", "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, "+
		"1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable.")
	createPod(t, c, "tolerant", func(p *core.Pod) {
		p.Spec.Tolerations = []core.Toleration{{Key: "dedicated", Operator: core.TolerationOpEqual, Value: "db", Effect: core.TaintEffectNoSchedule}}
	})
	if n := waitBound(t, c, "tolerant", 10*time.Second); n != "db" {
		t.Fatalf("tolerant pod on %s", n)
	}
}

func TestAntiAffinitySpreadsReplicas(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	for _, n := range []string{"a", "b", "c"} {
		createNode(t, c, n, nodeSpec{cpu: "4"})
	}
	startScheduler(t, srv, nil)
	anti := func(p *core.Pod) {
		p.Labels["app"] = "web"
		p.Spec.Affinity = &core.Affinity{PodAntiAffinity: &core.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []core.PodAffinityTerm{{
			LabelSelector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, TopologyKey: core.LabelHostname,
		}}}}
	}
	for _, name := range []string{"web-1", "web-2", "web-3", "web-4"} {
		createPod(t, c, name, anti)
	}
	used := map[string]bool{}
	for _, name := range []string{"web-1", "web-2", "web-3", "web-4"} {
		if name == "web-4" {
			continue
		}
		n := waitBound(t, c, name, 10*time.Second)
		if used[n] {
			t.Fatalf("two replicas on %s", n)
		}
		used[n] = true
	}
	// Which three of the four got nodes depends on watch order; whichever is left waits.
	waitFor(t, 10*time.Second, "one replica unschedulable", func() (bool, error) {
		pods, err := client.Pods(c).List(context.Background(), "default", client.ListOptions{})
		if err != nil {
			return false, err
		}
		pending := 0
		for _, p := range pods.Items {
			for _, cond := range p.Status.Conditions {
				if p.Spec.NodeName == "" && cond.Type == core.PodScheduled &&
					cond.Message == "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." {
					pending++
				}
			}
		}
		return pending == 1, nil
	})
}

func TestUnschedulablePodPlacedWhenNodeAppears(t *testing.T) {
	srv := apiservertest.Start(t)
	c := srv.Client()
	createNode(t, c, "small", nodeSpec{cpu: "1"})
	startScheduler(t, srv, nil)
	createPod(t, c, "big", cpu("2"))
	waitUnschedulable(t, c, "big", "0/1 nodes are available: 1 Insufficient cpu.")
	start := time.Now()
	createNode(t, c, "large", nodeSpec{cpu: "8"})
	if n := waitBound(t, c, "big", 5*time.Second); n != "large" {
		t.Fatalf("pod on %s", n)
	}
	t.Logf("placed %v after the node appeared", time.Since(start).Round(time.Millisecond))
}
