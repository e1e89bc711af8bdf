package replication

import (
	"context"
	"testing"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// TestStatusWriterStaleCopy: a status written from a copy older than the object (the cache
// behind the controller's own last write) still lands, in one call.
func TestStatusWriterStaleCopy(t *testing.T) {
	c := apiservertest.Start(t).Client()
	ctx := context.Background()
	rcs := client.ReplicationControllers(c)
	one := int32(1)
	rc, err := rcs.Create(ctx, &core.ReplicationController{ObjectMeta: meta.ObjectMeta{Name: "rc", Namespace: "default"},
		Spec: core.ReplicationControllerSpec{Replicas: &one, Selector: map[string]string{"a": "b"},
			Template: &core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"a": "b"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	stale := *rc
	rc.Status.Replicas = 1
	if _, err := rcs.UpdateStatus(ctx, rc); err != nil { // the controller's previous write
		t.Fatal(err)
	}
	stale.Status.Replicas, stale.Status.ReadyReplicas = 1, 1
	if err := RCAdapter(c).UpdateStatus(ctx, &stale); err != nil {
		t.Fatalf("status from a stale copy: %v", err)
	}
	got, err := rcs.Get(ctx, "default", "rc")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.ReadyReplicas != 1 || got.Status.Replicas != 1 {
		t.Errorf("status %+v", got.Status)
	}
}
