package protobuf

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Unmarshal decodes the protobuf message data into the struct into points to,
// merging into what is there as protobuf does. Fields the struct does not tag,
// and groups, are skipped; a field whose wire type does not fit its Go type is
// an error, as it is for upstream's generated code.
func Unmarshal(data []byte, into any) error {
	v := reflect.ValueOf(into)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("protobuf: Unmarshal needs a non-nil pointer to a struct, not %T", into)
	}
	if err := decodeMessage(data, v.Elem(), 0); err != nil {
		return fmt.Errorf("protobuf: decode %s: %w", v.Elem().Type().Name(), err)
	}
	return nil
}

// fieldError is a failure inside a field; path names the fields from the
// outermost message down ("spec.template.spec.containers.ports").
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func inField(name string, err error) error {
	if fe, ok := err.(*fieldError); ok {
		return &fieldError{path: name + "." + fe.path, err: fe.err}
	}
	return &fieldError{path: name, err: err}
}

// tagOf returns the field number and name of a protobuf struct tag; the number
// is 0 when the field has no (well-formed) tag.
func tagOf(tag reflect.StructTag) (int, string) {
	parts := strings.Split(tag.Get("protobuf"), ",")
	if len(parts) < 2 {
		return 0, ""
	}
	num, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, ""
	}
	name := parts[1]
	for _, p := range parts[2:] {
		if n, ok := strings.CutPrefix(p, "name="); ok {
			name = n
		}
	}
	return num, name
}

// decodeMessage decodes the fields of one message into the struct (or
// well-known type) v.
func decodeMessage(data []byte, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("messages nested deeper than %d", maxDepth)
	}
	if ok, err := decodeWellKnown(data, v); ok {
		return err
	}
	t := v.Type()
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("cannot decode a message into Go type %s", t)
	}
	nums := make([]int, t.NumField())
	for i := range nums {
		nums[i], _ = tagOf(t.Field(i).Tag)
	}
	r := reader{data: data}
	for r.more() {
		f, err := r.next()
		if err != nil {
			return err
		}
		if f.wire == wireStartGroup {
			continue
		}
		for i, n := range nums {
			if n != f.num {
				continue
			}
			if err := decodeValue(v.Field(i), f, depth+1); err != nil {
				_, name := tagOf(t.Field(i).Tag)
				return inField(name, err)
			}
			break
		}
	}
	return nil
}

func wrongWire(f field, want int) error {
	return fmt.Errorf("wrong wire type %d for field %d, want %d", f.wire, f.num, want)
}

// decodeValue stores one field read off the wire into v, by v's Go type.
func decodeValue(v reflect.Value, f field, depth int) error {
	t := v.Type()
	if isWellKnown(t) {
		if f.wire != wireBytes {
			return wrongWire(f, wireBytes)
		}
		return decodeMessage(f.b, v, depth)
	}
	want := wireOf(t)
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return decodeValue(v.Elem(), f, depth)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if f.wire != wireBytes {
				return wrongWire(f, wireBytes)
			}
			v.SetBytes(append([]byte{}, f.b...))
			return nil
		}
		ew := wireOf(t.Elem())
		if f.wire == wireBytes && ew != wireBytes {
			return decodePacked(v, f, ew)
		}
		elem := reflect.New(t.Elem()).Elem()
		if err := decodeValue(elem, f, depth); err != nil {
			return err
		}
		v.Set(reflect.Append(v, elem))
		return nil
	}
	if f.wire != want {
		return wrongWire(f, want)
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(string(f.b))
	case reflect.Bool:
		v.SetBool(f.u != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.u))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(f.u)
	case reflect.Float32:
		v.SetFloat(float64(math.Float32frombits(uint32(f.u))))
	case reflect.Float64:
		v.SetFloat(math.Float64frombits(f.u))
	case reflect.Map:
		return decodeMapEntry(v, f.b, depth)
	case reflect.Struct:
		return decodeMessage(f.b, v, depth)
	default:
		return fmt.Errorf("cannot decode into Go type %s", t)
	}
	return nil
}

// decodePacked appends the elements of a packed repeated scalar field.
func decodePacked(v reflect.Value, f field, w int) error {
	r := reader{data: f.b}
	for r.more() {
		e := field{num: f.num, wire: w}
		var err error
		switch w {
		case wireVarint:
			e.u, err = r.varint()
		case wireFixed64:
			e.u, err = r.fixed(8)
		case wireFixed32:
			e.u, err = r.fixed(4)
		default:
			return fmt.Errorf("cannot decode a packed field into Go type %s", v.Type())
		}
		if err != nil {
			return err
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := decodeValue(elem, e, 0); err != nil {
			return err
		}
		v.Set(reflect.Append(v, elem))
	}
	return nil
}

// decodeMapEntry adds one map entry message {key = 1, value = 2} to map v.
func decodeMapEntry(v reflect.Value, data []byte, depth int) error {
	t := v.Type()
	key, val := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	r := reader{data: data}
	for r.more() {
		f, err := r.next()
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = decodeValue(key, f, depth+1)
		case 2:
			err = decodeValue(val, f, depth+1)
		}
		if err != nil {
			return err
		}
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	v.SetMapIndex(key, val)
	return nil
}

// wireOf is the wire type that carries a value of Go type t.
func wireOf(t reflect.Type) int {
	if isWellKnown(t) {
		return wireBytes
	}
	switch t.Kind() {
	case reflect.Pointer:
		return wireOf(t.Elem())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return wireVarint
	case reflect.Float64:
		return wireFixed64
	case reflect.Float32:
		return wireFixed32
	}
	return wireBytes
}
