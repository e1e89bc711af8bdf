package handlers

import (
	"net/http"
	"strconv"
	"strings"
)

// RequestInfo is what a REST path and method ask for.
type RequestInfo struct {
	// IsResource is false for discovery and other non-resource paths.
	IsResource  bool
	Verb        string // get, list, watch, create, update, patch, delete, deletecollection
	Group       string
	Version     string
	Namespace   string
	Resource    string
	Name        string
	Subresource string
}

// namespaceSubresources are the subresources of a namespace itself, which must not be
// read as a resource inside the namespace.
var namespaceSubresources = map[string]bool{"status": true, "finalize": true}

// ParseRequestInfo reads /api/v1/... and /apis/<group>/<version>/... paths the way
// upstream does, including the legacy /watch/ prefix.
func ParseRequestInfo(r *http.Request) RequestInfo {
	parts := splitPath(r.URL.Path)
	var info RequestInfo
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		info.Version = parts[1]
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		info.Group, info.Version = parts[1], parts[2]
		parts = parts[3:]
	default:
		return info
	}
	if len(parts) == 0 {
		return info
	}
	info.IsResource = true
	watchPrefix := false
	if parts[0] == "watch" {
		watchPrefix = true
		parts = parts[1:]
		if len(parts) == 0 {
			info.IsResource = false
			return info
		}
	}
	if parts[0] == "namespaces" && len(parts) > 1 {
		info.Namespace = parts[1]
		if len(parts) > 2 && !namespaceSubresources[parts[2]] {
			parts = parts[2:]
		}
	}
	info.Resource = parts[0]
	if len(parts) > 1 {
		info.Name = parts[1]
	}
	if len(parts) > 2 {
		info.Subresource = parts[2]
	}
	if len(parts) > 3 {
		// Deeper paths (proxy/<path>) keep the rest in Subresource's tail; unsupported.
		info.Subresource = strings.Join(parts[2:], "/")
	}
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case watchPrefix || isTrue(q.Get("watch")):
			info.Verb = "watch"
		case info.Name == "":
			info.Verb = "list"
		default:
			info.Verb = "get"
		}
	case http.MethodPost:
		info.Verb = "create"
	case http.MethodPut:
		info.Verb = "update"
	case http.MethodPatch:
		info.Verb = "patch"
	case http.MethodDelete:
		if info.Name == "" {
			info.Verb = "deletecollection"
		} else {
			info.Verb = "delete"
		}
	default:
		info.Verb = strings.ToLower(r.Method)
	}
	return info
}

// isTrue reads a boolean query parameter the way upstream does (strconv.ParseBool: the
// Python client sends "True").
func isTrue(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
