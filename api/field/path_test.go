package field

import "testing"

func TestPathString(t *testing.T) {
	cases := []struct {
		p    *Path
		want string
	}{
		{NewPath("metadata", "name"), "metadata.name"},
		{NewPath("spec").Child("containers").Index(0).Child("image"), "spec.containers[0].image"},
		{NewPath("metadata").Child("labels").Key("app"), "metadata.labels[app]"},
		{NewPath("spec", "ports").Index(2), "spec.ports[2]"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		e    *Error
		want string
	}{
		{Required(NewPath("spec", "containers"), ""), "spec.containers: Required value"},
		{Invalid(NewPath("metadata", "name"), "Bad_Name", "must be lower case"), `metadata.name: Invalid value: "Bad_Name": must be lower case`},
		{NotSupported(NewPath("spec", "restartPolicy"), "Sometimes", []string{"Always", "Never"}), `spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never"`},
		{Duplicate(NewPath("spec", "ports").Index(1).Child("port"), 80), `spec.ports[1].port: Duplicate value: 80`},
		{Forbidden(NewPath("spec"), "pod updates may not change fields"), `spec: Forbidden: pod updates may not change fields`},
		{Invalid(NewPath("spec", "replicas"), int64(-1), "must be greater than or equal to 0"), `spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	l := ErrorList{cases[0].e, cases[1].e}
	want := "[" + cases[0].want + ", " + cases[1].want + "]"
	if got := l.ToAggregate().Error(); got != want {
		t.Errorf("aggregate: got %s want %s", got, want)
	}
	if (ErrorList{}).ToAggregate() != nil {
		t.Error("empty list must aggregate to nil")
	}
}
