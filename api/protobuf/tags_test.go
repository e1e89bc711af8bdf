package protobuf

import (
	"reflect"
	"strings"
	"testing"

	"seven.dev/api/autoscaling"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/api/scheme"
)

// TestTagsMatchGoTypes walks every type reachable from the served kinds and
// checks that each protobuf tag is well formed, that its wire type fits the
// field's Go type, that its label says rep exactly for slices and maps, and
// that no two fields of a struct share a number.
func TestTagsMatchGoTypes(t *testing.T) {
	roots := []any{&autoscaling.Scale{}, &policy.Eviction{}, &meta.DeleteOptions{}, &meta.Status{}}
	for _, k := range scheme.Default().Kinds() {
		roots = append(roots, k.New())
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			if typ.Kind() == reflect.Map {
				walk(typ.Key())
			}
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || isWellKnown(typ) {
			return
		}
		seen[typ] = true
		nums := map[int]string{}
		for i := range typ.NumField() {
			sf := typ.Field(i)
			tag := sf.Tag.Get("protobuf")
			if tag == "" {
				continue
			}
			parts := strings.Split(tag, ",")
			num, _ := tagOf(sf.Tag)
			if len(parts) < 4 || num <= 0 || !strings.HasPrefix(parts[3], "name=") {
				t.Errorf("%s.%s: malformed tag %q", typ, sf.Name, tag)
				continue
			}
			if other, dup := nums[num]; dup {
				t.Errorf("%s: fields %s and %s share number %d", typ, other, sf.Name, num)
			}
			nums[num] = sf.Name
			ft := sf.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			repeated := (ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8) || ft.Kind() == reflect.Map
			if repeated != (parts[2] == "rep") {
				t.Errorf("%s.%s (%s): label %q", typ, sf.Name, sf.Type, parts[2])
			}
			if ft.Kind() == reflect.Slice && !isWellKnown(ft) && ft.Elem().Kind() != reflect.Uint8 {
				ft = ft.Elem()
			}
			if w := map[int]string{wireVarint: "varint", wireBytes: "bytes", wireFixed64: "fixed64", wireFixed32: "fixed32"}[wireOf(ft)]; w != parts[0] {
				t.Errorf("%s.%s (%s): wire type %q, the Go type needs %q", typ, sf.Name, sf.Type, parts[0], w)
			}
			walk(sf.Type)
		}
	}
	for _, r := range roots {
		walk(reflect.TypeOf(r))
	}
	if len(seen) < 100 {
		t.Errorf("walked only %d types", len(seen))
	}
}
