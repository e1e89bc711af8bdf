package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// Decode turns a JSON body into an object of kind k. The body's kind and apiVersion, when
// present, must name k. With strict, unknown fields are an error naming each one by path,
// as upstream's fieldValidation=Strict does.
func Decode(k *scheme.Kind, body []byte, strict bool) (meta.Object, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, apierrors.NewBadRequest("the body of the request was empty")
	}
	if body[0] != '{' {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the body of the request is not a JSON object: %s", abbreviate(body)))
	}
	var tm meta.TypeMeta
	if err := json.Unmarshal(body, &tm); err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("couldn't get version/kind; json parse error: %v", err))
	}
	if tm.Kind != "" && tm.Kind != k.Kind {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: no kind %q is registered for version %q",
			tm.Kind, tm.APIVersion, k.Kind, tm.Kind, tm.APIVersion))
	}
	if tm.APIVersion != "" && tm.APIVersion != k.GroupVersion() {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: the API version in the data (%s) does not match the expected API version (%s)",
			k.Kind, tm.APIVersion, k.Kind, tm.APIVersion, k.GroupVersion()))
	}
	obj := k.New()
	if err := json.Unmarshal(body, obj); err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v",
			k.Kind, k.GroupVersion(), k.Kind, cleanJSONError(err)))
	}
	if strict {
		var raw any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err == nil {
			if unknown := UnknownFields(raw, reflect.TypeOf(obj)); len(unknown) > 0 {
				msgs := make([]string, len(unknown))
				for i, u := range unknown {
					msgs[i] = fmt.Sprintf("unknown field %q", u)
				}
				return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: strict decoding error: %s",
					k.Kind, k.GroupVersion(), k.Kind, strings.Join(msgs, ", ")))
			}
		}
	}
	setTypeMeta(k, obj)
	return obj, nil
}

func abbreviate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

// cleanJSONError drops Go's internal struct names from json errors where it can.
func cleanJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asTypeError(err, &te); ok && te.Field != "" {
		return fmt.Sprintf("json: cannot unmarshal %s into field %s of type %s", te.Value, te.Field, te.Type)
	}
	return err.Error()
}

func asTypeError(err error, out **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*out = te
	}
	return ok
}

// UnknownFields lists the paths in raw (a decoded JSON value) that type t has no field for.
func UnknownFields(raw any, t reflect.Type) []string {
	var out []string
	walkUnknown(raw, t, "", &out)
	sort.Strings(out)
	return out
}

func walkUnknown(raw any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, custom := reflect.New(t).Interface().(json.Unmarshaler); custom {
		return
	}
	switch v := raw.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			for key, val := range v {
				ft, ok := fields[key]
				if !ok {
					*out = append(*out, join(path, key))
					continue
				}
				walkUnknown(val, ft, join(path, key), out)
			}
		case reflect.Map:
			for key, val := range v {
				walkUnknown(val, t.Elem(), join(path, key), out)
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, val := range v {
				walkUnknown(val, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
			}
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonFields maps the JSON names of a struct's fields (inlining embedded structs) to types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					m[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}
