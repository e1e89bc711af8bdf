// Package rules is kube-proxy's rule builder: a pure function from Services, Endpoints, the
// node's identity, options and the previous sync's State to the text of one
// iptables-restore --noflush transaction (both the filter and the nat table), the new State,
// and the UDP conntrack entries that went stale. BuildNFT is its twin for nftables mode: the
// same inputs give one nft -f transaction on table ip kube-proxy (see nft.go for the layout).
//
// The layout is upstream kube-proxy's (1.32, iptables mode): nat KUBE-SERVICES,
// KUBE-NODEPORTS, KUBE-POSTROUTING, KUBE-MARK-MASQ, KUBE-SVC-*, KUBE-SVL-*, KUBE-EXT-*,
// KUBE-SEP-*; filter KUBE-SERVICES, KUBE-EXTERNAL-SERVICES, KUBE-FORWARD, KUBE-FIREWALL.
// Chain names are hashed like upstream's, so a restarted kube-proxy (or upstream's) rewrites
// the same chains in place.
//
// A partial sync rewrites only the chains of the services named as changed and the top-level
// chains whose text differs from the last sync; chains that lost their service or endpoint
// are flushed and deleted (-X) in the same transaction.
//
// The package must never run a command, read the clock or touch the network: everything it
// knows comes in through its arguments, so golden files pin its output.
package rules
