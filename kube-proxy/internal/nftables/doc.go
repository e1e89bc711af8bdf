// Package nftables runs the nft(8) commands of kube-proxy's nftables mode: one `nft -f -`
// transaction per sync, the listing of the chains and sets of table ip kube-proxy before a
// first full sync, and the --cleanup removal of that table.
//
// Commands go through an iptables.Runner, whose Prefix (e.g. "ip netns exec NS") lets tests
// and the benchmark aim them at a network namespace of their own. The package never builds
// rules (package rules does) and never touches a table other than ip kube-proxy.
package nftables
