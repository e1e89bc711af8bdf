package patch

import (
	"strings"
	"testing"
)

// FuzzApply feeds arbitrary documents and patches to every apply and create
// function; none may panic, whatever the input. For pairs of well-formed
// objects it also checks that a two-way patch turns the first into the
// second, and that a three-way patch against an unchanged live object does.
func FuzzApply(f *testing.F) {
	seeds := [][2]string{
		{`{"a":1}`, `[{"op":"add","path":"/b","value":2}]`},
		{`{"a":[1,2]}`, `[{"op":"move","from":"/a/0","path":"/a/-"},{"op":"copy","from":"/a","path":"/c"}]`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":null,"c":[1]}}`},
		{`{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b"}]}}`, `{"spec":{"containers":[{"name":"b","$patch":"delete"},{"name":"c"}]}}`},
		{`{"spec":{"containers":[{"name":"a"}]}}`, `{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"b"}]}}`},
		{`{"metadata":{"finalizers":["a","b"]}}`, `{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"finalizers":["c",{"$patch":"replace"}]}}`},
		{`{"spec":{"strategy":{"type":"x","rollingUpdate":{}}}}`, `{"spec":{"strategy":{"$retainKeys":["type"],"type":"y"}}}`},
		{`{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}`, `{"spec":{"volumes":[{"$patch":"replace"},{"name":"w"}],"$patch":"merge"}}`},
		{`{"spec":{"containers":[{"name":"a","env":[{"name":"x"}]},{"name":"b"}]}}`, `{"spec":{"containers":[{"name":"b","ports":[{"containerPort":1}]},{"name":"a"}]}}`},
		{`{"metadata":{"finalizers":["a","b","c"]}}`, `{"metadata":{"finalizers":["c","a","d"]}}`},
		{`[]`, `[{"op":"test","path":"","value":[]}]`},
		{`{"a":[[1]]}`, `{"a":[[2]]}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	schemas := []Schema{nil, podSchema, deploymentSchema}
	f.Fuzz(func(t *testing.T, doc, patch []byte) {
		_, _ = ApplyJSONPatch(doc, patch)
		_, _ = ApplyMergePatch(doc, patch)
		_, _ = CreateMergePatch(doc, patch)
		for _, s := range schemas {
			out, err := ApplyStrategicMergePatch(doc, patch, s)
			_, _ = CreateThreeWayMergePatch(doc, patch, out, s, false)
			if err == nil {
				if _, err := DecodeJSON(out); err != nil {
					t.Fatalf("apply produced invalid JSON %q: %v", out, err)
				}
			}
			checkRoundTrip(t, doc, patch, s)
		}
	})
}

// checkRoundTrip treats a and b as original and modified documents.
func checkRoundTrip(t *testing.T, a, b []byte, s Schema) {
	twoWay, err := CreateTwoWayMergePatch(a, b, s)
	if err != nil {
		return
	}
	av, _ := DecodeJSON(a)
	bv, _ := DecodeJSON(b)
	if !wellFormed(av) || !wellFormed(bv) || !validUnder(a, s) || !validUnder(b, s) {
		return
	}
	got, err := ApplyStrategicMergePatch(a, twoWay, s)
	if err != nil {
		t.Fatalf("two-way patch %s from %s to %s does not apply: %v", twoWay, a, b, err)
	}
	if g, _ := DecodeJSON(got); !equalJSON(g, bv) {
		t.Fatalf("two-way patch %s from %s to %s yields %s", twoWay, a, b, got)
	}
	threeWay, err := CreateThreeWayMergePatch(a, b, a, s, true)
	if err != nil {
		t.Fatalf("three-way patch from %s to %s: %v", a, b, err)
	}
	got, err = ApplyStrategicMergePatch(a, threeWay, s)
	if err != nil {
		t.Fatalf("three-way patch %s from %s to %s does not apply: %v", threeWay, a, b, err)
	}
	if g, _ := DecodeJSON(got); !equalJSON(g, bv) {
		t.Fatalf("three-way patch %s from %s to %s yields %s", threeWay, a, b, got)
	}
}

// validUnder reports whether doc is a valid object under s: every element
// of a merged list of objects has its merge key, element types agree.
func validUnder(doc []byte, s Schema) bool {
	_, err := ApplyStrategicMergePatch([]byte(`{}`), doc, s)
	return err == nil
}

// wellFormed accepts the documents a real manifest looks like: no nulls
// (a patch cannot set a field to null), no keys that read as directives, and
// no list holding the same element, or two objects with the same name, uid or
// containerPort (the merge keys of the test schemas), twice.
func wellFormed(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case map[string]any:
		for k, e := range x {
			if strings.HasPrefix(k, "$") || !wellFormed(e) {
				return false
			}
		}
	case []any:
		seen := map[string]bool{}
		for _, e := range x {
			keys := []string{"v" + scalarKey(e)}
			if m, ok := e.(map[string]any); ok {
				for _, mk := range []string{"name", "uid", "containerPort"} {
					if mv, ok := m[mk]; ok {
						keys = append(keys, mk+scalarKey(mv))
					}
				}
			}
			for _, k := range keys {
				if seen[k] {
					return false
				}
				seen[k] = true
			}
			if !wellFormed(e) {
				return false
			}
		}
	}
	return true
}
