package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"seven.dev/apiserver/internal/etcd"
	"seven.dev/apiserver/internal/server"
)

func TestBootstrapObjects(t *testing.T) {
	s := startServer(t, "")
	for _, ns := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		m := s.mustDo(200, "GET", "/api/v1/namespaces/"+ns, nil)
		if str(m, "status", "phase") != "Active" {
			t.Errorf("namespace %s phase %v", ns, get(m, "status", "phase"))
		}
	}
	svc := s.mustDo(200, "GET", "/api/v1/namespaces/default/services/kubernetes", nil)
	if got := str(svc, "spec", "clusterIP"); got != "10.254.0.1" {
		t.Errorf("kubernetes service clusterIP %q, want 10.254.0.1", got)
	}
	// Endpoints are published only for a routable --advertise-address (the test binds loopback).
}

func TestCreateGetListDeletePod(t *testing.T) {
	s := startServer(t, "")
	created := s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("p1", map[string]string{"app": "web"}))
	if str(created, "metadata", "uid") == "" || str(created, "metadata", "resourceVersion") == "" ||
		str(created, "metadata", "creationTimestamp") == "" {
		t.Fatalf("created pod lacks uid/resourceVersion/creationTimestamp: %v", created["metadata"])
	}
	// Defaults applied.
	if str(created, "spec", "restartPolicy") != "Always" || str(created, "spec", "dnsPolicy") != "ClusterFirst" ||
		str(created, "spec", "containers", 0, "imagePullPolicy") != "IfNotPresent" ||
		get(created, "spec", "terminationGracePeriodSeconds") != float64(30) ||
		str(created, "status", "phase") != "Pending" {
		t.Fatalf("defaults missing: %v / %v", created["spec"], created["status"])
	}
	got := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods/p1", nil)
	if str(got, "metadata", "uid") != str(created, "metadata", "uid") || got["kind"] != "Pod" || got["apiVersion"] != "v1" {
		t.Fatalf("get returned %v", got)
	}
	list := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods", nil)
	if list["kind"] != "PodList" || len(get(list, "items").([]any)) != 1 || str(list, "metadata", "resourceVersion") == "" {
		t.Fatalf("list: %v", list)
	}
	all := s.mustDo(200, "GET", "/api/v1/pods", nil)
	if len(get(all, "items").([]any)) != 1 {
		t.Fatalf("cluster-wide list: %v", all)
	}
	empty := s.mustDo(200, "GET", "/api/v1/namespaces/kube-system/pods", nil)
	if items, ok := get(empty, "items").([]any); !ok || len(items) != 0 {
		t.Fatalf("empty list must have items: []: %s", empty)
	}
	expectStatus(t, s.do("POST", "/api/v1/namespaces/default/pods", pod("p1", nil)), 409, "AlreadyExists")
	// An unscheduled pod is deleted at once, and the deleted pod comes back.
	del := s.mustDo(200, "DELETE", "/api/v1/namespaces/default/pods/p1", nil)
	if del["kind"] != "Pod" {
		t.Fatalf("delete of a pod returns the pod: %v", del)
	}
	m := expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods/p1", nil), 404, "NotFound")
	if m["message"] != `pods "p1" not found` {
		t.Errorf("message %q", m["message"])
	}
}

func TestStaleUpdateConflicts(t *testing.T) {
	s := startServer(t, "")
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": map[string]any{"k": "1"}}
	created := s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", cm)
	rv := str(created, "metadata", "resourceVersion")
	created["data"] = map[string]any{"k": "2"}
	updated := s.mustDo(200, "PUT", "/api/v1/namespaces/default/configmaps/c", created)
	if str(updated, "metadata", "resourceVersion") == rv {
		t.Fatal("resourceVersion did not change on update")
	}
	// The same (now stale) version again: 409 Conflict with upstream's message.
	created["data"] = map[string]any{"k": "3"}
	r := s.do("PUT", "/api/v1/namespaces/default/configmaps/c", created)
	m := expectStatus(t, r, 409, "Conflict")
	want := `Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again`
	if m["message"] != want {
		t.Errorf("message %q", m["message"])
	}
	cur := s.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps/c", nil)
	if str(cur, "data", "k") != "2" {
		t.Errorf("stale write changed the object: %v", cur["data"])
	}
}

func TestGenerationAndStatusSubresource(t *testing.T) {
	s := startServer(t, "")
	rc := map[string]any{"apiVersion": "v1", "kind": "ReplicationController",
		"metadata": map[string]any{"name": "web"},
		"spec": map[string]any{"replicas": 2, "selector": map[string]any{"app": "web"},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "w", "image": "nginx"}}}}},
		"status": map[string]any{"replicas": 7}}
	c := s.mustDo(201, "POST", "/api/v1/namespaces/default/replicationcontrollers", rc)
	if get(c, "metadata", "generation") != float64(1) || get(c, "status", "replicas") != float64(0) {
		t.Fatalf("generation %v, status %v", get(c, "metadata", "generation"), c["status"])
	}
	// A label change keeps the generation; a spec change bumps it.
	p := s.mustDo(200, "PATCH", "/api/v1/namespaces/default/replicationcontrollers/web", `{"metadata":{"labels":{"x":"y"}}}`, "Content-Type", "application/merge-patch+json")
	if get(p, "metadata", "generation") != float64(1) {
		t.Fatalf("metadata change bumped generation: %v", get(p, "metadata", "generation"))
	}
	p = s.mustDo(200, "PATCH", "/api/v1/namespaces/default/replicationcontrollers/web", `{"spec":{"replicas":3}}`, "Content-Type", "application/merge-patch+json")
	if get(p, "metadata", "generation") != float64(2) {
		t.Fatalf("spec change did not bump generation: %v", get(p, "metadata", "generation"))
	}
	// Status writes through the main resource are ignored; through /status they land and
	// leave the spec alone.
	p = s.mustDo(200, "PATCH", "/api/v1/namespaces/default/replicationcontrollers/web", `{"status":{"replicas":5}}`, "Content-Type", "application/merge-patch+json")
	if get(p, "status", "replicas") != float64(0) {
		t.Fatalf("main resource wrote status: %v", p["status"])
	}
	p = s.mustDo(200, "PATCH", "/api/v1/namespaces/default/replicationcontrollers/web/status", `{"spec":{"replicas":9},"status":{"replicas":3,"readyReplicas":2}}`, "Content-Type", "application/merge-patch+json")
	if get(p, "status", "replicas") != float64(3) || get(p, "spec", "replicas") != float64(3) || get(p, "metadata", "generation") != float64(2) {
		t.Fatalf("status write: spec %v status %v gen %v", p["spec"], p["status"], get(p, "metadata", "generation"))
	}
	// Scale subresource.
	sc := s.mustDo(200, "GET", "/api/v1/namespaces/default/replicationcontrollers/web/scale", nil)
	if sc["kind"] != "Scale" || sc["apiVersion"] != "autoscaling/v1" || get(sc, "spec", "replicas") != float64(3) || str(sc, "status", "selector") != "app=web" {
		t.Fatalf("scale: %v", sc)
	}
	sc = s.mustDo(200, "PATCH", "/api/v1/namespaces/default/replicationcontrollers/web/scale", `{"spec":{"replicas":5}}`, "Content-Type", "application/merge-patch+json")
	if get(sc, "spec", "replicas") != float64(5) {
		t.Fatalf("scale patch: %v", sc)
	}
	// A PUT of the Scale with a stale resourceVersion conflicts (kubectl scale --resource-version).
	stale := map[string]any{"apiVersion": "autoscaling/v1", "kind": "Scale",
		"metadata": map[string]any{"name": "web", "namespace": "default", "resourceVersion": str(c, "metadata", "resourceVersion")},
		"spec":     map[string]any{"replicas": 1}}
	expectStatus(t, s.do("PUT", "/api/v1/namespaces/default/replicationcontrollers/web/scale", stale), 409, "Conflict")
	got := s.mustDo(200, "GET", "/api/v1/namespaces/default/replicationcontrollers/web", nil)
	if get(got, "spec", "replicas") != float64(5) || get(got, "metadata", "generation") != float64(3) {
		t.Fatalf("after scale: replicas %v generation %v", get(got, "spec", "replicas"), get(got, "metadata", "generation"))
	}
}

func TestPatchTypes(t *testing.T) {
	s := startServer(t, "")
	p := pod("p", map[string]string{"a": "1"})
	p["spec"].(map[string]any)["containers"] = []any{
		map[string]any{"name": "one", "image": "img:1", "env": []any{map[string]any{"name": "A", "value": "a"}}},
		map[string]any{"name": "two", "image": "img:2"},
	}
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", p)
	path := "/api/v1/namespaces/default/pods/p"
	// Strategic merge: containers merge by name, env by name.
	out := s.mustDo(200, "PATCH", path, `{"spec":{"containers":[{"name":"two","image":"img:3"}]}}`, "Content-Type", "application/strategic-merge-patch+json")
	if n := len(get(out, "spec", "containers").([]any)); n != 2 {
		t.Fatalf("strategic merge replaced the list: %d containers", n)
	}
	if str(out, "spec", "containers", 1, "image") != "img:3" || str(out, "spec", "containers", 0, "image") != "img:1" {
		t.Fatalf("strategic merge: %v", get(out, "spec", "containers"))
	}
	// JSON patch.
	out = s.mustDo(200, "PATCH", path, `[{"op":"replace","path":"/spec/containers/0/image","value":"img:9"},{"op":"add","path":"/metadata/labels/b","value":"2"}]`, "Content-Type", "application/json-patch+json")
	if str(out, "spec", "containers", 0, "image") != "img:9" || str(out, "metadata", "labels", "b") != "2" {
		t.Fatalf("json patch: %v", out)
	}
	// A failing test op is 422, a malformed patch 400, an unknown patch type 415.
	expectStatus(t, s.do("PATCH", path, `[{"op":"test","path":"/metadata/name","value":"other"}]`, "Content-Type", "application/json-patch+json"), 422, "Invalid")
	expectStatus(t, s.do("PATCH", path, `{not json`, "Content-Type", "application/merge-patch+json"), 400, "BadRequest")
	expectStatus(t, s.do("PATCH", path, `{}`, "Content-Type", "text/plain"), 415, "UnsupportedMediaType")
	// Merge patch deleting a label; forbidden pod spec change is 422.
	out = s.mustDo(200, "PATCH", path, `{"metadata":{"labels":{"a":null}}}`, "Content-Type", "application/merge-patch+json")
	if _, ok := get(out, "metadata", "labels").(map[string]any)["a"]; ok {
		t.Fatal("label a not removed")
	}
	expectStatus(t, s.do("PATCH", path, `{"spec":{"restartPolicy":"Never"}}`, "Content-Type", "application/merge-patch+json"), 422, "Invalid")
	// Patch with a stale resourceVersion conflicts.
	expectStatus(t, s.do("PATCH", path, `{"metadata":{"resourceVersion":"1","labels":{"c":"3"}}}`, "Content-Type", "application/merge-patch+json"), 409, "Conflict")
	expectStatus(t, s.do("PATCH", "/api/v1/namespaces/default/pods/missing", `{}`, "Content-Type", "application/merge-patch+json"), 404, "NotFound")
}

func TestDryRun(t *testing.T) {
	s := startServer(t, "")
	out := s.mustDo(201, "POST", "/api/v1/namespaces/default/pods?dryRun=All", pod("dry", nil))
	if str(out, "metadata", "name") != "dry" || str(out, "spec", "restartPolicy") != "Always" {
		t.Fatalf("dry-run create answer: %v", out)
	}
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods/dry", nil), 404, "NotFound")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("real", nil))
	s.mustDo(200, "PATCH", "/api/v1/namespaces/default/pods/real?dryRun=All", `{"metadata":{"labels":{"x":"y"}}}`, "Content-Type", "application/merge-patch+json")
	if get(s.mustDo(200, "GET", "/api/v1/namespaces/default/pods/real", nil), "metadata", "labels", "x") != nil {
		t.Fatal("dry-run patch was stored")
	}
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/pods/real?dryRun=All", nil)
	s.mustDo(200, "GET", "/api/v1/namespaces/default/pods/real", nil)
	expectStatus(t, s.do("POST", "/api/v1/namespaces/default/pods?dryRun=Yes", pod("x", nil)), 400, "BadRequest")
}

func TestGenerateName(t *testing.T) {
	s := startServer(t, "")
	p := pod("", nil)
	p["metadata"] = map[string]any{"generateName": "web-"}
	names := map[string]bool{}
	for i := 0; i < 20; i++ {
		out := s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", p)
		n := str(out, "metadata", "name")
		if !strings.HasPrefix(n, "web-") || len(n) != len("web-")+5 || names[n] {
			t.Fatalf("generated name %q", n)
		}
		names[n] = true
	}
}

func TestSelectorsAndPaging(t *testing.T) {
	s := startServer(t, "")
	for i := 0; i < 25; i++ {
		tier := "front"
		if i%2 == 1 {
			tier = "back"
		}
		s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod(fmt.Sprintf("p%02d", i), map[string]string{"tier": tier, "name": fmt.Sprintf("n%d", i%3)}))
	}
	count := func(q string) int {
		m := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods?"+q, nil)
		return len(get(m, "items").([]any))
	}
	cases := map[string]int{
		"labelSelector=tier%3Dfront":                                   13,
		"labelSelector=tier!%3Dfront":                                  12,
		"labelSelector=name+in+(n0,n1)":                                17,
		"labelSelector=name+notin+(n0)":                                16,
		"labelSelector=tier":                                           25,
		"labelSelector=!tier":                                          0,
		"fieldSelector=metadata.name%3Dp03":                            1,
		"fieldSelector=status.phase%3DPending":                         25,
		"fieldSelector=spec.nodeName%3D":                               25,
		"labelSelector=tier%3Dback&fieldSelector=metadata.name!%3Dp01": 11,
	}
	for q, want := range cases {
		if got := count(q); got != want {
			t.Errorf("%s: %d items, want %d", q, got, want)
		}
	}
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods?labelSelector=a+in+(", nil), 400, "BadRequest")
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3Dx", nil), 400, "BadRequest")
	// Paging: 10 at a time, all 25 exactly once.
	seen := map[string]bool{}
	cont := ""
	pages := 0
	for {
		q := "/api/v1/namespaces/default/pods?limit=10"
		if cont != "" {
			q += "&continue=" + cont
		}
		m := s.mustDo(200, "GET", q, nil)
		pages++
		for _, it := range get(m, "items").([]any) {
			n := str(it, "metadata", "name")
			if seen[n] {
				t.Fatalf("%s seen twice", n)
			}
			seen[n] = true
		}
		cont = str(m, "metadata", "continue")
		if cont == "" {
			break
		}
	}
	if len(seen) != 25 || pages != 3 {
		t.Fatalf("paging saw %d items in %d pages", len(seen), pages)
	}
	expectStatus(t, s.do("GET", "/api/v1/namespaces/default/pods?limit=5&continue=garbage", nil), 400, "BadRequest")
}

func TestDeleteCollection(t *testing.T) {
	s := startServer(t, "")
	for i := 0; i < 5; i++ {
		l := map[string]string{"del": "yes"}
		if i == 0 {
			l = map[string]string{"del": "no"}
		}
		s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": fmt.Sprintf("c%d", i), "labels": l}})
	}
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=del%3Dyes", nil)
	m := s.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps", nil)
	if items := get(m, "items").([]any); len(items) != 1 || str(items[0], "metadata", "name") != "c0" {
		t.Fatalf("after deletecollection: %v", items)
	}
}

func TestAllKindsCRUD(t *testing.T) {
	s := startServer(t, "")
	podSpec := map[string]any{"containers": []any{map[string]any{"name": "c", "image": "nginx:1.25"}}}
	tmpl := map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "x"}}, "spec": podSpec}
	sel := map[string]any{"matchLabels": map[string]any{"app": "x"}}
	cases := []struct {
		path string
		obj  map[string]any
	}{
		{"/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "team-a"}}},
		{"/api/v1/nodes", map[string]any{"metadata": map[string]any{"name": "node-1"}}},
		{"/api/v1/namespaces/default/services", map[string]any{"metadata": map[string]any{"name": "svc"}, "spec": map[string]any{"ports": []any{map[string]any{"port": 80}}, "selector": map[string]any{"app": "x"}}}},
		{"/api/v1/namespaces/default/endpoints", map[string]any{"metadata": map[string]any{"name": "svc"}, "subsets": []any{map[string]any{"addresses": []any{map[string]any{"ip": "10.1.0.5"}}, "ports": []any{map[string]any{"port": 80}}}}}},
		{"/api/v1/namespaces/default/replicationcontrollers", map[string]any{"metadata": map[string]any{"name": "rc"}, "spec": map[string]any{"selector": map[string]any{"app": "x"}, "template": tmpl}}},
		{"/api/v1/namespaces/default/events", map[string]any{"metadata": map[string]any{"name": "ev"}, "involvedObject": map[string]any{"kind": "Pod", "name": "p", "namespace": "default"}, "reason": "Test", "message": "hello", "type": "Normal"}},
		{"/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "cm"}, "data": map[string]any{"a": "b"}}},
		{"/api/v1/namespaces/default/secrets", map[string]any{"metadata": map[string]any{"name": "sec"}, "stringData": map[string]any{"password": "s3cret"}}},
		{"/api/v1/namespaces/default/serviceaccounts", map[string]any{"metadata": map[string]any{"name": "sa"}}},
		{"/api/v1/namespaces/default/limitranges", map[string]any{"metadata": map[string]any{"name": "lr"}, "spec": map[string]any{"limits": []any{map[string]any{"type": "Container", "default": map[string]any{"cpu": "500m"}}}}}},
		{"/api/v1/namespaces/default/resourcequotas", map[string]any{"metadata": map[string]any{"name": "rq"}, "spec": map[string]any{"hard": map[string]any{"pods": "10"}}}},
		{"/apis/apps/v1/namespaces/default/deployments", map[string]any{"metadata": map[string]any{"name": "dep"}, "spec": map[string]any{"selector": sel, "template": tmpl}}},
		{"/apis/apps/v1/namespaces/default/replicasets", map[string]any{"metadata": map[string]any{"name": "rs"}, "spec": map[string]any{"selector": sel, "template": tmpl}}},
		{"/apis/apps/v1/namespaces/default/daemonsets", map[string]any{"metadata": map[string]any{"name": "ds"}, "spec": map[string]any{"selector": sel, "template": tmpl}}},
		{"/apis/batch/v1/namespaces/default/jobs", map[string]any{"metadata": map[string]any{"name": "job"}, "spec": map[string]any{"template": map[string]any{"spec": map[string]any{"restartPolicy": "Never", "containers": podSpec["containers"]}}}}},
		{"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", map[string]any{"metadata": map[string]any{"name": "node-1"}, "spec": map[string]any{"holderIdentity": "node-1", "leaseDurationSeconds": 40}}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			created := s.mustDo(201, "POST", c.path, c.obj)
			name := str(created, "metadata", "name")
			item := c.path + "/" + name
			s.mustDo(200, "GET", item, nil)
			list := s.mustDo(200, "GET", c.path, nil)
			if !strings.HasSuffix(list["kind"].(string), "List") {
				t.Fatalf("list kind %v", list["kind"])
			}
			created["metadata"].(map[string]any)["labels"] = map[string]any{"updated": "true"}
			up := s.mustDo(200, "PUT", item, created)
			if str(up, "metadata", "labels", "updated") != "true" {
				t.Fatalf("update lost: %v", up["metadata"])
			}
			if strings.Contains(c.path, "/namespaces") && strings.HasSuffix(c.path, "/api/v1/namespaces") {
				return // namespace deletion is covered by its own test
			}
			r := s.do("DELETE", item, nil)
			if r.Code != http.StatusOK {
				t.Fatalf("delete: %d %s", r.Code, r.Body)
			}
			expectStatus(t, s.do("GET", item, nil), 404, "NotFound")
		})
	}
	// Secrets fold stringData into data (base64).
	sec := s.mustDo(201, "POST", "/api/v1/namespaces/default/secrets", map[string]any{"metadata": map[string]any{"name": "s2"}, "stringData": map[string]any{"k": "v"}})
	if str(sec, "data", "k") != "dg==" || sec["stringData"] != nil {
		t.Fatalf("secret: %v", sec)
	}
	// Jobs get the generated selector and labels.
	job := s.mustDo(200, "GET", "/apis/batch/v1/namespaces/default/jobs", nil)
	_ = job
}

// With --etcd-servers the server uses an external etcd and starts none of its own; two
// servers on one etcd see the same objects and never hand out the same ClusterIP.
func TestExternalEtcdSharedByTwoServers(t *testing.T) {
	emb, err := etcd.StartEmbedded(context.Background(), etcd.EmbeddedConfig{DataDir: t.TempDir(),
		ClientURL: "http://127.0.0.1:0", PeerURL: "http://127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	external := func(o *server.Options) { o.EtcdServers = emb.Endpoints() }
	a := startServer(t, "", external)
	b := startServer(t, "", external)
	a.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "shared"}})
	b.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps/shared", nil)
	ips := map[string]bool{}
	for i := 0; i < 10; i++ {
		for j, s := range []*apiServer{a, b} {
			svc := map[string]any{"metadata": map[string]any{"name": fmt.Sprintf("s%d-%d", j, i)},
				"spec": map[string]any{"ports": []any{map[string]any{"port": 80}}}}
			ip := str(s.mustDo(201, "POST", "/api/v1/namespaces/default/services", svc), "spec", "clusterIP")
			if ips[ip] {
				t.Fatalf("ClusterIP %s handed out twice", ip)
			}
			ips[ip] = true
		}
	}
}
