package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// TestRollingUpdateKeepsReplicas watches the replication controllers while the seeds'
// `kubectl rolling-update frontend --image=image:v2` runs (a test goroutine plays controller
// manager and kubelet): the old and new controllers together never ask for fewer than
// replicas-1 pods, and at the end the old controller is gone and the new one carries the old
// name and the new image.
func TestRollingUpdateKeepsReplicas(t *testing.T) {
	e := newEnv(t)
	e.copyGuestbook()
	e.mustRun("create", "-f", "frontend-controller.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go fakeControllers(ctx, e.c, "default")
	rcs := client.ReplicationControllers(e.c)
	w, err := rcs.Watch(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var mu sync.Mutex
	specs := map[string]int32{}
	minTotal, maxTotal := int32(1<<30), int32(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if ev.Object == nil {
				continue
			}
			mu.Lock()
			if ev.Type == "DELETED" {
				delete(specs, ev.Object.Name)
			} else {
				specs[ev.Object.Name] = *ev.Object.Spec.Replicas
			}
			var total int32
			for _, n := range specs {
				total += n
			}
			// Ignore the instant of the rename, when neither controller exists.
			if len(specs) > 0 {
				minTotal, maxTotal = min(minTotal, total), max(maxTotal, total)
			}
			mu.Unlock()
		}
	}()
	time.Sleep(300 * time.Millisecond)
	out := e.mustRun("rolling-update", "frontend", "--image=image:v2", "--update-period=50ms", "--poll-interval=50ms")
	for _, want := range []string{"Created frontend-", "Scaling up frontend-", "Update succeeded. Deleting old controller: frontend", "Renaming frontend-", "replicationcontroller/frontend rolling updated"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	time.Sleep(300 * time.Millisecond)
	w.Stop()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if minTotal < 3-1 {
		t.Errorf("old+new replicas dropped to %d, below replicas-1 = 2", minTotal)
	}
	if maxTotal > 3+1 {
		t.Errorf("old+new replicas rose to %d, above replicas+maxSurge = 4", maxTotal)
	}
	list, err := rcs.List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != "frontend" {
		t.Fatalf("controllers after the update: %v", names(list.Items))
	}
	rc := list.Items[0]
	if img := rc.Spec.Template.Spec.Containers[0].Image; img != "image:v2" || *rc.Spec.Replicas != 3 || rc.Spec.Selector["deployment"] == "" {
		t.Errorf("frontend after the update: image %s, replicas %d, selector %v", img, *rc.Spec.Replicas, rc.Spec.Selector)
	}
	// --rollback without an update in progress names what it could not find.
	r := e.run("rolling-update", "frontend", "--rollback")
	if r.code == 0 || !strings.Contains(r.err, "to rollback") {
		t.Errorf("rollback without an update: exit %d, %q", r.code, r.err)
	}
}

func names(rcs []*core.ReplicationController) []string {
	var out []string
	for _, rc := range rcs {
		out = append(out, rc.Name)
	}
	return out
}
