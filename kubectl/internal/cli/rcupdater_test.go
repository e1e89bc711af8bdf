package cli

import "testing"

// TestRollingArithmetic replays the classic update of 3 replicas (maxSurge 1,
// maxUnavailable 0) with every new pod ready at once: the total never drops below 3 nor
// exceeds 4, and it ends at new=3, old=0.
func TestRollingArithmetic(t *testing.T) {
	newR, oldR, desired := int32(0), int32(3), int32(3)
	for steps := 0; newR != desired || oldR != 0; steps++ {
		if steps > 10 {
			t.Fatalf("no convergence: new %d old %d", newR, oldR)
		}
		newR = scaleUpTo(newR, oldR, desired, 1)
		if newR+oldR > desired+1 {
			t.Fatalf("surge exceeded: new %d old %d", newR, oldR)
		}
		oldR = scaleDownTo(newR, oldR, newR, desired, desired)
		if newR+oldR < desired {
			t.Fatalf("availability broken: new %d old %d", newR, oldR)
		}
	}
	// With no new pod ready, the old controller is never scaled down.
	if got := scaleDownTo(1, 3, 0, 3, 3); got != 3 {
		t.Errorf("scaled down to %d with nothing ready", got)
	}
}
