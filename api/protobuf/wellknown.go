package protobuf

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// The types whose wire shape is not their Go struct's, as upstream hand-writes
// their Marshal and Unmarshal:
//
//	meta.Time, meta.MicroTime  {int64 seconds = 1; int32 nanos = 2}, empty when zero
//	meta.Duration              {int64 duration = 1} in nanoseconds
//	resource.Quantity          {string string = 1}
//	intstr.IntOrString         {int64 type = 1; int32 intVal = 2; string strVal = 3}
//	json.RawMessage            runtime.RawExtension {bytes raw = 1}
var (
	timeType      = reflect.TypeFor[meta.Time]()
	microTimeType = reflect.TypeFor[meta.MicroTime]()
	durationType  = reflect.TypeFor[meta.Duration]()
	quantityType  = reflect.TypeFor[resource.Quantity]()
	intOrStrType  = reflect.TypeFor[intstr.IntOrString]()
	rawType       = reflect.TypeFor[json.RawMessage]()
)

func isWellKnown(t reflect.Type) bool {
	switch t {
	case timeType, microTimeType, durationType, quantityType, intOrStrType, rawType:
		return true
	}
	return false
}

// decodeWellKnown decodes data into v if v's type is one of the well-known ones.
func decodeWellKnown(data []byte, v reflect.Value) (bool, error) {
	if !isWellKnown(v.Type()) {
		return false, nil
	}
	var (
		ints = map[int]uint64{}
		strs = map[int][]byte{}
	)
	r := reader{data: data}
	for r.more() {
		f, err := r.next()
		if err != nil {
			return true, err
		}
		switch f.wire {
		case wireVarint:
			ints[f.num] = f.u
		case wireBytes:
			strs[f.num] = f.b
		}
	}
	switch v.Type() {
	case timeType:
		// Upstream keeps only the seconds of a Time, as its JSON form does.
		t := meta.Time{}
		if len(data) > 0 {
			t = meta.NewTime(time.Unix(int64(ints[1]), 0).Local())
		}
		v.Set(reflect.ValueOf(t))
	case microTimeType:
		t := meta.MicroTime{}
		if len(data) > 0 {
			t.Time = time.Unix(int64(ints[1]), int64(int32(ints[2]))).Local()
		}
		v.Set(reflect.ValueOf(t))
	case durationType:
		v.Set(reflect.ValueOf(meta.Duration{Duration: time.Duration(ints[1])}))
	case quantityType:
		q := resource.Quantity{}
		if s, ok := strs[1]; ok {
			var err error
			if q, err = resource.ParseQuantity(string(s)); err != nil {
				return true, fmt.Errorf("quantity %q: %w", s, err)
			}
		}
		v.Set(reflect.ValueOf(q))
	case intOrStrType:
		is := intstr.IntOrString{Type: intstr.Type(ints[1]), IntVal: int32(ints[2]), StrVal: string(strs[3])}
		if is.Type != intstr.Int && is.Type != intstr.String {
			return true, fmt.Errorf("IntOrString type %d is neither 0 (int) nor 1 (string)", ints[1])
		}
		v.Set(reflect.ValueOf(is))
	case rawType:
		raw, ok := strs[1]
		if !ok {
			return true, nil
		}
		if len(raw) > 0 && !json.Valid(raw) {
			return true, errors.New("raw extension does not hold JSON")
		}
		v.SetBytes(append([]byte{}, raw...))
	}
	return true, nil
}

// appendWellKnown appends the message body of a well-known value.
func appendWellKnown(b []byte, v reflect.Value) []byte {
	switch x := v.Interface().(type) {
	case meta.Time:
		if !x.IsZero() {
			b = appendVarintField(b, 1, uint64(x.Unix()))
			b = appendVarintField(b, 2, uint64(x.Nanosecond()))
		}
	case meta.MicroTime:
		if !x.IsZero() {
			b = appendVarintField(b, 1, uint64(x.Unix()))
			b = appendVarintField(b, 2, uint64(x.Nanosecond()))
		}
	case meta.Duration:
		b = appendVarintField(b, 1, uint64(x.Duration))
	case resource.Quantity:
		b = appendBytesField(b, 1, []byte(x.String()))
	case intstr.IntOrString:
		b = appendVarintField(b, 1, uint64(x.Type))
		b = appendVarintField(b, 2, uint64(int64(x.IntVal)))
		b = appendBytesField(b, 3, []byte(x.StrVal))
	case json.RawMessage:
		if x != nil {
			b = appendBytesField(b, 1, x)
		}
	}
	return b
}
