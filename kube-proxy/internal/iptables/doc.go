// Package iptables runs the commands kube-proxy programs the kernel with: iptables-restore
// for the rules (one transaction per sync), iptables -C/-I for the jumps from the built-in
// chains, iptables-save to find chains left by an earlier run, conntrack -D for stale UDP
// flows, sysctl for route_localnet, and the --cleanup removal of everything kube-proxy made.
//
// Every command goes through a Runner, whose Prefix (e.g. "ip netns exec NS") lets tests and
// the benchmark aim it at a network namespace of their own. The package never builds rules
// (package rules does) and never touches chains whose names do not start with KUBE-.
package iptables
