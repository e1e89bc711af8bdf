package integration

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// statsKubelet serves a fixed /stats/summary: the node's use and one container per pod.
func statsKubelet(t *testing.T, nodeNanoCores, nodeBytes int, pods map[string][2]int) (port int) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/stats/summary" {
			http.NotFound(w, r)
			return
		}
		ps := []any{}
		for ref, u := range pods {
			ns, name, _ := strings.Cut(ref, "/")
			ps = append(ps, map[string]any{
				"podRef": map[string]any{"namespace": ns, "name": name},
				"containers": []any{map[string]any{"name": "c",
					"cpu": map[string]any{"usageNanoCores": u[0]}, "memory": map[string]any{"workingSetBytes": u[1]}}},
			})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"node": map[string]any{"cpu": map[string]any{"usageNanoCores": nodeNanoCores}, "memory": map[string]any{"workingSetBytes": nodeBytes}},
			"pods": ps,
		})
	}))
	t.Cleanup(srv.Close)
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ = strconv.Atoi(p)
	return port
}

func (s *apiServer) registerNode(name string, port int, labels map[string]any) {
	s.t.Helper()
	s.mustDo(201, "POST", "/api/v1/nodes", map[string]any{"metadata": map[string]any{"name": name, "labels": labels},
		"status": map[string]any{"addresses": []any{map[string]any{"type": "InternalIP", "address": "127.0.0.1"}},
			"daemonEndpoints": map[string]any{"kubeletEndpoint": map[string]any{"Port": port}}}})
}

// runPod creates a pod, binds it to node and marks it Running.
func (s *apiServer) runPod(ns, name, node string, labels map[string]string) {
	s.t.Helper()
	s.mustDo(201, "POST", "/api/v1/namespaces/"+ns+"/pods", pod(name, labels))
	s.mustDo(201, "POST", "/api/v1/namespaces/"+ns+"/pods/"+name+"/binding",
		map[string]any{"metadata": map[string]any{"name": name}, "target": map[string]any{"kind": "Node", "name": node}})
	s.mustDo(200, "PATCH", "/api/v1/namespaces/"+ns+"/pods/"+name+"/status", `{"status":{"phase":"Running"}}`,
		"Content-Type", "application/merge-patch+json")
}

func itemNames(list map[string]any) string {
	var out []string
	for _, it := range get(list, "items").([]any) {
		n := str(it, "metadata", "name")
		if ns := str(it, "metadata", "namespace"); ns != "" {
			n = ns + "/" + n
		}
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

// metrics.k8s.io is served by the API server itself, from the kubelets' summaries, and
// discovered like any group, without being stored.
func TestResourceMetricsAPI(t *testing.T) {
	s := startServer(t, "")
	s.mustDo(201, "POST", "/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "other"}})
	s.registerNode("node-a", statsKubelet(t, 250_000_000, 512<<20, map[string][2]int{"default/web": {12_345_678, 64 << 20}}), map[string]any{"zone": "a"})
	s.registerNode("node-b", statsKubelet(t, 1_000_000_000, 2<<30, map[string][2]int{"other/db": {500_000_000, 100 << 20}}), map[string]any{"zone": "b"})
	dead := httptest.NewServer(http.NotFoundHandler())
	_, deadPort, _ := net.SplitHostPort(dead.Listener.Addr().String())
	dead.Close()
	port, _ := strconv.Atoi(deadPort)
	s.registerNode("node-dead", port, nil)
	s.runPod("default", "web", "node-a", map[string]string{"app": "web"})
	s.mustDo(201, "POST", "/api/v1/namespaces/other/pods", pod("db", map[string]string{"app": "db"}))
	s.mustDo(201, "POST", "/api/v1/namespaces/other/pods/db/binding",
		map[string]any{"metadata": map[string]any{"name": "db"}, "target": map[string]any{"kind": "Node", "name": "node-b"}})
	s.mustDo(200, "PATCH", "/api/v1/namespaces/other/pods/db/status", `{"status":{"phase":"Running"}}`,
		"Content-Type", "application/merge-patch+json")
	s.runPod("default", "orphan", "node-dead", nil)

	// Discovery: /apis, the group and its resource list.
	apis := s.mustDo(200, "GET", "/apis", nil)
	found := false
	for _, g := range get(apis, "groups").([]any) {
		if str(g, "name") == "metrics.k8s.io" {
			found = str(g, "preferredVersion", "groupVersion") == "metrics.k8s.io/v1beta1"
		}
	}
	if !found {
		t.Fatalf("/apis lacks metrics.k8s.io/v1beta1: %v", apis)
	}
	grp := s.mustDo(200, "GET", "/apis/metrics.k8s.io", nil)
	if grp["kind"] != "APIGroup" || str(grp, "versions", 0, "version") != "v1beta1" {
		t.Fatalf("/apis/metrics.k8s.io: %v", grp)
	}
	rl := s.do("GET", "/apis/metrics.k8s.io/v1beta1", nil)
	want := `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"metrics.k8s.io/v1beta1","resources":[` +
		`{"name":"nodes","singularName":"","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]},` +
		`{"name":"pods","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get","list"]}]}`
	if rl.Code != 200 || strings.TrimSpace(string(rl.Body)) != want {
		t.Fatalf("/apis/metrics.k8s.io/v1beta1: %d\n got %s\nwant %s", rl.Code, rl.Body, want)
	}

	nodes := s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/nodes", nil)
	if nodes["kind"] != "NodeMetricsList" || itemNames(nodes) != "node-a,node-b" {
		t.Fatalf("node metrics (node-dead's kubelet is down): %s", itemNames(nodes))
	}
	if str(nodes, "items", 0, "usage", "cpu") != "250m" || str(nodes, "items", 0, "usage", "memory") != "512Mi" ||
		str(nodes, "items", 1, "usage", "cpu") != "1" || str(nodes, "items", 1, "usage", "memory") != "2Gi" {
		t.Errorf("node usage: %v", nodes["items"])
	}
	if n := itemNames(s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Db", nil)); n != "node-b" {
		t.Errorf("zone=b: %s", n)
	}
	one := s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/node-a", nil)
	if one["kind"] != "NodeMetrics" || str(one, "metadata", "name") != "node-a" || str(one, "window") == "" || str(one, "timestamp") == "" {
		t.Errorf("node-a: %v", one)
	}
	expectStatus(t, s.do("GET", "/apis/metrics.k8s.io/v1beta1/nodes/node-x", nil), 404, "NotFound")
	st := expectStatus(t, s.do("GET", "/apis/metrics.k8s.io/v1beta1/nodes/node-dead", nil), 404, "NotFound")
	if st["message"] != `nodemetrics.metrics.k8s.io "node-dead" not found` {
		t.Errorf("dead node: %v", st["message"])
	}

	pods := s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/pods", nil)
	if pods["kind"] != "PodMetricsList" || itemNames(pods) != "default/web,other/db" {
		t.Fatalf("pod metrics: %s", itemNames(pods))
	}
	if n := itemNames(s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/other/pods", nil)); n != "other/db" {
		t.Errorf("namespace other: %s", n)
	}
	if n := itemNames(s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb", nil)); n != "default/web" {
		t.Errorf("app=web: %s", n)
	}
	web := s.mustDo(200, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web", nil)
	if web["kind"] != "PodMetrics" || str(web, "containers", 0, "name") != "c" ||
		str(web, "containers", 0, "usage", "cpu") != "12345678n" || str(web, "containers", 0, "usage", "memory") != "64Mi" {
		t.Errorf("web: %v", web)
	}
	expectStatus(t, s.do("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope", nil), 404, "NotFound")
	expectStatus(t, s.do("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/orphan", nil), 404, "NotFound")
	expectStatus(t, s.do("POST", "/apis/metrics.k8s.io/v1beta1/nodes", "{}"), 405, "MethodNotAllowed")
}
