package client

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/autoscaling"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
)

// echo answers every request with its body (or, for bodiless ones, a pod named after the
// path), so each call's request can be checked.
func echo(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/log"):
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "line 1\nline 2\n")
	case strings.HasSuffix(r.URL.Path, "/scale"):
		writeJSON(w, 200, &autoscaling.Scale{ObjectMeta: meta.ObjectMeta{Name: "d", ResourceVersion: "3"},
			Spec: autoscaling.ScaleSpec{Replicas: 4}, Status: autoscaling.ScaleStatus{Replicas: 2, Selector: "app=web"}})
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/pods"):
		io.WriteString(w, `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"tok","remainingItemCount":3},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}`)
	case r.Method == http.MethodGet || r.Method == http.MethodDelete:
		writeJSON(w, 200, &core.Pod{ObjectMeta: meta.ObjectMeta{Name: r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]}})
	default:
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPatch {
			io.WriteString(w, `{"metadata":{"name":"patched"}}`)
			return
		}
		w.Write(b)
	}
}

func TestTypedRequests(t *testing.T) {
	f := newFake(t, echo)
	c, _ := newClient(t, f.URL)
	ctx := ctxT(t)
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", ResourceVersion: "5"}}
	tail := int64(10)
	tests := []struct {
		name                       string
		call                       func() error
		method, path, query, ctype string
		body                       string // substring
	}{
		{"get", func() error { _, err := Pods(c).Get(ctx, "ns", "p"); return err },
			"GET", "/api/v1/namespaces/ns/pods/p", "", "", ""},
		{"get cluster-scoped ignores namespace", func() error { _, err := Nodes(c).Get(ctx, "ns", "n1"); return err },
			"GET", "/api/v1/nodes/n1", "", "", ""},
		{"list all namespaces", func() error {
			_, err := Pods(c).List(ctx, "", ListOptions{LabelSelector: "app=web", FieldSelector: "spec.nodeName=n1", Limit: 2, Continue: "x", ResourceVersion: "0"})
			return err
		}, "GET", "/api/v1/pods", "continue=x&fieldSelector=spec.nodeName%3Dn1&labelSelector=app%3Dweb&limit=2&resourceVersion=0", "", ""},
		{"create", func() error {
			_, err := Pods(c).Create(ctx, pod, DryRun(), FieldManager("kubectl"), FieldValidation("Strict"))
			return err
		},
			"POST", "/api/v1/namespaces/ns/pods", "dryRun=All&fieldManager=kubectl&fieldValidation=Strict", "application/json", `"name":"p"`},
		{"create without namespace goes to default", func() error {
			_, err := Pods(c).Create(ctx, &core.Pod{ObjectMeta: meta.ObjectMeta{GenerateName: "x-"}})
			return err
		}, "POST", "/api/v1/namespaces/default/pods", "", "application/json", `"generateName":"x-"`},
		{"update", func() error { _, err := Pods(c).Update(ctx, pod); return err },
			"PUT", "/api/v1/namespaces/ns/pods/p", "", "application/json", `"resourceVersion":"5"`},
		{"update status", func() error { _, err := Pods(c).UpdateStatus(ctx, pod); return err },
			"PUT", "/api/v1/namespaces/ns/pods/p/status", "", "application/json", `"name":"p"`},
		{"patch", func() error {
			_, err := Deployments(c).Patch(ctx, "ns", "d", StrategicMergePatchType, []byte(`{"spec":{"paused":true}}`), "")
			return err
		}, "PATCH", "/apis/apps/v1/namespaces/ns/deployments/d", "", StrategicMergePatchType, `"paused":true`},
		{"patch status", func() error {
			_, err := Pods(c).Patch(ctx, "ns", "p", JSONPatchType, []byte(`[]`), "status")
			return err
		}, "PATCH", "/api/v1/namespaces/ns/pods/p/status", "", JSONPatchType, `[]`},
		{"delete with options", func() error {
			grace := int64(0)
			return Pods(c).Delete(ctx, "ns", "p", &meta.DeleteOptions{GracePeriodSeconds: &grace})
		}, "DELETE", "/api/v1/namespaces/ns/pods/p", "", "application/json", `"gracePeriodSeconds":0`},
		{"delete collection", func() error {
			return ConfigMaps(c).DeleteCollection(ctx, "ns", nil, ListOptions{LabelSelector: "a=b"})
		}, "DELETE", "/api/v1/namespaces/ns/configmaps", "labelSelector=a%3Db", "", ""},
		{"get scale", func() error { _, err := Deployments(c).GetScale(ctx, "ns", "d"); return err },
			"GET", "/apis/apps/v1/namespaces/ns/deployments/d/scale", "", "", ""},
		{"update scale", func() error {
			_, err := ReplicationControllers(c).UpdateScale(ctx, "ns", "rc", &autoscaling.Scale{Spec: autoscaling.ScaleSpec{Replicas: 3}})
			return err
		}, "PUT", "/api/v1/namespaces/ns/replicationcontrollers/rc/scale", "", "application/json", `"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"rc","namespace":"ns"},"spec":{"replicas":3}`},
		{"patch scale", func() error {
			_, err := ReplicaSets(c).PatchScale(ctx, "ns", "rs", MergePatchType, []byte(`{"spec":{"replicas":1}}`))
			return err
		}, "PATCH", "/apis/apps/v1/namespaces/ns/replicasets/rs/scale", "", MergePatchType, `"replicas":1`},
		{"bind", func() error {
			return c.Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}, Target: core.ObjectReference{Kind: "Node", Name: "n1"}})
		}, "POST", "/api/v1/namespaces/ns/pods/p/binding", "", "application/json", `"target":{"kind":"Node","name":"n1"}`},
		{"evict", func() error {
			return c.Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}})
		}, "POST", "/api/v1/namespaces/ns/pods/p/eviction", "", "application/json", `"kind":"Eviction","apiVersion":"policy/v1"`},
		{"logs", func() error {
			rc, err := c.PodLogs(ctx, "ns", "p", LogOptions{Container: "c", Follow: true, TailLines: &tail, Timestamps: true})
			if err != nil {
				return err
			}
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			if string(b) != "line 1\nline 2\n" {
				t.Errorf("log %q", b)
			}
			return nil
		}, "GET", "/api/v1/namespaces/ns/pods/p/log", "container=c&follow=true&tailLines=10&timestamps=true", "", ""},
		{"leases", func() error { _, err := Leases(c).Get(ctx, "kube-system", "kube-scheduler"); return err },
			"GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler", "", "", ""},
		{"jobs", func() error { _, err := Jobs(c).List(ctx, "ns", ListOptions{}); return err },
			"GET", "/apis/batch/v1/namespaces/ns/jobs", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err != nil {
				t.Fatal(err)
			}
			r := f.last(t)
			if r.Method != tt.method || r.Path != tt.path {
				t.Errorf("%s %s, want %s %s", r.Method, r.Path, tt.method, tt.path)
			}
			if r.RawQuery != tt.query {
				t.Errorf("query %q, want %q", r.RawQuery, tt.query)
			}
			if got := r.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if !strings.Contains(r.Body, tt.body) {
				t.Errorf("body %s lacks %s", r.Body, tt.body)
			}
		})
	}
}

func TestListDecodesPage(t *testing.T) {
	f := newFake(t, echo)
	c, _ := newClient(t, f.URL)
	l, err := Pods(c).List(ctxT(t), "ns", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.ResourceVersion != "42" || l.Continue != "tok" || l.RemainingItemCount == nil || *l.RemainingItemCount != 3 {
		t.Errorf("list meta %+v", l)
	}
	if len(l.Items) != 2 || l.Items[0].Name != "a" || l.Items[1].Name != "b" {
		t.Fatalf("items %+v", l.Items)
	}
	for _, it := range l.Items {
		if it.Kind != "Pod" || it.APIVersion != "v1" {
			t.Errorf("type meta %+v", it.TypeMeta)
		}
	}
}

func TestListNullItem(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"metadata":{},"items":[null]}`)
	})
	c, _ := newClient(t, f.URL)
	l, err := Pods(c).List(ctxT(t), "", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0] == nil {
		t.Fatalf("items %+v", l.Items)
	}
}

func TestScaleDecodes(t *testing.T) {
	f := newFake(t, echo)
	c, _ := newClient(t, f.URL)
	s, err := Deployments(c).GetScale(ctxT(t), "ns", "d")
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec.Replicas != 4 || s.Status.Replicas != 2 || s.Status.Selector != "app=web" || s.ResourceVersion != "3" {
		t.Errorf("scale %+v", s)
	}
}

func TestForChecksType(t *testing.T) {
	c, _ := newClient(t, "http://127.0.0.1:1")
	k, _ := c.Scheme().ByResource("apps", "deployments")
	if r := For[*apps.Deployment](c, k); r.Kind() != k || r.Client() != c {
		t.Error("For lost its kind or client")
	}
	defer func() {
		if recover() == nil {
			t.Error("For with the wrong type did not panic")
		}
	}()
	For[*core.Pod](c, k)
}

func TestPath(t *testing.T) {
	c, _ := newClient(t, "http://127.0.0.1:1")
	pods, _ := c.Scheme().ByResource("", "pods")
	ns, _ := c.Scheme().ByResource("", "namespaces")
	tests := []struct{ got, want string }{
		{Path(pods, "", "", ""), "/api/v1/pods"},
		{Path(pods, "a b", "x/y", "status"), "/api/v1/namespaces/a%20b/pods/x%2Fy/status"},
		{Path(ns, "ignored", "kube-system", "finalize"), "/api/v1/namespaces/kube-system/finalize"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestDiscovery(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api":
			writeJSON(w, 200, meta.APIVersions{Versions: []string{"v1"}})
		case "/apis":
			writeJSON(w, 200, meta.APIGroupList{Groups: []meta.APIGroup{
				{Name: "apps", PreferredVersion: meta.GroupVersionForDiscovery{GroupVersion: "apps/v1", Version: "v1"}},
				{Name: "batch", Versions: []meta.GroupVersionForDiscovery{{GroupVersion: "batch/v1", Version: "v1"}}},
			}})
		case "/api/v1", "/apis/apps/v1", "/apis/batch/v1":
			gv := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/apis/"), "/api/")
			writeJSON(w, 200, meta.APIResourceList{GroupVersion: gv, APIResources: []meta.APIResource{{Name: "things"}}})
		default:
			writeJSON(w, 404, status(404, meta.StatusReasonNotFound, "no"))
		}
	})
	c, _ := newClient(t, f.URL)
	d, err := c.Discovery(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	var gvs []string
	for _, l := range d.Resources {
		gvs = append(gvs, l.GroupVersion)
	}
	if strings.Join(gvs, ",") != "v1,apps/v1,batch/v1" {
		t.Errorf("group versions %v", gvs)
	}
	if _, err := c.ServerResources(ctxT(t), "nope/v1"); err == nil {
		t.Error("missing group version did not fail")
	}
}

func TestLogOptionsQuery(t *testing.T) {
	since := int64(30)
	q := LogOptions{Previous: true, SinceSeconds: &since}.query()
	want := url.Values{"previous": {"true"}, "sinceSeconds": {"30"}}
	if q.Encode() != want.Encode() {
		t.Errorf("query %s, want %s", q.Encode(), want.Encode())
	}
}
