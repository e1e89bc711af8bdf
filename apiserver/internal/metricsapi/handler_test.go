package metricsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// fakeCluster holds nodes and pods in memory; each node's kubelet URL is kept beside it.
type fakeCluster struct {
	nodes []*core.Node
	pods  []*core.Pod
	urls  map[string]string
}

func (c *fakeCluster) GetNode(_ context.Context, name string) (*core.Node, error) {
	for _, n := range c.nodes {
		if n.Name == name {
			return n, nil
		}
	}
	return nil, apierrors.NewNotFound(apierrors.Resource{Resource: "nodes"}, name)
}

func (c *fakeCluster) ListNodes(context.Context) ([]*core.Node, error) { return c.nodes, nil }

func (c *fakeCluster) GetPod(_ context.Context, ns, name string) (*core.Pod, error) {
	for _, p := range c.pods {
		if p.Namespace == ns && p.Name == name {
			return p, nil
		}
	}
	return nil, apierrors.NewNotFound(apierrors.Resource{Resource: "pods"}, name)
}

func (c *fakeCluster) ListPods(_ context.Context, ns string) ([]*core.Pod, error) {
	var out []*core.Pod
	for _, p := range c.pods {
		if ns == "" || p.Namespace == ns {
			out = append(out, p)
		}
	}
	return out, nil
}

func (c *fakeCluster) kubeletURL(n *core.Node) (string, error) {
	if u, ok := c.urls[n.Name]; ok {
		return u, nil
	}
	return "", fmt.Errorf("node %s has no address", n.Name)
}

// fakeKubelet serves /stats/summary. With firstWithoutRates its first summary has
// cumulative CPU counters but no rates, as a kubelet's first summary does.
type fakeKubelet struct {
	srv               *httptest.Server
	firstWithoutRates bool
	hang              bool

	mu    sync.Mutex
	node  stat
	pods  []kubeletPod
	reads int
}

type stat struct{ nanoCores, workingSet uint64 }

type kubeletPod struct {
	namespace, name, uid string
	containers           map[string]stat
}

func newFakeKubelet(t *testing.T, node stat, pods ...kubeletPod) *fakeKubelet {
	k := &fakeKubelet{node: node, pods: pods}
	k.srv = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *fakeKubelet) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/stats/summary" {
		http.NotFound(w, r)
		return
	}
	if k.hang {
		<-r.Context().Done()
		return
	}
	k.mu.Lock()
	k.reads++
	rates := !(k.firstWithoutRates && k.reads == 1)
	k.mu.Unlock()
	cpu := func(s stat) map[string]any {
		m := map[string]any{"time": "2025-01-01T00:00:00Z", "usageCoreNanoSeconds": 1e12}
		if rates {
			m["usageNanoCores"] = s.nanoCores
		}
		return m
	}
	mem := func(s stat) map[string]any {
		return map[string]any{"workingSetBytes": s.workingSet, "usageBytes": s.workingSet * 2}
	}
	pods := []any{}
	for _, p := range k.pods {
		cs := []any{}
		for name, s := range p.containers {
			cs = append(cs, map[string]any{"name": name, "cpu": cpu(s), "memory": mem(s)})
		}
		pods = append(pods, map[string]any{"podRef": map[string]any{"name": p.name, "namespace": p.namespace, "uid": p.uid}, "containers": cs})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"node": map[string]any{"nodeName": "n", "cpu": cpu(k.node), "memory": mem(k.node)},
		"pods": pods,
	})
}

func (k *fakeKubelet) readCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reads
}

func node(name string, labels map[string]string) *core.Node {
	return &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: labels}}
}

func runningPod(ns, name, uid, nodeName string, labels map[string]string) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name, UID: uid, Labels: labels}}
	p.Spec.NodeName = nodeName
	p.Status.Phase = core.PodRunning
	return p
}

// cluster is two live nodes (n1, n2) and a dead one (n3), with pods on n1 and n2.
func cluster(t *testing.T) (*fakeCluster, map[string]*fakeKubelet) {
	t.Helper()
	k1 := newFakeKubelet(t, stat{250_000_000, 512 << 20},
		kubeletPod{"default", "web", "u-web", map[string]stat{"nginx": {12_345_678, 10 << 20}, "sidecar": {1_000_000, 1234567 * 1024}}},
		kubeletPod{"kube-system", "dns", "u-dns", map[string]stat{"dns": {3_000_000, 20 << 20}}},
		kubeletPod{"default", "old", "u-gone", map[string]stat{"c": {1, 4096}}},
	)
	k2 := newFakeKubelet(t, stat{1_500_000_000, 1 << 30},
		kubeletPod{"default", "db", "u-db", map[string]stat{"postgres": {500_000_000, 256 << 20}}},
	)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	c := &fakeCluster{
		nodes: []*core.Node{node("n2", map[string]string{"disk": "ssd"}), node("n1", map[string]string{"disk": "hdd"}), node("n3", nil)},
		pods: []*core.Pod{
			runningPod("default", "web", "u-web", "n1", map[string]string{"app": "web"}),
			runningPod("kube-system", "dns", "u-dns", "n1", map[string]string{"app": "dns"}),
			runningPod("default", "db", "u-db", "n2", map[string]string{"app": "db"}),
			runningPod("default", "old", "u-new", "n1", nil), // recreated: the kubelet reports the old uid
			runningPod("default", "lost", "u-lost", "n3", nil),
		},
		urls: map[string]string{"n1": k1.srv.URL, "n2": k2.srv.URL, "n3": deadURL},
	}
	pending := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "default", Name: "pending"}}
	pending.Status.Phase = core.PodPending
	c.pods = append(c.pods, pending)
	return c, map[string]*fakeKubelet{"n1": k1, "n2": k2}
}

func newTestHandler(c *fakeCluster) *Handler {
	return New(Config{
		Cluster: c, KubeletURL: c.kubeletURL, Timeout: 2 * time.Second, Pause: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// get serves one request and decodes the JSON answer.
func get(t *testing.T, h http.Handler, method, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %v\n%s", method, path, rec.Code, err, rec.Body)
	}
	return rec.Code, m
}

func names(list map[string]any) []string {
	var out []string
	for _, it := range list["items"].([]any) {
		md := it.(map[string]any)["metadata"].(map[string]any)
		if ns, ok := md["namespace"].(string); ok {
			out = append(out, ns+"/"+md["name"].(string))
		} else {
			out = append(out, md["name"].(string))
		}
	}
	return out
}

func TestNodeMetrics(t *testing.T) {
	c, _ := cluster(t)
	h := newTestHandler(c)
	code, list := get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes")
	if code != 200 || list["kind"] != "NodeMetricsList" || list["apiVersion"] != "metrics.k8s.io/v1beta1" {
		t.Fatalf("list: %d %v", code, list)
	}
	// n3's kubelet is down: left out, not an error.
	if got := strings.Join(names(list), ","); got != "n1,n2" {
		t.Fatalf("nodes %s, want n1,n2", got)
	}
	item := list["items"].([]any)[0].(map[string]any)
	if _, ok := item["kind"]; ok {
		t.Errorf("list items carry a kind: %v", item)
	}
	usage := item["usage"].(map[string]any)
	if usage["cpu"] != "250m" || usage["memory"] != "512Mi" {
		t.Errorf("n1 usage %v, want cpu 250m memory 512Mi", usage)
	}
	md := item["metadata"].(map[string]any)
	if md["labels"].(map[string]any)["disk"] != "hdd" || md["creationTimestamp"] == nil {
		t.Errorf("n1 metadata %v", md)
	}
	if _, err := time.Parse(time.RFC3339, item["timestamp"].(string)); err != nil {
		t.Errorf("timestamp: %v", err)
	}
	if w, err := time.ParseDuration(item["window"].(string)); err != nil || w <= 0 {
		t.Errorf("window %v: %v", item["window"], err)
	}

	for _, tc := range []struct{ query, want string }{
		{"labelSelector=disk%3Dssd", "n2"},
		{"labelSelector=disk", "n1,n2"},
		{"labelSelector=disk+notin+(ssd)", "n1"},
		{"fieldSelector=metadata.name%3Dn1", "n1"},
		{"fieldSelector=metadata.name!%3Dn1", "n2"},
		{"labelSelector=disk%3Dtape", ""},
	} {
		_, l := get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes?"+tc.query)
		if got := strings.Join(names(l), ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.query, got, tc.want)
		}
	}

	code, one := get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/n2")
	if code != 200 || one["kind"] != "NodeMetrics" || one["apiVersion"] != "metrics.k8s.io/v1beta1" ||
		one["usage"].(map[string]any)["cpu"] != "1500m" || one["usage"].(map[string]any)["memory"] != "1Gi" {
		t.Errorf("get n2: %d %v", code, one)
	}
}

func TestNotFoundAndBadRequests(t *testing.T) {
	c, _ := cluster(t)
	h := newTestHandler(c)
	for _, tc := range []struct {
		method, path string
		code         int
		reason       string
		message      string
	}{
		{"GET", "/apis/metrics.k8s.io/v1beta1/nodes/nope", 404, "NotFound", `nodes "nope" not found`},
		{"GET", "/apis/metrics.k8s.io/v1beta1/nodes/n3", 404, "NotFound", `nodemetrics.metrics.k8s.io "n3" not found`},
		{"GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope", 404, "NotFound", `pods "nope" not found`},
		{"GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending", 404, "NotFound", `podmetrics.metrics.k8s.io "default/pending" not found`},
		{"GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/lost", 404, "NotFound", `podmetrics.metrics.k8s.io "default/lost" not found`},
		{"GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/old", 404, "NotFound", `podmetrics.metrics.k8s.io "default/old" not found`},
		{"GET", "/apis/metrics.k8s.io/v1beta1/services", 404, "NotFound", "the server could not find the requested resource"},
		{"GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/nodes", 404, "NotFound", "the server could not find the requested resource"},
		{"GET", "/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=a%3D%3D%3Db", 400, "BadRequest", "unable to parse requirement"},
		{"GET", "/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name", 400, "BadRequest", "invalid field selector"},
		{"GET", "/apis/metrics.k8s.io/v1beta1/nodes?watch=true", 405, "MethodNotAllowed", ""},
		{"GET", "/apis/metrics.k8s.io/v1beta1/watch/nodes", 405, "MethodNotAllowed", ""},
		{"DELETE", "/apis/metrics.k8s.io/v1beta1/nodes/n1", 405, "MethodNotAllowed", ""},
	} {
		code, st := get(t, h, tc.method, tc.path)
		if code != tc.code || st["kind"] != "Status" || st["status"] != "Failure" || st["reason"] != tc.reason ||
			int(st["code"].(float64)) != tc.code || !strings.Contains(st["message"].(string), tc.message) {
			t.Errorf("%s %s: %d %v, want %d %s %q", tc.method, tc.path, code, st, tc.code, tc.reason, tc.message)
		}
	}
}

func TestPodMetrics(t *testing.T) {
	c, _ := cluster(t)
	h := newTestHandler(c)
	for _, tc := range []struct{ path, want string }{
		{"/apis/metrics.k8s.io/v1beta1/pods", "default/db,default/web,kube-system/dns"},
		{"/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", "default/db,default/web"},
		{"/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app+in+(web,dns)", "default/web"},
		{"/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Ddns", "kube-system/dns"},
		{"/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.namespace%3Dkube-system", "kube-system/dns"},
		{"/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Ddb", "default/db"},
		{"/apis/metrics.k8s.io/v1beta1/namespaces/empty/pods", ""},
	} {
		code, l := get(t, h, "GET", tc.path)
		if code != 200 || l["kind"] != "PodMetricsList" {
			t.Fatalf("%s: %d %v", tc.path, code, l)
		}
		if got := strings.Join(names(l), ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.path, got, tc.want)
		}
	}
	code, web := get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web")
	if code != 200 || web["kind"] != "PodMetrics" || web["apiVersion"] != "metrics.k8s.io/v1beta1" {
		t.Fatalf("get web: %d %v", code, web)
	}
	b, _ := json.Marshal(web["containers"])
	want := `[{"name":"nginx","usage":{"cpu":"12345678n","memory":"10Mi"}},{"name":"sidecar","usage":{"cpu":"1m","memory":"1234567Ki"}}]`
	if string(b) != want {
		t.Errorf("containers of web:\n got %s\nwant %s", b, want)
	}
	md := web["metadata"].(map[string]any)
	if md["name"] != "web" || md["namespace"] != "default" || md["labels"].(map[string]any)["app"] != "web" {
		t.Errorf("metadata of web: %v", md)
	}
}

// The kubelet's first summary has no rates yet: the handler reads it again after the
// pause. A read soon after reuses the previous one as the start of the window.
func TestSecondReadWhenRatesAreMissing(t *testing.T) {
	k := newFakeKubelet(t, stat{2_000_000, 8 << 20})
	k.firstWithoutRates = true
	c := &fakeCluster{nodes: []*core.Node{node("n1", nil)}, urls: map[string]string{"n1": k.srv.URL}}
	h := newTestHandler(c)
	code, m := get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/n1")
	if code != 200 || m["usage"].(map[string]any)["cpu"] != "2m" {
		t.Fatalf("first get: %d %v", code, m)
	}
	if n := k.readCount(); n != 2 {
		t.Errorf("kubelet read %d times, want 2 (no rates in the first summary)", n)
	}
	time.Sleep(20 * time.Millisecond)
	_, m = get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/n1")
	if n := k.readCount(); n != 3 {
		t.Errorf("kubelet read %d times, want 3 (the previous read is recent)", n)
	}
	if w, _ := time.ParseDuration(m["window"].(string)); w < 20*time.Millisecond {
		t.Errorf("window %v, want the time since the previous read (>= 20ms)", w)
	}
}

// A node read long ago (or never) is read twice, so the rate is current.
func TestStalePreviousReadIsReadTwice(t *testing.T) {
	k := newFakeKubelet(t, stat{2_000_000, 8 << 20})
	c := &fakeCluster{nodes: []*core.Node{node("n1", nil)}, urls: map[string]string{"n1": k.srv.URL}}
	now := time.Now()
	var mu sync.Mutex
	h := New(Config{Cluster: c, KubeletURL: c.kubeletURL, Pause: 5 * time.Millisecond, MaxWindow: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(time.Second)
			return now
		}})
	for i, want := range []int{2, 3} {
		get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/n1")
		if n := k.readCount(); n != want {
			t.Errorf("request %d: kubelet read %d times, want %d", i, n, want)
		}
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/n1")
	if n := k.readCount(); n != 5 {
		t.Errorf("after two minutes: kubelet read %d times, want 5", n)
	}
}

// A kubelet that does not answer is given up on after the timeout; the others are served.
func TestHangingKubeletIsLeftOut(t *testing.T) {
	live := newFakeKubelet(t, stat{1_000_000, 4 << 20})
	stuck := newFakeKubelet(t, stat{})
	stuck.hang = true
	c := &fakeCluster{nodes: []*core.Node{node("live", nil), node("stuck", nil)},
		urls: map[string]string{"live": live.srv.URL, "stuck": stuck.srv.URL}}
	h := New(Config{Cluster: c, KubeletURL: c.kubeletURL, Timeout: 300 * time.Millisecond, Pause: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	start := time.Now()
	_, l := get(t, h, "GET", "/apis/metrics.k8s.io/v1beta1/nodes")
	if got := strings.Join(names(l), ","); got != "live" {
		t.Errorf("nodes %q, want live", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("list took %v with a hanging kubelet", d)
	}
}

// kubectl get podmetrics asks for a Table: metrics-server's columns, a pod's usage summed.
func TestTable(t *testing.T) {
	c, _ := cluster(t)
	h := newTestHandler(c)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb", nil)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	h.ServeHTTP(rec, req)
	var tbl meta.Table
	if err := json.Unmarshal(rec.Body.Bytes(), &tbl); err != nil || tbl.Kind != "Table" {
		t.Fatalf("%d %v: %s", rec.Code, err, rec.Body)
	}
	var cols []string
	for _, c := range tbl.ColumnDefinitions {
		cols = append(cols, c.Name)
	}
	if strings.Join(cols, ",") != "Name,cpu,memory,Window" || len(tbl.Rows) != 1 {
		t.Fatalf("columns %v, %d rows", cols, len(tbl.Rows))
	}
	cells := fmt.Sprint(tbl.Rows[0].Cells[:3])
	if cells != "[web 13345678n 1244807Ki]" {
		t.Errorf("cells %s, want [web 13345678n 1244807Ki]", cells)
	}
	if !strings.Contains(string(tbl.Rows[0].Object), `"kind":"PartialObjectMetadata"`) {
		t.Errorf("row object %s", tbl.Rows[0].Object)
	}
}
