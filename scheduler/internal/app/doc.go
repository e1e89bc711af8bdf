// Package app is the kube-scheduler daemon around the scheduling loop: its command-line
// options, the API clients, the shared informers, the event recorder, the /healthz and
// /metrics endpoint, and leader election, all owned by one context.
//
// It must never keep package-level state, so that tests can run several schedulers (a leader
// and a standby) in one process.
package app
