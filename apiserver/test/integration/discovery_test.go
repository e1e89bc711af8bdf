package integration

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDiscoveryVersionHealthMetrics(t *testing.T) {
	s := startServer(t, "")
	api := s.mustDo(200, "GET", "/api", nil)
	if api["kind"] != "APIVersions" || get(api, "versions", 0) != "v1" {
		t.Fatalf("/api: %v", api)
	}
	apis := s.mustDo(200, "GET", "/apis", nil)
	groups := map[string]bool{}
	for _, g := range get(apis, "groups").([]any) {
		groups[str(g, "name")] = true
	}
	for _, g := range []string{"apps", "batch", "coordination.k8s.io"} {
		if !groups[g] {
			t.Errorf("group %s missing from /apis", g)
		}
	}
	v1 := s.mustDo(200, "GET", "/api/v1", nil)
	res := map[string]map[string]any{}
	for _, r := range get(v1, "resources").([]any) {
		res[str(r, "name")] = r.(map[string]any)
	}
	for _, name := range []string{"pods", "pods/status", "pods/binding", "pods/log", "pods/exec", "pods/eviction", "nodes", "nodes/status",
		"services", "endpoints", "replicationcontrollers", "replicationcontrollers/scale", "events", "configmaps", "secrets",
		"serviceaccounts", "limitranges", "resourcequotas", "namespaces", "bindings"} {
		if res[name] == nil {
			t.Errorf("/api/v1 lacks %s", name)
		}
	}
	if str(res["replicationcontrollers/scale"], "group") != "autoscaling" || str(res["pods"], "shortNames", 0) != "po" {
		t.Errorf("discovery details: %v %v", res["replicationcontrollers/scale"], res["pods"])
	}
	appsV1 := s.mustDo(200, "GET", "/apis/apps/v1", nil)
	if appsV1["groupVersion"] != "apps/v1" {
		t.Fatalf("/apis/apps/v1: %v", appsV1)
	}
	s.mustDo(200, "GET", "/apis/apps", nil)
	ver := s.mustDo(200, "GET", "/version", nil)
	if ver["major"] != "1" || ver["minor"] != "32" {
		t.Fatalf("/version: %v", ver)
	}
	oa := s.mustDo(200, "GET", "/openapi/v3", nil)
	if str(oa, "paths", "api/v1", "serverRelativeURL") == "" {
		t.Fatalf("/openapi/v3: %v", oa)
	}
	s.mustDo(200, "GET", str(oa, "paths", "apis/apps/v1", "serverRelativeURL"), nil)
	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		r := s.do("GET", p, nil)
		if r.Code != 200 || string(r.Body) != "ok" {
			t.Errorf("%s: %d %q", p, r.Code, r.Body)
		}
	}
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("m", nil))
	w := s.watch("/api/v1/namespaces/default/pods?watch=true")
	w.next(5 * time.Second) // the watch is registered once its first event arrives
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`apiserver_request_total{code="201",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="POST",version="v1"}`,
		"apiserver_request_duration_seconds_bucket",
		"etcd_request_duration_seconds_bucket{operation=\"create\",type=\"pods\"",
		`apiserver_registered_watchers{group="",kind="Pod",version="v1"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestTables(t *testing.T) {
	s := startServer(t, "")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("t1", map[string]string{"app": "a"}))
	accept := "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
	tbl := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods", nil, "Accept", accept)
	if tbl["kind"] != "Table" || tbl["apiVersion"] != "meta.k8s.io/v1" {
		t.Fatalf("table: %v", tbl)
	}
	var cols []string
	for _, c := range get(tbl, "columnDefinitions").([]any) {
		cols = append(cols, str(c, "name"))
	}
	if strings.Join(cols[:5], " ") != "Name Ready Status Restarts Age" {
		t.Fatalf("pod columns %v", cols)
	}
	if str(tbl, "columnDefinitions", 0, "format") != "name" {
		t.Fatalf("name column format: %v", get(tbl, "columnDefinitions", 0))
	}
	if get(tbl, "rows", 0, "cells", 0) != "t1" || get(tbl, "rows", 0, "cells", 1) != "0/1" || get(tbl, "rows", 0, "cells", 2) != "Pending" {
		t.Fatalf("row: %v", get(tbl, "rows", 0))
	}
	if str(tbl, "rows", 0, "object", "kind") != "PartialObjectMetadata" || str(tbl, "rows", 0, "object", "metadata", "labels", "app") != "a" {
		t.Fatalf("row object: %v", get(tbl, "rows", 0, "object"))
	}
	one := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods/t1?includeObject=Object", nil, "Accept", accept)
	if str(one, "rows", 0, "object", "kind") != "Pod" {
		t.Fatalf("includeObject=Object: %v", get(one, "rows", 0, "object"))
	}
	svc := s.mustDo(200, "GET", "/api/v1/namespaces/default/services", nil, "Accept", accept)
	if get(svc, "rows", 0, "cells", 0) != "kubernetes" || get(svc, "rows", 0, "cells", 4) != "443/TCP" {
		t.Fatalf("services table row: %v", get(svc, "rows", 0))
	}
	// Plain JSON when the client asks for it.
	plain := s.mustDo(200, "GET", "/api/v1/namespaces/default/pods", nil, "Accept", "application/json")
	if plain["kind"] != "PodList" {
		t.Fatalf("plain list: %v", plain["kind"])
	}
}
