package queue

import (
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func pod(name string) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{}}}
}

func lens(q *Queue) [3]int {
	a, b, u := q.Len()
	return [3]int{a, b, u}
}

func TestBackoffDuration(t *testing.T) {
	q := New(Options{})
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 20: 10 * time.Second} {
		if got := q.BackoffDuration(attempts); got != want {
			t.Errorf("BackoffDuration(%d) = %v, want %v", attempts, got, want)
		}
	}
}

func TestOrderByPriorityThenAge(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	q := New(Options{Clock: clk})
	q.Add(pod("old"))
	clk.now = clk.now.Add(time.Second)
	q.Add(pod("new"))
	hi := pod("high")
	prio := int32(10)
	hi.Spec.Priority = &prio
	q.Add(hi)
	for _, want := range []string{"high", "old", "new"} {
		qp, _, _ := q.Pop()
		if qp.Pod.Name != want {
			t.Fatalf("popped %s, want %s", qp.Pod.Name, want)
		}
		q.Done(qp.Key)
	}
}

func TestUnschedulableRetriedOnEventAfterBackoff(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	q := New(Options{Clock: clk})
	q.Add(pod("p"))
	qp, cycle, _ := q.Pop()
	q.AddUnschedulable(qp, cycle)
	if got := lens(q); got != [3]int{0, 0, 1} {
		t.Fatalf("after failure: %v", got)
	}
	q.Flush()
	if got := lens(q); got != [3]int{0, 0, 1} {
		t.Fatalf("a parked pod moved without an event: %v", got)
	}
	q.MoveAllToActiveOrBackoff() // e.g. a node was added, 0 s into a 1 s backoff
	if got := lens(q); got != [3]int{0, 1, 0} {
		t.Fatalf("after event: %v", got)
	}
	clk.now = clk.now.Add(999 * time.Millisecond)
	q.Flush()
	if got := lens(q); got != [3]int{0, 1, 0} {
		t.Fatalf("backoff ended early: %v", got)
	}
	clk.now = clk.now.Add(time.Millisecond)
	q.Flush()
	if got := lens(q); got != [3]int{1, 0, 0} {
		t.Fatalf("after backoff: %v", got)
	}
	qp, _, _ = q.Pop()
	if qp.Attempts != 2 {
		t.Fatalf("attempts %d", qp.Attempts)
	}
}

func TestEventDuringAttemptSkipsParking(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	q := New(Options{Clock: clk})
	q.Add(pod("p"))
	qp, cycle, _ := q.Pop()
	q.MoveAllToActiveOrBackoff() // a node appears while the attempt runs
	q.AddUnschedulable(qp, cycle)
	if got := lens(q); got != [3]int{0, 1, 0} {
		t.Fatalf("pod parked despite an event during its attempt: %v", got)
	}
}

func TestUpdateAndDeleteWhileInFlight(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	q := New(Options{Clock: clk})
	q.Add(pod("p"))
	qp, cycle, _ := q.Pop()
	changed := pod("p")
	changed.Labels["x"] = "y"
	q.Update(changed)
	if got := lens(q); got != [3]int{0, 0, 0} {
		t.Fatalf("an in-flight pod was queued twice: %v", got)
	}
	q.AddUnschedulable(qp, cycle)
	if qp.Pod != changed || lens(q) != [3]int{0, 1, 0} {
		t.Fatalf("updated in flight: pod %v queues %v", qp.Pod.Labels, lens(q))
	}

	q.Add(pod("d"))
	clk.now = clk.now.Add(time.Hour)
	q.Flush()
	for {
		qp, cycle, _ = q.Pop()
		if qp.Pod.Name == "d" {
			break
		}
		q.Done(qp.Key)
	}
	q.Delete("ns/d")
	q.AddUnschedulable(qp, cycle)
	_, inActive := q.active.get("ns/d")
	_, inBackoff := q.backoff.get("ns/d")
	if inActive || inBackoff || q.unschedulable["ns/d"] != nil {
		t.Fatalf("a pod deleted in flight came back: %v", lens(q))
	}
}

func TestUnschedulableUpdateRequeues(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	q := New(Options{Clock: clk})
	q.Add(pod("p"))
	qp, cycle, _ := q.Pop()
	q.AddUnschedulable(qp, cycle)
	same := pod("p")
	same.Status.Conditions = []core.PodCondition{{Type: core.PodScheduled, Status: core.ConditionFalse}}
	q.Update(same) // our own status write: nothing to retry for
	if got := lens(q); got != [3]int{0, 0, 1} {
		t.Fatalf("status-only update moved the pod: %v", got)
	}
	relabelled := pod("p")
	relabelled.Spec.NodeSelector = map[string]string{"zone": "test"}
	q.Update(relabelled)
	if got := lens(q); got != [3]int{0, 1, 0} {
		t.Fatalf("spec update did not requeue: %v", got)
	}
}

func TestMaxInUnschedulableAndClose(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	q := New(Options{Clock: clk})
	q.Add(pod("p"))
	qp, cycle, _ := q.Pop()
	q.AddUnschedulable(qp, cycle)
	clk.now = clk.now.Add(DefaultMaxInUnschedulable + time.Second)
	q.Flush()
	if got := lens(q); got != [3]int{1, 0, 0} {
		t.Fatalf("after 5 minutes: %v", got)
	}
	q.Pop()
	done := make(chan bool)
	go func() { _, _, ok := q.Pop(); done <- ok }()
	q.Close()
	if ok := <-done; ok {
		t.Fatal("Pop after Close returned a pod")
	}
}
