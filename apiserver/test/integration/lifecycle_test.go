package integration

import (
	"net/http"
	"strings"
	"testing"
)

func TestNamespaceLifecycle(t *testing.T) {
	s := startServer(t, "")
	expectStatus(t, s.do("POST", "/api/v1/namespaces/nowhere/pods", pod("p", nil)), 404, "NotFound")
	s.mustDo(201, "POST", "/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "doomed"}})
	s.mustDo(201, "POST", "/api/v1/namespaces/doomed/pods", pod("p", nil))
	ns := s.mustDo(200, "DELETE", "/api/v1/namespaces/doomed", nil)
	if str(ns, "status", "phase") != "Terminating" || str(ns, "metadata", "deletionTimestamp") == "" {
		t.Fatalf("namespace after delete: %v", ns)
	}
	m := expectStatus(t, s.do("POST", "/api/v1/namespaces/doomed/pods", pod("q", nil)), 403, "Forbidden")
	if !strings.Contains(m["message"].(string), "unable to create new content in namespace doomed because it is being terminated") {
		t.Errorf("message %q", m["message"])
	}
	// The system namespaces cannot be deleted.
	expectStatus(t, s.do("DELETE", "/api/v1/namespaces/default", nil), 403, "Forbidden")
	expectStatus(t, s.do("DELETE", "/api/v1/namespaces/kube-system", nil), 403, "Forbidden")
	// Finalizing (what the namespace controller does once the namespace is empty) removes it.
	s.mustDo(200, "DELETE", "/api/v1/namespaces/doomed/pods/p", nil)
	ns["spec"] = map[string]any{"finalizers": []any{}}
	s.mustDo(200, "PUT", "/api/v1/namespaces/doomed/finalize", ns)
	expectStatus(t, s.do("GET", "/api/v1/namespaces/doomed", nil), 404, "NotFound")
}

func TestGracefulDeletionAndFinalizers(t *testing.T) {
	s := startServer(t, "")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("running", nil))
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods/running/binding",
		map[string]any{"apiVersion": "v1", "kind": "Binding", "metadata": map[string]any{"name": "running"}, "target": map[string]any{"kind": "Node", "name": "node-1"}})
	bound := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods/running", nil)
	if str(bound, "spec", "nodeName") != "node-1" || str(bound, "status", "conditions", 0, "type") != "PodScheduled" {
		t.Fatalf("binding: %v / %v", bound["spec"], bound["status"])
	}
	expectStatus(t, s.do("POST", "/api/v1/namespaces/default/pods/running/binding",
		map[string]any{"metadata": map[string]any{"name": "running"}, "target": map[string]any{"kind": "Node", "name": "node-2"}}), 409, "Conflict")
	// A scheduled pod is deleted gracefully: marked, not removed.
	d := s.mustDo(200, "DELETE", "/api/v1/namespaces/default/pods/running", `{"gracePeriodSeconds":20}`)
	if str(d, "metadata", "deletionTimestamp") == "" || get(d, "metadata", "deletionGracePeriodSeconds") != float64(20) {
		t.Fatalf("graceful delete: %v", d["metadata"])
	}
	s.mustDo(200, "GET", "/api/v1/namespaces/default/pods/running", nil)
	// A second delete may shorten the grace period; grace 0 (the kubelet's final delete) removes it.
	d = s.mustDo(200, "DELETE", "/api/v1/namespaces/default/pods/running?gracePeriodSeconds=5", nil)
	if get(d, "metadata", "deletionGracePeriodSeconds") != float64(5) {
		t.Fatalf("shortened grace: %v", d["metadata"])
	}
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/pods/running?gracePeriodSeconds=0", nil)
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods/running", nil), 404, "NotFound")

	// Finalizers hold an object until they are removed.
	cm := map[string]any{"metadata": map[string]any{"name": "held", "finalizers": []any{"example.com/hold"}}}
	s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", cm)
	d = s.mustDo(200, "DELETE", "/api/v1/namespaces/default/configmaps/held", nil)
	if str(d, "metadata", "deletionTimestamp") == "" {
		t.Fatalf("finalized object not marked: %v", d["metadata"])
	}
	s.mustDo(200, "PATCH", "/api/v1/namespaces/default/configmaps/held", `{"metadata":{"finalizers":null}}`, "Content-Type", "application/merge-patch+json")
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/configmaps/held", nil), 404, "NotFound")

	// Foreground propagation adds its finalizer and answers 202; orphan adds "orphan".
	rs := map[string]any{"metadata": map[string]any{"name": "fg"}, "spec": map[string]any{
		"selector": map[string]any{"matchLabels": map[string]any{"a": "b"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"a": "b"}}, "spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "x"}}}}}}
	s.mustDo(201, "POST", "/apis/apps/v1/namespaces/default/replicasets", rs)
	r := s.do("DELETE", "/apis/apps/v1/namespaces/default/replicasets/fg", `{"propagationPolicy":"Foreground"}`)
	if r.Code != http.StatusAccepted {
		t.Fatalf("foreground delete: %d %s", r.Code, r.Body)
	}
	if fins := get(r.json(t), "metadata", "finalizers").([]any); len(fins) != 1 || fins[0] != "foregroundDeletion" {
		t.Fatalf("finalizers %v", fins)
	}
	// Preconditions.
	s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "pre"}})
	expectStatus(t, s.do("DELETE", "/api/v1/namespaces/default/configmaps/pre", `{"preconditions":{"uid":"not-the-uid"}}`), 409, "Conflict")
	expectStatus(t, s.do("DELETE", "/api/v1/namespaces/default/configmaps/pre", `{"propagationPolicy":"Sideways"}`), 422, "Invalid")
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/configmaps/pre", nil)
}

func TestServiceAllocation(t *testing.T) {
	s := startServer(t, "")
	svc := func(name, typ string, clusterIP string, nodePort int) map[string]any {
		port := map[string]any{"port": 80}
		if nodePort != 0 {
			port["nodePort"] = nodePort
		}
		spec := map[string]any{"ports": []any{port}, "selector": map[string]any{"name": name}}
		if typ != "" {
			spec["type"] = typ
		}
		if clusterIP != "" {
			spec["clusterIP"] = clusterIP
		}
		return map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": name}, "spec": spec}
	}
	// The seeds' frontend: NodePort 30001.
	fe := s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc("frontend", "NodePort", "", 30001))
	ip := str(fe, "spec", "clusterIP")
	if !strings.HasPrefix(ip, "10.254.") || ip == "10.254.0.1" || get(fe, "spec", "ports", 0, "nodePort") != float64(30001) ||
		get(fe, "spec", "ports", 0, "targetPort") != float64(80) || str(fe, "spec", "ports", 0, "protocol") != "TCP" {
		t.Fatalf("frontend service: %v", fe["spec"])
	}
	// The same node port again is 422 with upstream's message.
	m := expectStatus(t, s.do("POST", "/api/v1/namespaces/default/services", svc("other", "NodePort", "", 30001)), 422, "Invalid")
	if !strings.Contains(m["message"].(string), "spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated") {
		t.Errorf("message %q", m["message"])
	}
	expectStatus(t, s.do("POST", "/api/v1/namespaces/default/services", svc("out", "NodePort", "", 80)), 422, "Invalid")
	// An explicit ClusterIP is honoured; taking it twice is 422.
	ex := s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc("explicit", "", "10.254.100.100", 0))
	if str(ex, "spec", "clusterIP") != "10.254.100.100" {
		t.Fatalf("explicit IP: %v", ex["spec"])
	}
	m = expectStatus(t, s.do("POST", "/api/v1/namespaces/default/services", svc("dup", "", "10.254.100.100", 0)), 422, "Invalid")
	if !strings.Contains(m["message"].(string), "provided IP is already allocated") {
		t.Errorf("message %q", m["message"])
	}
	expectStatus(t, s.do("POST", "/api/v1/namespaces/default/services", svc("outside", "", "10.0.0.5", 0)), 422, "Invalid")
	// A node port set on a ClusterIP service is invalid.
	expectStatus(t, s.do("POST", "/api/v1/namespaces/default/services", svc("cip", "ClusterIP", "", 30005)), 422, "Invalid")
	// A PUT without the allocated values keeps them; a changed clusterIP is refused.
	again := svc("frontend", "NodePort", "", 0)
	again["metadata"].(map[string]any)["labels"] = map[string]any{"v": "2"}
	up := s.mustDo(200, "PUT", "/api/v1/namespaces/default/services/frontend", again)
	if str(up, "spec", "clusterIP") != ip || get(up, "spec", "ports", 0, "nodePort") != float64(30001) {
		t.Fatalf("update lost allocations: %v", up["spec"])
	}
	expectStatus(t, s.do("PATCH", "/api/v1/namespaces/default/services/frontend", `{"spec":{"clusterIP":"10.254.7.7","clusterIPs":["10.254.7.7"]}}`, "Content-Type", "application/merge-patch+json"), 422, "Invalid")
	// Deleting frees both; they can be taken again.
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/services/frontend", nil)
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/services/explicit", nil)
	s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc("frontend2", "NodePort", "", 30001))
	s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc("explicit2", "", "10.254.100.100", 0))
	// Headless services get no address.
	h := s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc("headless", "", "None", 0))
	if str(h, "spec", "clusterIP") != "None" {
		t.Fatalf("headless: %v", h["spec"])
	}
	// Switching NodePort -> ClusterIP releases the node port.
	s.mustDo(200, "PATCH", "/api/v1/namespaces/default/services/frontend2", `{"spec":{"type":"ClusterIP","ports":[{"port":80,"nodePort":null}]}}`, "Content-Type", "application/strategic-merge-patch+json")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc("frontend3", "NodePort", "", 30001))
}
