package patch

import (
	"errors"
	"testing"
)

func TestApplyMergePatch(t *testing.T) {
	// The first cases are RFC 7386's appendix A.
	tests := []struct{ name, doc, patch, want string }{
		{"change", `{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{"add", `{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{"null deletes", `{"a":"b"}`, `{"a":null}`, `{}`},
		{"null deletes one", `{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{"array to string", `{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{"string to array", `{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{"nested", `{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{"arrays replace", `{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{"array doc", `["a","b"]`, `["c","d"]`, `["c","d"]`},
		{"array patch", `{"a":"b"}`, `["c"]`, `["c"]`},
		{"null patch", `{"a":"foo"}`, `null`, `null`},
		{"string patch", `{"a":"foo"}`, `"bar"`, `"bar"`},
		{"null in doc stays", `{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{"nulls dropped from new objects", `[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{"deep new object", `{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		// What kubectl label and annotate send.
		{
			"labels",
			`{"metadata":{"name":"web","labels":{"app":"web","tier":"fe"}},"spec":{"x":[1,2]}}`,
			`{"metadata":{"labels":{"tier":null,"env":"prod"}}}`,
			`{"metadata":{"name":"web","labels":{"app":"web","env":"prod"}},"spec":{"x":[1,2]}}`,
		},
		{"big ints", `{"a":1}`, `{"b":123456789012345678901234567890}`, `{"a":1,"b":123456789012345678901234567890}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyMergePatch([]byte(tt.doc), []byte(tt.patch))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			assertJSON(t, "merged", got, tt.want)
		})
	}
}

func TestApplyMergePatchErrors(t *testing.T) {
	if _, err := ApplyMergePatch([]byte(`{`), []byte(`{}`)); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("bad document: error = %v", err)
	}
	_, err := ApplyMergePatch([]byte(`{}`), []byte(`{"a":}`))
	if !errors.Is(err, ErrInvalidJSON) || !errors.Is(err, ErrBadPatch) {
		t.Errorf("bad patch: error = %v", err)
	}
}

func TestCreateMergePatch(t *testing.T) {
	tests := []struct{ name, original, modified, want string }{
		{"identical", `{"a":1,"b":{"c":[1]}}`, `{"a":1,"b":{"c":[1]}}`, `{}`},
		{
			"label added, changed and removed",
			`{"metadata":{"labels":{"a":"1","b":"2","c":"3"}}}`,
			`{"metadata":{"labels":{"a":"1","b":"20","d":"4"}}}`,
			`{"metadata":{"labels":{"b":"20","c":null,"d":"4"}}}`,
		},
		{"array sent whole", `{"a":[1,2]}`, `{"a":[1,3]}`, `{"a":[1,3]}`},
		{"type change", `{"a":{"b":1}}`, `{"a":"x"}`, `{"a":"x"}`},
		{"numbers compare by value", `{"a":1.0}`, `{"a":1}`, `{}`},
		{"not objects", `[1]`, `[2]`, `[2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CreateMergePatch([]byte(tt.original), []byte(tt.modified))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			assertJSON(t, "patch", got, tt.want)
			if tt.name == "numbers compare by value" {
				return
			}
			applied, err := ApplyMergePatch([]byte(tt.original), got)
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			assertJSON(t, "original+patch", applied, tt.modified)
		})
	}
}
