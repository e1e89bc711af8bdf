package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// testScheduler is one kube-scheduler running in the test process.
type testScheduler struct {
	cancel context.CancelFunc
	done   chan error
	addr   string
}

// startScheduler runs a scheduler against srv until the test ends; edit adjusts its options.
func startScheduler(t *testing.T, srv *apiservertest.Server, edit func(*Options)) *testScheduler {
	t.Helper()
	o := NewOptions()
	o.Kubeconfig.Master = srv.URL
	o.BindAddress = "127.0.0.1"
	o.SecurePort = 0
	o.KubeAPIQPS, o.KubeAPIBurst = 1000, 2000
	o.Seed = 1
	if edit != nil {
		edit(o)
	}
	level := slog.LevelWarn
	if os.Getenv("SCHEDULER_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithCancel(context.Background())
	s := &testScheduler{cancel: cancel, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		err := Run(ctx, o, log, prometheus.NewRegistry(), func(a string) { ready <- a })
		if err != nil {
			log.Error("scheduler exited", "err", err)
		}
		s.done <- err
	}()
	if o.serveAddress() != "" {
		select {
		case s.addr = <-ready:
		case err := <-s.done:
			t.Fatalf("scheduler exited: %v", err)
		}
	}
	t.Cleanup(s.stop)
	return s
}

func (s *testScheduler) stop() {
	s.cancel()
	t0 := time.Now()
	<-s.done
	if os.Getenv("SCHEDULER_TEST_LOG") != "" {
		fmt.Fprintf(os.Stderr, "scheduler stopped in %v\n", time.Since(t0))
	}
	s.done <- nil // later stops return at once
}

type nodeSpec struct {
	cpu, memory, pods string
	labels            map[string]string
	taints            []core.Taint
}

// createNode registers a fake, Ready node (no kubelet behind it).
func createNode(t testing.TB, c *client.Client, name string, spec nodeSpec) *core.Node {
	t.Helper()
	if spec.pods == "" {
		spec.pods = "110"
	}
	if spec.memory == "" {
		spec.memory = "4Gi"
	}
	lbl := map[string]string{core.LabelHostname: name}
	for k, v := range spec.labels {
		lbl[k] = v
	}
	ctx := context.Background()
	n, err := client.Nodes(c).Create(ctx, &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: lbl}, Spec: core.NodeSpec{Taints: spec.taints}})
	if err != nil {
		t.Fatalf("create node %s: %v", name, err)
	}
	rl := core.ResourceList{
		core.ResourceCPU:    resource.MustParse(spec.cpu),
		core.ResourceMemory: resource.MustParse(spec.memory),
		core.ResourcePods:   resource.MustParse(spec.pods),
	}
	n.Status.Capacity, n.Status.Allocatable = rl, rl
	n.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: core.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: meta.Now()}}
	n, err = client.Nodes(c).UpdateStatus(ctx, n)
	if err != nil {
		t.Fatalf("node %s status: %v", name, err)
	}
	return n
}

type podOpt func(*core.Pod)

func cpu(q string) podOpt {
	return func(p *core.Pod) {
		p.Spec.Containers[0].Resources.Requests = core.ResourceList{core.ResourceCPU: resource.MustParse(q)}
	}
}

func createPod(t testing.TB, c *client.Client, name string, opts ...podOpt) *core.Pod {
	t.Helper()
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{}}}
	p.Spec.Containers = []core.Container{{Name: "c", Image: "busybox:1.36"}}
	for _, o := range opts {
		o(p)
	}
	p, err := client.Pods(c).Create(context.Background(), p)
	if err != nil {
		t.Fatalf("create pod %s: %v", name, err)
	}
	return p
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitBound waits until the pod has a node and returns it.
func waitBound(t testing.TB, c *client.Client, name string, timeout time.Duration) string {
	t.Helper()
	var node string
	waitFor(t, timeout, "pod "+name+" bound", func() (bool, error) {
		p, err := client.Pods(c).Get(context.Background(), "default", name)
		if err != nil {
			return false, err
		}
		node = p.Spec.NodeName
		return node != "", nil
	})
	return node
}

// waitUnschedulable waits for the pod's FailedScheduling event and PodScheduled=False
// condition, and checks both carry want.
func waitUnschedulable(t testing.TB, c *client.Client, name, want string) {
	t.Helper()
	waitFor(t, 10*time.Second, "pod "+name+" unschedulable: "+want, func() (bool, error) {
		p, err := client.Pods(c).Get(context.Background(), "default", name)
		if err != nil {
			return false, err
		}
		if p.Spec.NodeName != "" {
			return false, fmt.Errorf("pod was bound to %s", p.Spec.NodeName)
		}
		var cond *core.PodCondition
		for i := range p.Status.Conditions {
			if p.Status.Conditions[i].Type == core.PodScheduled {
				cond = &p.Status.Conditions[i]
			}
		}
		if cond == nil || cond.Status != core.ConditionFalse || cond.Reason != "Unschedulable" || cond.Message != want {
			return false, fmt.Errorf("condition %+v", cond)
		}
		evs, err := client.Events(c).List(context.Background(), "default", client.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			if e.InvolvedObject.Name == name && e.Reason == "FailedScheduling" && e.Type == core.EventTypeWarning && e.Message == want {
				return true, nil
			}
		}
		return false, errors.New("no FailedScheduling event with that message")
	})
}

func scrape(t testing.TB, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func hasLine(text, prefix string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func mustQuantity(s string) resource.Quantity { return resource.MustParse(s) }
