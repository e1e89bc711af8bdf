package manifest

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	cases := []struct {
		name, in string
		n        int
		err      string
	}{
		{"multi", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n# c\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n", 2, ""},
		{"json", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}`, 1, ""},
		{"list", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Service, metadata: {name: b}}\n", 2, ""},
		{"invalid", "apiVersion: v1\nkind: [\n", 0, "error converting YAML to JSON"},
		{"nokind", "apiVersion: v1\nmetadata: {name: a}\n", 0, "kind not set"},
	}
	for _, c := range cases {
		items, err := Decode("f.yaml", []byte(c.in))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || len(items) != c.n {
			t.Errorf("%s: %d items, %v", c.name, len(items), err)
		}
	}
}
