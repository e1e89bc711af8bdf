package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"seven.dev/apiserver/internal/handlers"
)

// serveOpenAPI answers /openapi/v3 and its per-group-version documents. They describe
// operations, not schemas: enough for clients (kubectl) to learn that every kind's writes
// accept the fieldValidation parameter, so they leave validation to the server.
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(strings.Trim(r.URL.Path, "/"), "openapi/")
	if path == "v3" {
		paths := map[string]any{}
		for _, g := range s.scheme.Groups() {
			for _, k := range s.scheme.Kinds() {
				if k.Group != g {
					continue
				}
				gv := "apis/" + k.GroupVersion()
				if k.Group == "" {
					gv = "api/" + k.Version
				}
				paths[gv] = map[string]string{"serverRelativeURL": "/openapi/v3/" + gv + "?hash=" + openAPIHash}
			}
		}
		writeOpenAPI(w, map[string]any{"paths": paths})
		return
	}
	gvPath, ok := strings.CutPrefix(path, "v3/")
	if !ok {
		handlers.NotFound(w, r)
		return
	}
	gv := strings.TrimPrefix(strings.TrimPrefix(gvPath, "apis/"), "api/")
	kinds := s.scheme.KindsIn(gv)
	if len(kinds) == 0 {
		handlers.NotFound(w, r)
		return
	}
	params := []map[string]any{
		{"name": "fieldValidation", "in": "query", "schema": map[string]string{"type": "string"}, "uniqueItems": true},
		{"name": "dryRun", "in": "query", "schema": map[string]string{"type": "string"}, "uniqueItems": true},
		{"name": "fieldManager", "in": "query", "schema": map[string]string{"type": "string"}, "uniqueItems": true},
	}
	paths := map[string]any{}
	for _, k := range kinds {
		prefix := "/" + gvPath
		if k.Namespaced {
			prefix += "/namespaces/{namespace}"
		}
		gvk := map[string]string{"group": k.Group, "version": k.Version, "kind": k.Kind}
		paths[prefix+"/"+k.Resource] = map[string]any{
			"post": map[string]any{"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "post", "parameters": params},
		}
		paths[prefix+"/"+k.Resource+"/{name}"] = map[string]any{
			"put":   map[string]any{"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "put", "parameters": params},
			"patch": map[string]any{"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch", "parameters": params},
		}
	}
	writeOpenAPI(w, map[string]any{
		"openapi": "3.0.0",
		"info":    map[string]string{"title": "Kubernetes", "version": versionInfo["gitVersion"]},
		"paths":   paths,
	})
}

// openAPIHash changes whenever the documents would; they depend only on the build.
const openAPIHash = "seven-v1"

func writeOpenAPI(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
