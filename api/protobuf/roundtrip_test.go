package protobuf

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"seven.dev/api/autoscaling"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/api/resource"
	"seven.dev/api/scheme"
)

// filler sets every tagged field of a value to a distinct non-zero value.
type filler struct{ n int }

func (f *filler) next() int { f.n++; return f.n }

func (f *filler) fill(v reflect.Value, depth int) {
	if depth > 12 {
		return
	}
	t := v.Type()
	switch t {
	case timeType:
		v.Set(reflect.ValueOf(meta.NewTime(time.Unix(1_700_000_000+int64(f.next()), 0).Local())))
		return
	case microTimeType:
		v.Set(reflect.ValueOf(meta.MicroTime{Time: time.Unix(1_700_000_000, int64(f.next())*1000).Local()}))
		return
	case durationType:
		v.Set(reflect.ValueOf(meta.Duration{Duration: time.Duration(f.next()) * time.Second}))
		return
	case quantityType:
		v.Set(reflect.ValueOf(resource.MustParse(fmt.Sprintf("%dm", f.next()*100))))
		return
	case intOrStrType:
		if n := f.next(); n%2 == 0 {
			v.Set(reflect.ValueOf(intstr.FromInt32(int32(n))))
		} else {
			v.Set(reflect.ValueOf(intstr.FromString(fmt.Sprintf("%d%%", n))))
		}
		return
	case rawType:
		v.SetBytes([]byte(fmt.Sprintf(`{"n":%d}`, f.next())))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		f.fill(v.Elem(), depth+1)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next()))
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{0, 0xff, byte(f.next())})
			return
		}
		for range 2 {
			e := reflect.New(t.Elem()).Elem()
			f.fill(e, depth+1)
			v.Set(reflect.Append(v, e))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(t))
		for range 2 {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			f.fill(k, depth+1)
			f.fill(e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			if num, _ := tagOf(t.Field(i).Tag); num != 0 {
				f.fill(v.Field(i), depth+1)
			}
		}
	}
}

// TestRoundTrip fills every tagged field of every served kind (and of the bodies
// of subresources and deletes), encodes and decodes it, and compares the JSON
// forms: what the server passes on must be what the client encoded.
func TestRoundTrip(t *testing.T) {
	objs := []any{&autoscaling.Scale{}, &policy.Eviction{}, &meta.DeleteOptions{}, &meta.Status{}}
	for _, k := range scheme.Default().Kinds() {
		objs = append(objs, k.New())
	}
	for _, obj := range objs {
		name := reflect.TypeOf(obj).Elem().String()
		t.Run(name, func(t *testing.T) {
			f := &filler{}
			f.fill(reflect.ValueOf(obj).Elem(), 0)
			b, err := Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			got := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
			if err := Unmarshal(b, got); err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(obj)
			gotJSON, _ := json.Marshal(got)
			if string(gotJSON) != string(want) {
				t.Errorf("round trip changed the object:\ngot  %s\nwant %s", gotJSON, want)
			}
			if f.n < 5 {
				t.Errorf("only %d fields filled: are the protobuf tags missing?", f.n)
			}
		})
	}
}

// TestMarshalLikeUpstream pins the encoder's choices that upstream's generated
// code makes: zero scalars and messages written, nil pointers and slices not,
// zero Time as an empty message, map entries in key order, nil []byte values
// without a value field.
func TestMarshalLikeUpstream(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want []byte
	}{
		{"zero ObjectMeta", meta.ObjectMeta{},
			fields(str(1, ""), str(2, ""), str(3, ""), str(4, ""), str(5, ""), str(6, ""), vint(7, 0), sub(8))},
		{"owner reference", meta.OwnerReference{Kind: "ReplicaSet", Controller: ptr(true)},
			fields(str(5, ""), str(1, "ReplicaSet"), str(3, ""), str(4, ""), vint(6, 1))},
		{"label selector map order", meta.LabelSelector{MatchLabels: map[string]string{"b": "2", "a": "1"}},
			fields(entry(1, "a", "1"), entry(1, "b", "2"))},
		{"nil bytes in a map", policyBytes{M: map[string][]byte{"k": nil}}, sub(1, str(1, "k"))},
		{"negative int32", meta.StatusDetails{RetryAfterSeconds: -1},
			fields(str(1, ""), str(2, ""), str(3, ""), str(6, ""), vint(5, -1))},
	}
	for _, tt := range tests {
		got, err := Marshal(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != string(tt.want) {
			t.Errorf("%s: Marshal = %x, want %x", tt.name, got, tt.want)
		}
	}
}

type policyBytes struct {
	M map[string][]byte `protobuf:"bytes,1,rep,name=m"`
}
