package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// fakeWriter records bindings and status patches; bindErr, when set, fails every binding.
type fakeWriter struct {
	mu      sync.Mutex
	bindErr error
	binds   []string
	patches []string
}

func (w *fakeWriter) Bind(_ context.Context, b *core.Binding) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.bindErr != nil {
		return w.bindErr
	}
	w.binds = append(w.binds, b.Namespace+"/"+b.Name+"->"+b.Target.Name)
	return nil
}

func (w *fakeWriter) PatchStatus(_ context.Context, ns, name string, patch []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.patches = append(w.patches, ns+"/"+name+" "+string(patch))
	return nil
}

type fakeRecorder struct {
	mu     sync.Mutex
	events []string
}

func (r *fakeRecorder) Eventf(obj meta.Object, eventType, reason, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf("%s %s %s: %s", eventType, reason, obj.GetObjectMeta().Name, fmt.Sprintf(format, args...)))
}

func newTestScheduler(w *fakeWriter, rec *fakeRecorder, pods ...*core.Pod) *Scheduler {
	s := newScheduler(Config{Writer: w, Recorder: rec, Seed: 1})
	podStore := informer.NewIndexer[*core.Pod](nil)
	for _, p := range pods {
		podStore.Add(p)
	}
	s.pods = informer.NewLister[*core.Pod](podStore, apierrors.Resource{Resource: "pods"})
	s.services = informer.NewLister[*core.Service](informer.NewIndexer[*core.Service](nil), apierrors.Resource{Resource: "services"})
	s.rcs = informer.NewLister[*core.ReplicationController](informer.NewIndexer[*core.ReplicationController](nil), apierrors.Resource{Resource: "replicationcontrollers"})
	s.rss = informer.NewLister[*apps.ReplicaSet](informer.NewIndexer[*apps.ReplicaSet](nil), apierrors.Resource{Group: "apps", Resource: "replicasets"})
	return s
}

func testNode(name, cpu string) *core.Node {
	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: name}}
	n.Status.Allocatable = core.ResourceList{core.ResourceCPU: resource.MustParse(cpu), core.ResourcePods: resource.MustParse("10")}
	return n
}

func testPod(name, cpu string) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", UID: "uid-" + name}}
	p.Spec.SchedulerName = core.DefaultSchedulerName
	p.Spec.Containers = []core.Container{{Name: "c", Resources: core.ResourceRequirements{Requests: core.ResourceList{core.ResourceCPU: resource.MustParse(cpu)}}}}
	return p
}

func TestAssumedPodsPreventOvercommit(t *testing.T) {
	w, rec := &fakeWriter{}, &fakeRecorder{}
	a, b := testPod("a", "600m"), testPod("b", "600m")
	s := newTestScheduler(w, rec, a, b)
	s.nodeHandler().OnAdd(testNode("n1", "1"), true)
	s.podHandler().OnAdd(a, true)
	s.podHandler().OnAdd(b, true)
	ctx := context.Background()
	s.scheduleOne(ctx) // a is assumed on n1; its binding has not been confirmed by a watch
	s.scheduleOne(ctx) // b must not fit beside it
	s.wg.Wait()
	if len(w.binds) != 1 || w.binds[0] != "ns/a->n1" {
		t.Fatalf("binds %v", w.binds)
	}
	want := "Warning FailedScheduling b: 0/1 nodes are available: 1 Insufficient cpu."
	if !contains(rec.events, want) || !contains(rec.events, "Normal Scheduled a: Successfully assigned ns/a to n1") {
		t.Fatalf("events %v", rec.events)
	}
	if len(w.patches) != 1 || !strings.Contains(w.patches[0], `"reason":"Unschedulable"`) || !strings.Contains(w.patches[0], `"type":"PodScheduled"`) {
		t.Fatalf("status patches %v", w.patches)
	}
	if _, _, unsched := s.queue.Len(); unsched != 1 {
		t.Fatalf("b is not parked as unschedulable")
	}
	// a's binding shows up on the watch: confirmed, still counted once.
	bound := *a
	bound.Spec.NodeName = "n1"
	s.podHandler().OnUpdate(a, &bound)
	if s.cache.IsAssumed("ns/a") || !s.cache.Knows("ns/a") {
		t.Fatal("binding not confirmed in the cache")
	}
	// Deleting a frees the room: b is retried (after its backoff) and fits.
	s.podHandler().OnDelete(&bound, false)
	if _, backoff, unsched := s.queue.Len(); backoff != 1 || unsched != 0 {
		t.Fatalf("b not moved to backoff after a pod deletion: backoff %d unschedulable %d", backoff, unsched)
	}
}

func TestBindFailureForgetsAndRequeues(t *testing.T) {
	w, rec := &fakeWriter{bindErr: errors.New("etcd is sad")}, &fakeRecorder{}
	p := testPod("p", "100m")
	s := newTestScheduler(w, rec, p)
	s.nodeHandler().OnAdd(testNode("n1", "1"), true)
	s.podHandler().OnAdd(p, true)
	s.scheduleOne(context.Background())
	s.wg.Wait()
	if s.cache.Knows("ns/p") {
		t.Fatal("the assumption of a failed binding was kept")
	}
	if _, backoff, _ := s.queue.Len(); backoff != 1 {
		t.Fatal("the pod of a failed binding was not requeued with backoff")
	}
	if !contains(rec.events, "Warning FailedScheduling p: Binding rejected: bind pod ns/p to n1: etcd is sad") {
		t.Fatalf("events %v", rec.events)
	}
}

func TestOnlyOwnPendingPods(t *testing.T) {
	s := newTestScheduler(&fakeWriter{}, &fakeRecorder{})
	other := testPod("other", "1")
	other.Spec.SchedulerName = "my-scheduler"
	gated := testPod("gated", "1")
	gated.Spec.SchedulingGates = []core.PodSchedulingGate{{Name: "wait"}}
	done := testPod("done", "1")
	done.Status.Phase = core.PodSucceeded
	deflt := testPod("default", "1")
	deflt.Spec.SchedulerName = ""
	for _, p := range []*core.Pod{other, gated, done, deflt} {
		s.podHandler().OnAdd(p, true)
	}
	if active, _, _ := s.queue.Len(); active != 1 {
		t.Fatalf("%d pods queued, want only the default-scheduler one", active)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestNoNodesIsUnschedulable(t *testing.T) {
	w, rec := &fakeWriter{}, &fakeRecorder{}
	p := testPod("p", "100m")
	s := newTestScheduler(w, rec, p)
	s.podHandler().OnAdd(p, true)
	s.scheduleOne(context.Background())
	s.wg.Wait()
	if !contains(rec.events, "Warning FailedScheduling p: no nodes available to schedule pods") {
		t.Fatalf("events %v", rec.events)
	}
	if _, _, unsched := s.queue.Len(); unsched != 1 {
		t.Fatal("pod not parked")
	}
	s.nodeHandler().OnAdd(testNode("n1", "1"), false)
	if _, backoff, _ := s.queue.Len(); backoff != 1 {
		t.Fatal("a new node did not retry the pod")
	}
}
