package protobuf

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"seven.dev/api/autoscaling"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/api/scheme"
)

// FuzzProtobuf feeds arbitrary bodies to DecodeEnvelope and Unmarshal: they must
// never panic, and whatever they accept must encode to JSON (the server's next
// step) and survive an encode and decode unchanged.
func FuzzProtobuf(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.pb")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s := scheme.Default()
	for _, k := range s.Kinds() {
		obj := k.New()
		(&filler{}).fill(reflect.ValueOf(obj).Elem(), 0)
		raw, err := Marshal(obj)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(EncodeEnvelope(k.GroupVersion(), k.Kind, raw))
	}
	extra := []func() any{
		func() any { return &autoscaling.Scale{} },
		func() any { return &policy.Eviction{} },
		func() any { return &meta.DeleteOptions{} },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{}
		if apiVersion, kind, raw, err := DecodeEnvelope(body); err == nil {
			if k, ok := s.ByKind(apiVersion, kind); ok {
				targets = append(targets, k.New())
			}
			body = raw
		}
		for _, k := range s.Kinds() {
			targets = append(targets, k.New())
		}
		for _, newObj := range extra {
			targets = append(targets, newObj())
		}
		for _, obj := range targets {
			if Unmarshal(body, obj) != nil {
				continue
			}
			first, err := json.Marshal(obj)
			if err != nil {
				t.Fatalf("decoded %T does not encode to JSON: %v", obj, err)
			}
			b, err := Marshal(obj)
			if err != nil {
				t.Fatalf("decoded %T does not encode to protobuf: %v", obj, err)
			}
			again := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
			if err := Unmarshal(b, again); err != nil {
				t.Fatalf("re-encoded %T does not decode: %v", obj, err)
			}
			second, err := json.Marshal(again)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("%T changed in an encode and decode:\n%s\n%s", obj, first, second)
			}
		}
	})
}
