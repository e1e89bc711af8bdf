package integration

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// pods/log is streamed from the kubelet of the pod's node.
func TestPodLogsProxiedToKubelet(t *testing.T) {
	s := startServer(t, "")
	var gotPath, gotQuery string
	kubelet := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotQuery = r.URL.Path, r.URL.RawQuery
		if r.URL.Path != "/containerLogs/default/logged/c" {
			http.Error(w, "no such container", http.StatusNotFound)
			return
		}
		fmt.Fprint(w, "line 1\nline 2\n")
	}))
	defer kubelet.Close()
	_, portStr, _ := net.SplitHostPort(kubelet.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	s.mustDo(201, "POST", "/api/v1/nodes", map[string]any{"metadata": map[string]any{"name": "n1"},
		"status": map[string]any{"addresses": []any{map[string]any{"type": "InternalIP", "address": "127.0.0.1"}},
			"daemonEndpoints": map[string]any{"kubeletEndpoint": map[string]any{"Port": port}}}})
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("logged", nil))
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods/logged/log", nil), 400, "BadRequest")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods/logged/binding",
		map[string]any{"metadata": map[string]any{"name": "logged"}, "target": map[string]any{"kind": "Node", "name": "n1"}})
	r := s.do("GET", "/api/v1/namespaces/default/pods/logged/log?tailLines=2&timestamps=true", nil)
	if r.Code != 200 || string(r.Body) != "line 1\nline 2\n" {
		t.Fatalf("logs: %d %q", r.Code, r.Body)
	}
	if gotPath != "/containerLogs/default/logged/c" || gotQuery != "tailLines=2&timestamps=true" {
		t.Errorf("kubelet got %s?%s", gotPath, gotQuery)
	}
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods/logged/log?container=nope", nil), 400, "BadRequest")
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods/missing/log", nil), 404, "NotFound")
}
