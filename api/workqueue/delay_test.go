package workqueue

import (
	"testing"
	"time"
)

func TestAddAfterOrdering(t *testing.T) {
	clock := newFakeClock()
	q := New(Config[string]{Clock: clock})
	defer q.ShutDown()
	q.AddAfter("a", 2*time.Second)
	q.AddAfter("b", time.Second)
	q.AddAfter("c", 3*time.Second)
	q.AddAfter("now", 0)
	if item, _ := getWithin(t, q, time.Second); item != "now" {
		t.Fatalf("got %q, want the zero-delay item at once", item)
	}
	q.Done("now")

	clock.Step(999 * time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if q.Len() != 0 {
		t.Fatalf("Len = %d before any delay passed", q.Len())
	}
	for _, want := range []string{"b", "a", "c"} {
		clock.Step(time.Second)
		item, _ := getWithin(t, q, time.Second)
		if item != want {
			t.Fatalf("got %q, want %q", item, want)
		}
		q.Done(item)
	}
}

func TestAddAfterKeepsEarlierTime(t *testing.T) {
	clock := newFakeClock()
	q := New(Config[string]{Clock: clock})
	defer q.ShutDown()
	q.AddAfter("a", 10*time.Second)
	q.AddAfter("a", time.Second)
	q.AddAfter("a", 5*time.Second)
	clock.Step(time.Second)
	item, _ := getWithin(t, q, time.Second)
	if item != "a" {
		t.Fatalf("got %q", item)
	}
	q.Done(item)
	clock.Step(10 * time.Second)
	time.Sleep(20 * time.Millisecond)
	if q.Len() != 0 {
		t.Fatalf("Len = %d: the later AddAfter calls must have merged into the earliest", q.Len())
	}
}

func TestAddAfterDelayedItemDeduplicatesWithQueued(t *testing.T) {
	clock := newFakeClock()
	q := New(Config[string]{Clock: clock})
	defer q.ShutDown()
	q.Add("a")
	q.AddAfter("a", time.Second)
	clock.Step(time.Second)
	time.Sleep(20 * time.Millisecond)
	if q.Len() != 1 {
		t.Fatalf("Len = %d, want 1", q.Len())
	}
}

func TestShutDownDropsDelayed(t *testing.T) {
	clock := newFakeClock()
	q := New(Config[string]{Clock: clock})
	q.AddAfter("a", time.Second)
	q.ShutDown()
	clock.Step(time.Hour)
	if item, shutdown := getWithin(t, q, time.Second); !shutdown {
		t.Fatalf("got %q after ShutDown", item)
	}
}
