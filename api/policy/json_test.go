package policy_test

import (
	"testing"

	"seven.dev/api/core/coretest"
	"seven.dev/api/policy"
)

func TestRoundTrip(t *testing.T) {
	// As kubectl drain posts it.
	doc := `{"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":"web-0","namespace":"default"},
	  "deleteOptions":{"gracePeriodSeconds":30,"preconditions":{"uid":"u1"},"propagationPolicy":"Background","dryRun":["All"]}}`
	e := coretest.RoundTrip[policy.Eviction](t, doc, "")
	if e.DeleteOptions == nil || *e.DeleteOptions.GracePeriodSeconds != 30 {
		t.Errorf("deleteOptions = %+v", e.DeleteOptions)
	}
	coretest.RoundTrip[policy.Eviction](t, `{"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":"web-0"}}`, "")
	coretest.MarshalEqual(t, policy.Eviction{}, `{}`)
}
