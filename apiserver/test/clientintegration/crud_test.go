package clientintegration

import (
	"fmt"
	"strings"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

func newPod(name string, labels map[string]string) *core.Pod {
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox:1.36"}}},
	}
}

func newDeployment(name string, replicas int32) *apps.Deployment {
	labels := map[string]string{"app": name}
	return &apps.Deployment{
		ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default"},
		Spec: apps.DeploymentSpec{
			Replicas: &replicas,
			Selector: &meta.LabelSelector{MatchLabels: labels},
			Template: core.PodTemplateSpec{
				ObjectMeta: meta.ObjectMeta{Labels: labels},
				Spec:       core.PodSpec{Containers: []core.Container{{Name: "web", Image: "nginx:1.27"}}},
			},
		},
	}
}

func TestPodCRUD(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	pods := client.Pods(c)

	created, err := pods.Create(ctx, newPod("web", map[string]string{"app": "web"}))
	if err != nil {
		t.Fatal(err)
	}
	if created.UID == "" || created.ResourceVersion == "" || created.Kind != "Pod" || created.APIVersion != "v1" {
		t.Fatalf("created %+v", created.ObjectMeta)
	}
	if created.Spec.RestartPolicy != core.RestartPolicyAlways {
		t.Errorf("defaults not applied: restartPolicy %q", created.Spec.RestartPolicy)
	}
	if _, err := pods.Create(ctx, newPod("web", nil)); !apierrors.IsAlreadyExists(err) {
		t.Errorf("second create: %v, want AlreadyExists", err)
	}
	got, err := pods.Get(ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	if got.UID != created.UID {
		t.Errorf("get returned another pod")
	}
	if _, err := pods.Get(ctx, "default", "nope"); !apierrors.IsNotFound(err) {
		t.Errorf("get missing: %v, want NotFound", err)
	}

	got.Labels["tier"] = "frontend"
	updated, err := pods.Update(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Labels["tier"] != "frontend" || updated.ResourceVersion == got.ResourceVersion {
		t.Errorf("update: %+v", updated.ObjectMeta)
	}
	// got still carries the old resourceVersion: the server must refuse it.
	got.Labels["tier"] = "backend"
	if _, err := pods.Update(ctx, got); !apierrors.IsConflict(err) {
		t.Errorf("stale update: %v, want Conflict", err)
	}

	bad := newPod("bad", nil)
	bad.Spec.Containers = nil
	if _, err := pods.Create(ctx, bad); !apierrors.IsInvalid(err) {
		t.Errorf("invalid pod: %v, want Invalid", err)
	}

	// Status is written only through the status subresource.
	updated.Status.Phase = core.PodRunning
	updated.Status.PodIP = "10.1.2.3"
	st, err := pods.UpdateStatus(ctx, updated)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status.Phase != core.PodRunning || st.Status.PodIP != "10.1.2.3" {
		t.Errorf("status update: %+v", st.Status)
	}

	patched, err := pods.Patch(ctx, "default", "web", client.MergePatchType, []byte(`{"metadata":{"annotations":{"a":"b"}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if patched.Annotations["a"] != "b" || patched.Status.PodIP != "10.1.2.3" {
		t.Errorf("merge patch: %+v", patched.ObjectMeta)
	}
	patched, err = pods.Patch(ctx, "default", "web", client.StrategicMergePatchType,
		[]byte(`{"spec":{"containers":[{"name":"c","image":"busybox:1.37"}]}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(patched.Spec.Containers) != 1 || patched.Spec.Containers[0].Image != "busybox:1.37" {
		t.Errorf("strategic patch: %+v", patched.Spec.Containers)
	}
	patched, err = pods.Patch(ctx, "default", "web", client.JSONPatchType,
		[]byte(`[{"op":"replace","path":"/metadata/labels/tier","value":"db"}]`), "")
	if err != nil {
		t.Fatal(err)
	}
	if patched.Labels["tier"] != "db" {
		t.Errorf("json patch: %v", patched.Labels)
	}

	if _, err := pods.Create(ctx, newPod("dry", nil), client.DryRun()); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "default", "dry"); !apierrors.IsNotFound(err) {
		t.Errorf("dry-run create persisted: %v", err)
	}

	// An unscheduled pod is deleted at once.
	if err := pods.Delete(ctx, "default", "web", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "default", "web"); !apierrors.IsNotFound(err) {
		t.Errorf("after delete: %v, want NotFound", err)
	}
	if err := pods.Delete(ctx, "default", "web", nil); !apierrors.IsNotFound(err) {
		t.Errorf("second delete: %v, want NotFound", err)
	}
	// Preconditions fail with a Conflict.
	p, err := pods.Create(ctx, newPod("pre", nil))
	if err != nil {
		t.Fatal(err)
	}
	wrong := "not-the-uid"
	if err := pods.Delete(ctx, "default", "pre", &meta.DeleteOptions{Preconditions: &meta.Preconditions{UID: &wrong}}); !apierrors.IsConflict(err) {
		t.Errorf("delete with a wrong uid: %v, want Conflict", err)
	}
	if err := pods.Delete(ctx, "default", "pre", &meta.DeleteOptions{Preconditions: &meta.Preconditions{UID: &p.UID}}); err != nil {
		t.Errorf("delete with the right uid: %v", err)
	}
}

func TestServiceAndDeploymentCRUD(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)

	svc, err := client.Services(c).Create(ctx, &core.Service{
		ObjectMeta: meta.ObjectMeta{Name: "frontend", Namespace: "default"},
		Spec: core.ServiceSpec{Selector: map[string]string{"app": "guestbook"},
			Ports: []core.ServicePort{{Port: 80, TargetPort: intstr.FromInt(80)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(svc.Spec.ClusterIP, "10.254.") {
		t.Errorf("clusterIP %q not allocated from 10.254.0.0/16", svc.Spec.ClusterIP)
	}
	k8s, err := client.Services(c).Get(ctx, "default", "kubernetes")
	if err != nil || k8s.Spec.ClusterIP != "10.254.0.1" {
		t.Errorf("kubernetes service: %v %v", k8s, err)
	}

	deps := client.Deployments(c)
	d, err := deps.Create(ctx, newDeployment("web", 2))
	if err != nil {
		t.Fatal(err)
	}
	if d.Generation != 1 || d.Kind != "Deployment" || d.APIVersion != "apps/v1" {
		t.Errorf("created deployment %+v %+v", d.TypeMeta, d.ObjectMeta)
	}
	d.Spec.Template.Spec.Containers[0].Image = "nginx:1.28"
	d2, err := deps.Update(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Generation != 2 {
		t.Errorf("spec change did not bump generation: %d", d2.Generation)
	}
	if _, err := deps.Update(ctx, d); !apierrors.IsConflict(err) {
		t.Errorf("stale deployment update: %v, want Conflict", err)
	}
	l, err := deps.List(ctx, "", client.ListOptions{})
	if err != nil || len(l.Items) != 1 || l.Items[0].Name != "web" || l.ResourceVersion == "" {
		t.Fatalf("list: %+v %v", l, err)
	}
	if _, err := deps.Get(ctx, "kube-system", "web"); !apierrors.IsNotFound(err) {
		t.Errorf("other namespace: %v", err)
	}
	if err := deps.Delete(ctx, "default", "web", nil); err != nil {
		t.Fatal(err)
	}
}

func TestSelectorsPagingAndDeleteCollection(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	pods := client.Pods(c)
	if _, err := client.Namespaces(c).Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "other"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		p := newPod(fmt.Sprintf("p%d", i), map[string]string{"app": "web", "tier": []string{"a", "b"}[i%2]})
		if i == 5 {
			p.Namespace = "other"
		}
		if _, err := pods.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	names := func(l *client.List[*core.Pod]) string {
		var n []string
		for _, p := range l.Items {
			n = append(n, p.Namespace+"/"+p.Name)
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		ns   string
		opts client.ListOptions
		want string
	}{
		{"default", client.ListOptions{LabelSelector: "tier=a"}, "default/p0,default/p2,default/p4"},
		{"default", client.ListOptions{LabelSelector: "tier in (b),app"}, "default/p1,default/p3"},
		{"", client.ListOptions{LabelSelector: "tier=b"}, "default/p1,default/p3,other/p5"},
		{"", client.ListOptions{FieldSelector: "metadata.namespace=other"}, "other/p5"},
		{"default", client.ListOptions{FieldSelector: "metadata.name!=p0", LabelSelector: "tier=a"}, "default/p2,default/p4"},
	}
	for _, tt := range tests {
		l, err := pods.List(ctx, tt.ns, tt.opts)
		if err != nil {
			t.Fatalf("%+v: %v", tt.opts, err)
		}
		if got := names(l); got != tt.want {
			t.Errorf("%q %+v: %s, want %s", tt.ns, tt.opts, got, tt.want)
		}
	}
	if _, err := pods.List(ctx, "", client.ListOptions{LabelSelector: "a in (("}); !apierrors.IsBadRequest(err) {
		t.Errorf("bad selector: %v, want BadRequest", err)
	}

	// Paging: limit 2 with continue tokens yields every pod once.
	var all []string
	opts := client.ListOptions{Limit: 2}
	for page := 0; ; page++ {
		l, err := pods.List(ctx, "", opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) > 2 {
			t.Fatalf("page of %d", len(l.Items))
		}
		all = append(all, names(l))
		if l.Continue == "" {
			break
		}
		if page > 10 {
			t.Fatal("paging does not end")
		}
		opts.Continue = l.Continue
	}
	if got := strings.Join(all, ","); got != "default/p0,default/p1,default/p2,default/p3,default/p4,other/p5" {
		t.Errorf("pages: %s", got)
	}

	if err := pods.DeleteCollection(ctx, "default", nil, client.ListOptions{LabelSelector: "tier=a"}); err != nil {
		t.Fatal(err)
	}
	l, err := pods.List(ctx, "", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(l); got != "default/p1,default/p3,other/p5" {
		t.Errorf("after delete collection: %s", got)
	}
}

func TestDiscoveryAndVersion(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	v, err := c.ServerVersion(ctx)
	if err != nil || v["major"] == "" || v["gitVersion"] == "" {
		t.Fatalf("version %v %v", v, err)
	}
	d, err := c.Discovery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, l := range d.Resources {
		for _, r := range l.APIResources {
			served[l.GroupVersion+"/"+r.Name] = true
		}
	}
	// Everything the client's scheme knows is discoverable, subresources included.
	for _, k := range c.Scheme().Kinds() {
		if !served[k.GroupVersion()+"/"+k.Resource] {
			t.Errorf("%s/%s not in discovery", k.GroupVersion(), k.Resource)
		}
	}
	for _, want := range []string{"v1/pods/binding", "v1/pods/eviction", "apps/v1/deployments/scale"} {
		if !served[want] {
			t.Errorf("%s not in discovery", want)
		}
	}
	resp, err := c.Do(ctx, "GET", "/healthz", nil, nil, "", "*/*")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
