//go:build !linux

package main

import "testing"

// testExecTTY needs Linux's pseudo-terminals (/dev/ptmx).
func testExecTTY(t *testing.T, _ *execCluster) {
	t.Skip("pseudo-terminal tests run on Linux only")
}
