// Package app is the kube-proxy daemon: it turns Options into a running proxier fed by
// Service and Endpoints informers, serves /healthz and /metrics, and implements --cleanup.
// Run owns every goroutine it starts and returns once its context ends and they have stopped.
// It must never hold rule-building logic (package rules) or run commands itself (package
// iptables).
package app
