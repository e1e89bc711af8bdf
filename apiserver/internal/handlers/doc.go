// Package handlers is the HTTP face of the API server: it parses Kubernetes REST paths,
// negotiates JSON, YAML and Table, decodes bodies within the size limit, calls the
// registry, streams watches and answers every failure with an upstream-style Status.
//
// It holds no object semantics of its own (those are the registry's) and never touches
// storage directly except to stream a watch the registry opened.
package handlers
