package autoscaling_test

import (
	"testing"

	"seven.dev/api/autoscaling"
	"seven.dev/api/core/coretest"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			`{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"default","resourceVersion":"12"},"spec":{"replicas":5},"status":{"replicas":3,"selector":"app=web,tier in (a,b)"}}`,
			"",
		},
		// kubectl scale --replicas=0 sends an explicit 0, which is the zero value:
		// upstream drops it (omitempty) but always writes spec and status.replicas.
		{`{"spec":{"replicas":0}}`, `{"spec":{},"status":{"replicas":0}}`},
		{`{"status":{"replicas":0}}`, `{"spec":{},"status":{"replicas":0}}`},
	}
	for _, tt := range tests {
		coretest.RoundTrip[autoscaling.Scale](t, tt.in, tt.want)
	}
	coretest.MarshalEqual(t, autoscaling.ScaleStatus{}, `{"replicas":0}`)
}
