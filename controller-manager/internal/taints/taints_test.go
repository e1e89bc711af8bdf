package taints

import (
	"testing"

	"seven.dev/api/core"
)

func TestTolerates(t *testing.T) {
	unreachable := core.Taint{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoExecute}
	tests := []struct {
		name string
		tol  core.Toleration
		want bool
	}{
		{"exists on the key", core.Toleration{Key: core.TaintNodeUnreachable, Operator: core.TolerationOpExists}, true},
		{"exists on everything", core.Toleration{Operator: core.TolerationOpExists}, true},
		{"other effect", core.Toleration{Key: core.TaintNodeUnreachable, Operator: core.TolerationOpExists, Effect: core.TaintEffectNoSchedule}, false},
		{"other key", core.Toleration{Key: core.TaintNodeNotReady, Operator: core.TolerationOpExists}, false},
		{"equal with the empty value", core.Toleration{Key: core.TaintNodeUnreachable}, true},
		{"equal with another value", core.Toleration{Key: core.TaintNodeUnreachable, Value: "x"}, false},
		{"equal needs a key", core.Toleration{Operator: core.TolerationOpEqual}, false},
	}
	for _, tt := range tests {
		if got := Tolerates(tt.tol, unreachable); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
	if !ToleratesAll(nil, []core.Taint{{Key: "a", Effect: core.TaintEffectPreferNoSchedule}}, core.TaintEffectNoSchedule, core.TaintEffectNoExecute) {
		t.Error("PreferNoSchedule must not count")
	}
	if ToleratesAll(nil, []core.Taint{unreachable}) {
		t.Error("untolerated taint")
	}
}
