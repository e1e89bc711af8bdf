// Package proxier keeps the node's iptables (or nftables) rules in step with the cluster's
// Services and Endpoints: informer handlers record what changed, and one loop (owned by
// Run's context) syncs, no more often than every MinSyncPeriod and at least every
// SyncPeriod. A sync rewrites only what changed, except the first, one after a failure and
// one every FullSyncPeriod (upstream's hourly full resync), which rewrite everything. Each
// sync hands the changes to the pure rule builder (package rules) and applies the result
// with one iptables-restore (nftables mode: one nft -f transaction), then deletes stale UDP
// conntrack entries.
//
// A failed sync keeps the previous state, re-marks its changes and makes the next sync full.
// The package never decides rule text itself, and never modifies the objects it is given.
package proxier
