// Package app is kube-controller-manager's process: its options and flags, the HTTP server
// for /healthz and /metrics, leader election, and the table of controllers it can start.
//
// It wires; it decides nothing about objects. Every goroutine it starts belongs to the
// context given to Run.
package app
