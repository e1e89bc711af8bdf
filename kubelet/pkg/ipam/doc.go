// Package ipam hands out pod addresses from one subnet, host-local style: every allocated
// address is a file named after it in a directory on disk, holding its owner's ID, so an
// address is never handed out twice, survives a restart of the kubelet, and is released
// by owner (or garbage-collected when its owner is gone).
//
// The choice of the next address is a pure function (Next); the directory is the only
// state. It never touches network interfaces.
package ipam
