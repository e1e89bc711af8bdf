// Package kubeconfig reads and writes the upstream kubeconfig format (apiVersion v1,
// kind Config: clusters, users, contexts, current-context, preferences) and turns a
// context into a client.Config. It also carries the command-line flags that choose the
// API server: --kubeconfig and --master/--api-servers for the daemons (the seeds'
// spellings), and kubectl's --kubeconfig, -s/--server, --context, -n/--namespace and
// credential flags.
//
// Loading follows upstream: several files (a KUBECONFIG list) merge with the first file
// that sets a value winning, and relative file paths resolve against the directory of the
// file they were read from.
//
// The package must never contact a server, and never write a file except through Write,
// which replaces its target atomically.
package kubeconfig
