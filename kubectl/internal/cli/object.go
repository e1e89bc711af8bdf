package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"seven.dev/api/scheme"
)

// object is an API object as decoded JSON.
type object = map[string]any

// nested walks obj along path and returns what is there (nil when absent).
func nested(obj object, path ...string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// nestedString returns the string at path, or "".
func nestedString(obj object, path ...string) string {
	s, _ := nested(obj, path...).(string)
	return s
}

// nestedMap returns the map at path, creating it (and its parents) when create is set.
func nestedMap(obj object, create bool, path ...string) map[string]any {
	cur := obj
	for _, p := range path {
		next, ok := cur[p].(map[string]any)
		if !ok {
			if !create {
				return nil
			}
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	return cur
}

// decodeObject decodes JSON keeping numbers exact.
func decodeObject(data []byte) (object, error) {
	var obj object
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("decoding the server's answer: %w", err)
	}
	return obj, nil
}

// kindRef is how kubectl names a kind in messages: "pod", "deployment.apps".
func kindRef(k *scheme.Kind) string {
	s := strings.ToLower(k.Kind)
	if k.Group != "" {
		s += "." + k.Group
	}
	return s
}

// resourceRef is the plural resource with its group: "pods", "deployments.apps".
func resourceRef(k *scheme.Kind) string {
	if k.Group != "" {
		return k.Resource + "." + k.Group
	}
	return k.Resource
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = deepCopy(x)
		}
		return s
	default:
		return v
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func sortStrings(s []string) { sort.Strings(s) }
