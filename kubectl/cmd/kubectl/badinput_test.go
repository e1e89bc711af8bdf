package main

import (
	"strings"
	"testing"
)

// TestBadInput: a missing file, invalid YAML, an unknown kind or a wrong flag exits non-zero
// with one clear line and changes nothing on the server, even when a good object comes first.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	good := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b\n"
	e.write("invalid.yaml", good+"---\napiVersion: v1\nkind: Pod\nmetadata: [\n")
	e.write("unknown.yaml", good+"---\napiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n")
	e.write("nokind.yaml", good+"---\napiVersion: v1\nmetadata:\n  name: x\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"create", "-f", "nope.yaml"}, `error: the path "nope.yaml" does not exist`},
		{"invalid yaml", []string{"create", "-f", "invalid.yaml"}, "error: error parsing invalid.yaml: error converting YAML to JSON"},
		{"unknown kind", []string{"apply", "-f", "unknown.yaml"}, `no matches for kind "Foo" in version "v1"`},
		{"no kind", []string{"create", "-f", "nokind.yaml"}, "kind not set"},
		{"wrong flag", []string{"create", "--frobnicate", "-f", "unknown.yaml"}, "Error: unknown flag: --frobnicate"},
		{"unknown type", []string{"get", "widgets"}, `error: the server doesn't have a resource type "widgets"`},
		{"bad cascade", []string{"delete", "cm", "good", "--cascade=sideways"}, "invalid cascade value"},
		{"bad output", []string{"get", "pods", "-o", "xml"}, "unable to match a printer suitable for the output format"},
		{"bad replicas", []string{"scale", "rc", "x"}, "--replicas=COUNT flag is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.run(c.args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want non-zero; stdout %q", r.out)
			}
			first := strings.SplitN(strings.TrimSpace(r.err), "\n", 2)[0]
			if !strings.Contains(first, c.want) {
				t.Errorf("first error line %q lacks %q", first, c.want)
			}
			if strings.Count(strings.TrimSpace(r.err), "\n") > 1 {
				t.Errorf("more than a line and its hint: %q", r.err)
			}
			if out := e.run("get", "cm", "good"); out.code == 0 {
				t.Fatalf("bad input changed the server: config map good exists")
			}
		})
	}
	// Server errors are upstream's, with exit code 1.
	r := e.run("get", "pods", "nope")
	if r.code != 1 || r.err != "Error from server (NotFound): pods \"nope\" not found\n" {
		t.Errorf("get missing pod: exit %d, %q", r.code, r.err)
	}
}
