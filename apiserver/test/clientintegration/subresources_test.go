package clientintegration

import (
	"testing"

	"seven.dev/api/autoscaling"
	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
)

func TestBind(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	pods := client.Pods(c)
	if _, err := pods.Create(ctx, newPod("pending", nil)); err != nil {
		t.Fatal(err)
	}
	b := &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "pending", Namespace: "default"},
		Target: core.ObjectReference{Kind: "Node", Name: "node-1"}}
	if err := c.Bind(ctx, b); err != nil {
		t.Fatal(err)
	}
	p, err := pods.Get(ctx, "default", "pending")
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.NodeName != "node-1" {
		t.Errorf("nodeName %q after binding", p.Spec.NodeName)
	}
	b.Target.Name = "node-2"
	if err := c.Bind(ctx, b); !apierrors.IsConflict(err) {
		t.Errorf("second binding: %v, want Conflict", err)
	}
	b.Name = "missing"
	if err := c.Bind(ctx, b); !apierrors.IsNotFound(err) {
		t.Errorf("binding a missing pod: %v, want NotFound", err)
	}
	// Field selectors see the binding.
	l, err := pods.List(ctx, "", client.ListOptions{FieldSelector: "spec.nodeName=node-1"})
	if err != nil || len(l.Items) != 1 {
		t.Errorf("pods on node-1: %v %v", l, err)
	}
}

func TestScale(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	deps := client.Deployments(c)
	if _, err := deps.Create(ctx, newDeployment("web", 2)); err != nil {
		t.Fatal(err)
	}
	sc, err := deps.GetScale(ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Spec.Replicas != 2 || sc.Name != "web" || sc.Status.Selector != "app=web" {
		t.Errorf("scale %+v", sc)
	}
	sc.Spec.Replicas = 5
	up, err := deps.UpdateScale(ctx, "default", "web", sc)
	if err != nil {
		t.Fatal(err)
	}
	if up.Spec.Replicas != 5 {
		t.Errorf("updated scale %+v", up.Spec)
	}
	d, err := deps.Get(ctx, "default", "web")
	if err != nil || *d.Spec.Replicas != 5 {
		t.Fatalf("deployment replicas after scale: %v %v", d.Spec.Replicas, err)
	}
	// sc still has the old version.
	sc.Spec.Replicas = 1
	if _, err := deps.UpdateScale(ctx, "default", "web", sc); !apierrors.IsConflict(err) {
		t.Errorf("stale scale update: %v, want Conflict", err)
	}
	patched, err := deps.PatchScale(ctx, "default", "web", client.MergePatchType, []byte(`{"spec":{"replicas":3}}`))
	if err != nil || patched.Spec.Replicas != 3 {
		t.Errorf("patch scale: %+v %v", patched, err)
	}
	if _, err := deps.GetScale(ctx, "default", "nope"); !apierrors.IsNotFound(err) {
		t.Errorf("scale of a missing deployment: %v", err)
	}

	// Replication controllers scale the same way.
	two := int32(2)
	rc := &core.ReplicationController{
		ObjectMeta: meta.ObjectMeta{Name: "redis", Namespace: "default"},
		Spec: core.ReplicationControllerSpec{Replicas: &two, Selector: map[string]string{"app": "redis"},
			Template: &core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "redis"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "redis", Image: "redis"}}}}},
	}
	if _, err := client.ReplicationControllers(c).Create(ctx, rc); err != nil {
		t.Fatal(err)
	}
	rcs, err := client.ReplicationControllers(c).UpdateScale(ctx, "default", "redis", &autoscaling.Scale{Spec: autoscaling.ScaleSpec{Replicas: 4}})
	if err != nil || rcs.Spec.Replicas != 4 {
		t.Errorf("rc scale without a version: %+v %v", rcs, err)
	}
}

func TestEviction(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	pods := client.Pods(c)
	if _, err := pods.Create(ctx, newPod("victim", nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "victim", Namespace: "default"}}, client.DryRun()); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "default", "victim"); err != nil {
		t.Fatalf("dry-run eviction removed the pod: %v", err)
	}
	if err := c.Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "victim", Namespace: "default"}}); err != nil {
		t.Fatal(err)
	}
	// Never scheduled, so deleted at once.
	if _, err := pods.Get(ctx, "default", "victim"); !apierrors.IsNotFound(err) {
		t.Errorf("after eviction: %v, want NotFound", err)
	}
	if err := c.Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "victim", Namespace: "default"}}); !apierrors.IsNotFound(err) {
		t.Errorf("evicting a missing pod: %v, want NotFound", err)
	}

	// A bound pod is evicted gracefully: marked for deletion with the given grace period.
	if _, err := pods.Create(ctx, newPod("bound", nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "bound", Namespace: "default"},
		Target: core.ObjectReference{Kind: "Node", Name: "n1"}}); err != nil {
		t.Fatal(err)
	}
	grace := int64(30)
	if err := c.Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "bound", Namespace: "default"},
		DeleteOptions: &meta.DeleteOptions{GracePeriodSeconds: &grace}}); err != nil {
		t.Fatal(err)
	}
	p, err := pods.Get(ctx, "default", "bound")
	if err != nil {
		t.Fatal(err)
	}
	if p.DeletionTimestamp == nil || p.DeletionGracePeriodSeconds == nil || *p.DeletionGracePeriodSeconds != 30 {
		t.Errorf("evicted bound pod: %+v", p.ObjectMeta)
	}
}

func TestPodLogsWithoutKubelet(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	// Without a kubelet there is no log to stream; whatever the server says (NotFound for
	// the pod, or 405 while pods/log is not wired to kubelets yet) arrives as a Status.
	_, err := c.PodLogs(ctx, "default", "ghost", client.LogOptions{Follow: true})
	if !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
		t.Errorf("logs of a missing pod: %v, want a NotFound or MethodNotAllowed Status", err)
	}
}
