package coretest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// RoundTrip decodes doc into a new T, rejecting fields T does not know, encodes the
// result again and fails t unless the output equals want (doc itself when want is
// empty) as parsed JSON. It returns the decoded value for further checks.
func RoundTrip[T any](t testing.TB, doc, want string) *T {
	t.Helper()
	v := new(T)
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v", v, err)
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	if want == "" {
		want = doc
	}
	AssertJSONEqual(t, got, want)
	return v
}

// AssertJSONEqual fails t unless got and want are the same JSON value
// (object key order and whitespace aside).
func AssertJSONEqual(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("parse got %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("parse want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		cg, _ := json.Marshal(g)
		cw, _ := json.Marshal(w)
		t.Errorf("JSON differs\n got: %s\nwant: %s", cg, cw)
	}
}

// MarshalEqual encodes v and fails t unless it equals want as parsed JSON.
func MarshalEqual(t testing.TB, v any, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	AssertJSONEqual(t, got, want)
}

// Tag returns the struct tag of the named field of the struct type of v
// (a value or a pointer), failing t if there is no such field.
func Tag(t testing.TB, v any, field string) reflect.StructTag {
	t.Helper()
	typ := reflect.TypeOf(v)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	f, ok := typ.FieldByName(field)
	if !ok {
		t.Fatalf("%s has no field %s", typ, field)
	}
	return f.Tag
}
