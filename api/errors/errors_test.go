package errors

import (
	"fmt"
	"testing"

	"seven.dev/api/meta"
)

func TestPredicates(t *testing.T) {
	cases := []struct {
		err  error
		pred func(error) bool
		want bool
	}{
		{NewNotFound(Resource{Resource: "pods"}, "x"), IsNotFound, true},
		{fmt.Errorf("wrapped: %w", NewNotFound(Resource{Resource: "pods"}, "x")), IsNotFound, true},
		{&meta.Status{Code: 404}, IsNotFound, true},
		{&meta.Status{Code: 409}, IsConflict, true},
		{NewAlreadyExists(Resource{Resource: "pods"}, "x"), IsConflict, false},
		{NewAlreadyExists(Resource{Resource: "pods"}, "x"), IsAlreadyExists, true},
		{NewResourceExpired("too old"), IsGone, true},
		{&meta.Status{Code: 410}, IsGone, true},
		{fmt.Errorf("plain"), IsNotFound, false},
		{nil, IsNotFound, false},
	}
	for i, c := range cases {
		if got := c.pred(c.err); got != c.want {
			t.Errorf("case %d (%v): got %v", i, c.err, got)
		}
	}
	if m := NewNotFound(Resource{Group: "apps", Resource: "deployments"}, "web").Message; m != `deployments.apps "web" not found` {
		t.Errorf("message %q", m)
	}
	if CodeOf(fmt.Errorf("x")) != 500 || CodeOf(nil) != 0 {
		t.Error("CodeOf")
	}
}
