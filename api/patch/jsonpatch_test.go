package patch

import (
	"errors"
	"strings"
	"testing"
)

func TestApplyJSONPatch(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		patch   string
		want    string
		wantErr error
		errText string
	}{
		{
			name:  "add object member",
			doc:   `{"metadata":{"name":"web"}}`,
			patch: `[{"op":"add","path":"/metadata/labels","value":{"app":"web"}}]`,
			want:  `{"metadata":{"name":"web","labels":{"app":"web"}}}`,
		},
		{
			name:  "add replaces an existing member",
			doc:   `{"a":1}`,
			patch: `[{"op":"add","path":"/a","value":2}]`,
			want:  `{"a":2}`,
		},
		{
			name:  "add inserts into an array",
			doc:   `{"a":[1,3]}`,
			patch: `[{"op":"add","path":"/a/1","value":2}]`,
			want:  `{"a":[1,2,3]}`,
		},
		{
			name:  "add at the array length appends",
			doc:   `{"a":[1]}`,
			patch: `[{"op":"add","path":"/a/1","value":2}]`,
			want:  `{"a":[1,2]}`,
		},
		{
			name:  "dash appends",
			doc:   `{"spec":{"containers":[{"name":"a"}]}}`,
			patch: `[{"op":"add","path":"/spec/containers/-","value":{"name":"b"}}]`,
			want:  `{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}`,
		},
		{
			name:  "negative index counts from the end like upstream",
			doc:   `{"a":[1,2,3]}`,
			patch: `[{"op":"remove","path":"/a/-1"}]`,
			want:  `{"a":[1,2]}`,
		},
		{
			name:  "add at the root replaces the document",
			doc:   `{"a":1}`,
			patch: `[{"op":"add","path":"","value":[1]}]`,
			want:  `[1]`,
		},
		{
			name:  "remove member",
			doc:   `{"metadata":{"labels":{"a":"1","b":"2"}}}`,
			patch: `[{"op":"remove","path":"/metadata/labels/a"}]`,
			want:  `{"metadata":{"labels":{"b":"2"}}}`,
		},
		{
			name:  "remove array element",
			doc:   `{"a":[1,2,3]}`,
			patch: `[{"op":"remove","path":"/a/0"}]`,
			want:  `{"a":[2,3]}`,
		},
		{
			name:  "replace",
			doc:   `{"spec":{"replicas":1}}`,
			patch: `[{"op":"replace","path":"/spec/replicas","value":3}]`,
			want:  `{"spec":{"replicas":3}}`,
		},
		{
			name:  "replace array element",
			doc:   `{"a":["x","y"]}`,
			patch: `[{"op":"replace","path":"/a/1","value":"z"}]`,
			want:  `{"a":["x","z"]}`,
		},
		{
			name:  "move",
			doc:   `{"a":{"b":1},"c":{}}`,
			patch: `[{"op":"move","from":"/a/b","path":"/c/d"}]`,
			want:  `{"a":{},"c":{"d":1}}`,
		},
		{
			name:  "move within an array",
			doc:   `{"a":[1,2,3]}`,
			patch: `[{"op":"move","from":"/a/0","path":"/a/-"}]`,
			want:  `{"a":[2,3,1]}`,
		},
		{
			name:  "move onto itself is a no-op",
			doc:   `{"a":1}`,
			patch: `[{"op":"move","from":"/a","path":"/a"}]`,
			want:  `{"a":1}`,
		},
		{
			name:  "copy is deep",
			doc:   `{"a":{"b":[1]}}`,
			patch: `[{"op":"copy","from":"/a","path":"/c"},{"op":"add","path":"/c/b/-","value":2}]`,
			want:  `{"a":{"b":[1]},"c":{"b":[1,2]}}`,
		},
		{
			name:  "test passes then replace",
			doc:   `{"metadata":{"resourceVersion":"5"},"spec":{"replicas":1}}`,
			patch: `[{"op":"test","path":"/metadata/resourceVersion","value":"5"},{"op":"replace","path":"/spec/replicas","value":2}]`,
			want:  `{"metadata":{"resourceVersion":"5"},"spec":{"replicas":2}}`,
		},
		{
			name:  "test compares numbers by value",
			doc:   `{"a":1.0,"b":{"x":[1,"2",null,true]}}`,
			patch: `[{"op":"test","path":"/a","value":1},{"op":"test","path":"/b","value":{"x":[1,"2",null,true]}}]`,
			want:  `{"a":1.0,"b":{"x":[1,"2",null,true]}}`,
		},
		{
			name:  "test of a missing member against null passes like upstream",
			doc:   `{"a":{}}`,
			patch: `[{"op":"test","path":"/a/b","value":null}]`,
			want:  `{"a":{}}`,
		},
		{
			name:  "pointer escapes",
			doc:   `{"metadata":{"annotations":{"example.com/a~b":"1"}}}`,
			patch: `[{"op":"replace","path":"/metadata/annotations/example.com~1a~0b","value":"2"},{"op":"add","path":"/metadata/annotations/x~01","value":"3"}]`,
			want:  `{"metadata":{"annotations":{"example.com/a~b":"2","x~1":"3"}}}`,
		},
		{
			name:  "large integers keep every digit",
			doc:   `{"a":9007199254740993,"b":12345678901234567890123}`,
			patch: `[{"op":"add","path":"/c","value":9007199254740995}]`,
			want:  `{"a":9007199254740993,"b":12345678901234567890123,"c":9007199254740995}`,
		},
		{
			name:    "replace of a missing path",
			doc:     `{"spec":{}}`,
			patch:   `[{"op":"replace","path":"/spec/foo","value":1}]`,
			wantErr: ErrNotApplicable,
			errText: "replace operation does not apply: doc is missing path: /spec/foo",
		},
		{
			name:    "remove of a missing path",
			doc:     `{"spec":{}}`,
			patch:   `[{"op":"remove","path":"/spec/foo/bar"}]`,
			wantErr: ErrNotApplicable,
			errText: "remove operation does not apply: doc is missing path: /spec/foo/bar",
		},
		{
			name:    "add under a missing parent",
			doc:     `{}`,
			patch:   `[{"op":"add","path":"/spec/foo","value":1}]`,
			wantErr: ErrNotApplicable,
			errText: "add operation does not apply: doc is missing path: /spec/foo",
		},
		{
			name:    "add past the end of an array",
			doc:     `{"a":[1]}`,
			patch:   `[{"op":"add","path":"/a/5","value":1}]`,
			wantErr: ErrNotApplicable,
			errText: "add operation does not apply: index 5 is out of range in path /a/5",
		},
		{
			name:    "replace at the array length",
			doc:     `{"a":[1]}`,
			patch:   `[{"op":"replace","path":"/a/1","value":1}]`,
			wantErr: ErrNotApplicable,
			errText: "index 1 is out of range",
		},
		{
			name:    "leading zero is not an index",
			doc:     `{"a":[1,2]}`,
			patch:   `[{"op":"remove","path":"/a/01"}]`,
			wantErr: ErrNotApplicable,
			errText: `"01" is not an array index`,
		},
		{
			name:    "test fails",
			doc:     `{"a":"x"}`,
			patch:   `[{"op":"test","path":"/a","value":"y"}]`,
			wantErr: ErrNotApplicable,
			errText: `test operation failed: value at /a is "x", not "y"`,
		},
		{
			name:    "move from a missing path",
			doc:     `{}`,
			patch:   `[{"op":"move","from":"/a","path":"/b"}]`,
			wantErr: ErrNotApplicable,
			errText: "move operation does not apply: doc is missing from path: /a",
		},
		{
			name:    "move into its own child",
			doc:     `{"a":{"b":{}}}`,
			patch:   `[{"op":"move","from":"/a","path":"/a/b/c"}]`,
			wantErr: ErrBadPatch,
			errText: "is a parent of path",
		},
		{
			name:    "unknown op",
			doc:     `{}`,
			patch:   `[{"op":"frobnicate","path":"/a"}]`,
			wantErr: ErrBadPatch,
			errText: `JSON patch operation 0: unknown op "frobnicate"`,
		},
		{
			name:    "missing value",
			doc:     `{}`,
			patch:   `[{"op":"add","path":"/a"}]`,
			wantErr: ErrBadPatch,
			errText: `missing "value"`,
		},
		{
			name:    "pointer without a leading slash",
			doc:     `{}`,
			patch:   `[{"op":"add","path":"a","value":1}]`,
			wantErr: ErrBadPatch,
			errText: "must be empty or start with /",
		},
		{
			name:    "bad escape",
			doc:     `{}`,
			patch:   `[{"op":"add","path":"/a~2","value":1}]`,
			wantErr: ErrBadPatch,
			errText: "~ must be followed by 0 or 1",
		},
		{
			name:    "patch is not an array",
			doc:     `{}`,
			patch:   `{"op":"add"}`,
			wantErr: ErrBadPatch,
			errText: "must be an array of operations",
		},
		{
			name:    "patch is not JSON",
			doc:     `{}`,
			patch:   `[{"op":`,
			wantErr: ErrInvalidJSON,
		},
		{
			name:    "document is not JSON",
			doc:     `{"a":`,
			patch:   `[]`,
			wantErr: ErrInvalidJSON,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyJSONPatch([]byte(tt.doc), []byte(tt.patch))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want one wrapping %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("error %q does not say %q", err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			assertJSON(t, "patched document", got, tt.want)
		})
	}
}

func TestApplyJSONPatchFailureLeavesNoPartialResult(t *testing.T) {
	doc := []byte(`{"a":1}`)
	_, err := ApplyJSONPatch(doc, []byte(`[{"op":"replace","path":"/a","value":2},{"op":"remove","path":"/b"}]`))
	if err == nil {
		t.Fatal("expected an error")
	}
	if string(doc) != `{"a":1}` {
		t.Errorf("input modified: %s", doc)
	}
}

func TestApplyJSONPatchLimits(t *testing.T) {
	t.Run("operations", func(t *testing.T) {
		ops := `[` + strings.Repeat(`{"op":"test","path":"","value":{}},`, 3) + `{"op":"test","path":"","value":{}}]`
		_, err := ApplyJSONPatchWithOptions([]byte(`{}`), []byte(ops), JSONPatchOptions{MaxOperations: 3})
		if !errors.Is(err, ErrTooLarge) || err.Error() != "The allowed maximum operations in a JSON patch is 3, got 4" {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("copy growth", func(t *testing.T) {
		// Each copy doubles the document; the limit stops it.
		ops := `[` + strings.Repeat(`{"op":"copy","from":"/a","path":"/a/-"},`, 40) + `{"op":"test","path":"","value":null}]`
		_, err := ApplyJSONPatchWithOptions([]byte(`{"a":["xxxxxxxxxxxxxxxx"]}`), []byte(ops), JSONPatchOptions{MaxCopyBytes: 1 << 16})
		if !errors.Is(err, ErrNotApplicable) || !strings.Contains(err.Error(), "copy operation does not apply") {
			t.Fatalf("error = %v", err)
		}
	})
}
