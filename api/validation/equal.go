package validation

import (
	"reflect"

	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// semanticEqual is upstream's notion of "unchanged" for immutability
// checks: deep equality in which nil and empty slices and maps are equal,
// quantities compare by value ("1" equals "1000m") and timestamps by
// instant.
func semanticEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	return equalValues(va, vb)
}

func equalValues(a, b reflect.Value) bool {
	switch a.Type() {
	case reflect.TypeFor[resource.Quantity]():
		return a.Interface().(resource.Quantity).Cmp(b.Interface().(resource.Quantity)) == 0
	case reflect.TypeFor[meta.Time]():
		return a.Interface().(meta.Time).Equal(b.Interface().(meta.Time).Time)
	case reflect.TypeFor[meta.MicroTime]():
		return a.Interface().(meta.MicroTime).Equal(b.Interface().(meta.MicroTime).Time)
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			vb := b.MapIndex(k)
			if !vb.IsValid() || !equalValues(a.MapIndex(k), vb) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return a.Pointer() == b.Pointer()
	}
	// Scalars; comparing through Interface would panic on unexported
	// fields, so compare the underlying kinds directly.
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.Complex64, reflect.Complex128:
		return a.Complex() == b.Complex()
	case reflect.String:
		return a.String() == b.String()
	}
	return false
}
