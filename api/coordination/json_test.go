package coordination_test

import (
	"testing"
	"time"

	"seven.dev/api/coordination"
	"seven.dev/api/core/coretest"
)

const lease = `{
  "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
  "metadata": {"name": "node-1", "namespace": "kube-node-lease", "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "node-1", "uid": "u1"}]},
  "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40, "acquireTime": "2024-05-01T10:00:00.000000Z",
    "renewTime": "2024-05-01T10:05:30.123456Z", "leaseTransitions": 2}
}`

func TestRoundTrip(t *testing.T) {
	l := coretest.RoundTrip[coordination.Lease](t, lease, "")
	if l.Spec.RenewTime == nil || l.Spec.RenewTime.Nanosecond() != 123456*int(time.Microsecond) {
		t.Errorf("renewTime = %v, want microsecond precision", l.Spec.RenewTime)
	}
	if *l.Spec.HolderIdentity != "node-1" || *l.Spec.LeaseDurationSeconds != 40 {
		t.Errorf("spec = %+v", l.Spec)
	}
	coretest.RoundTrip[coordination.LeaseList](t, `{"apiVersion":"coordination.k8s.io/v1","kind":"LeaseList","metadata":{},"items":[`+lease+`]}`, "")
	coretest.MarshalEqual(t, coordination.Lease{}, `{"spec":{}}`)
}
