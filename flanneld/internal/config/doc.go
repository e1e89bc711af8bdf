// Package config parses the overlay network's configuration, the JSON document an operator
// stores at <etcd-prefix>/config (flannel's format), and fills in flannel's defaults.
//
// It is pure: it never talks to etcd or the kernel, so every rule is a table test.
package config
