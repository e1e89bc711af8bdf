package leaderintegration

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/record"
)

// waitEvents polls the events of namespace until ok accepts them.
func waitEvents(t *testing.T, events *client.Resource[*core.Event], namespace string, what string, ok func([]*core.Event) bool) []*core.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := events.List(context.Background(), namespace, client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ok(list.Items) {
			return list.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: events are %+v", what, list.Items)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRecorderAggregates(t *testing.T) {
	host := startServer(t)
	c := newClient(t, host)
	events := client.Events(c)
	rec := record.NewRecorder(record.SinkFor(c), core.EventSource{Component: "kube-scheduler"},
		record.Options{Logger: testLogger("recorder"), RetryInterval: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "default", Name: "nginx", UID: "u-1"}}
	rec.Event(pod, core.EventTypeWarning, "FailedScheduling", "0/3 nodes are available")
	rec.Event(pod, core.EventTypeWarning, "FailedScheduling", "0/3 nodes are available")
	evs := waitEvents(t, events, "default", "two identical events as one with count 2", func(evs []*core.Event) bool {
		return len(evs) == 1 && evs[0].Count == 2
	})
	first := evs[0]
	if first.InvolvedObject.Kind != "Pod" || first.InvolvedObject.Name != "nginx" || first.Source.Component != "kube-scheduler" ||
		first.ReportingController != "kube-scheduler" || first.Type != core.EventTypeWarning {
		t.Fatalf("event %+v", first)
	}

	rec.Event(pod, core.EventTypeNormal, "Scheduled", "Successfully assigned default/nginx to node-1")
	waitEvents(t, events, "default", "a different event as a second object", func(evs []*core.Event) bool {
		return len(evs) == 2
	})

	// Deleted meanwhile (the server's event TTL): the next repeat is written anew.
	if err := events.Delete(context.Background(), "default", first.Name, nil); err != nil {
		t.Fatal(err)
	}
	rec.Event(pod, core.EventTypeWarning, "FailedScheduling", "0/3 nodes are available")
	waitEvents(t, events, "default", "the repeat of a deleted event recreated", func(evs []*core.Event) bool {
		for _, ev := range evs {
			if ev.Reason == "FailedScheduling" && ev.Name != first.Name && ev.Count == 1 {
				return len(evs) == 2
			}
		}
		return false
	})
}
