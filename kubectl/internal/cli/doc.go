// Package cli is Seven's kubectl command tree: one cobra command per verb, each behaving like
// its upstream twin (same flags, output and exit codes) against the Kubernetes API.
//
// Commands talk to the API server only through seven.dev/api/client (exec's stream through
// internal/remotecommand, configured from the same client.Config); they never import the
// server's or the daemons' code. Objects are handled as decoded JSON (map[string]any) so that
// what is read from a manifest is sent unchanged, and typed only where a command needs the
// fields (describe, scale, rolling-update). Every command validates its whole input before it
// writes anything, so bad input changes nothing on the server. The package keeps no
// package-level mutable state: everything hangs off the Options of one invocation.
package cli
