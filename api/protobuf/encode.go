package protobuf

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"sort"
)

// Marshal encodes the struct msg (or the struct it points to) the way upstream's
// generated code does: scalar and message fields that are not pointers are
// always written, even when zero; pointers, []byte and slices only when set;
// repeated scalars unpacked; map entries sorted by key.
func Marshal(msg any) ([]byte, error) {
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("protobuf: Marshal needs a struct or a non-nil pointer to one, not %T", msg)
	}
	return appendMessage(nil, v)
}

// appendMessage appends the tagged fields of struct v (or a well-known value).
func appendMessage(b []byte, v reflect.Value) ([]byte, error) {
	if isWellKnown(v.Type()) {
		return appendWellKnown(b, v), nil
	}
	t := v.Type()
	for i := range t.NumField() {
		num, _ := tagOf(t.Field(i).Tag)
		if num == 0 {
			continue
		}
		var err error
		if b, err = appendField(b, num, v.Field(i)); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Field(i).Name, err)
		}
	}
	return b, nil
}

// appendField appends field num holding v.
func appendField(b []byte, num int, v reflect.Value) ([]byte, error) {
	t := v.Type()
	if isWellKnown(t) {
		return appendBytesField(b, num, appendWellKnown(nil, v)), nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return b, nil
		}
		return appendField(b, num, v.Elem())
	case reflect.String:
		return appendBytesField(b, num, []byte(v.String())), nil
	case reflect.Bool:
		var u uint64
		if v.Bool() {
			u = 1
		}
		return appendVarintField(b, num, u), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendVarintField(b, num, uint64(v.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return appendVarintField(b, num, v.Uint()), nil
	case reflect.Float64:
		return binary.LittleEndian.AppendUint64(appendTag(b, num, wireFixed64), math.Float64bits(v.Float())), nil
	case reflect.Float32:
		return binary.LittleEndian.AppendUint32(appendTag(b, num, wireFixed32), math.Float32bits(float32(v.Float()))), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if v.IsNil() {
				return b, nil
			}
			return appendBytesField(b, num, v.Bytes()), nil
		}
		var err error
		for i := range v.Len() {
			if b, err = appendField(b, num, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Map:
		return appendMap(b, num, v)
	case reflect.Struct:
		body, err := appendMessage(nil, v)
		if err != nil {
			return nil, err
		}
		return appendBytesField(b, num, body), nil
	}
	return nil, fmt.Errorf("cannot encode Go type %s", t)
}

// appendMap appends one entry message {key = 1, value = 2} per key, in key order.
// A nil []byte value is left out of its entry, as upstream does.
func appendMap(b []byte, num int, v reflect.Value) ([]byte, error) {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		entry, err := appendField(nil, 1, k)
		if err != nil {
			return nil, err
		}
		if entry, err = appendField(entry, 2, v.MapIndex(k)); err != nil {
			return nil, err
		}
		b = appendBytesField(b, num, entry)
	}
	return b, nil
}
