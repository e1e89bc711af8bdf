package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// DecodeJSON decodes exactly one JSON value into the representation every
// function of this package works on: map[string]any, []any, string,
// json.Number, bool and nil. Numbers stay json.Number so that large integers
// keep every digit. Trailing data after the value is an error.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, invalidJSON("empty input")
		}
		return nil, invalidJSON("%v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidJSON("unexpected data after the top-level value")
	}
	return v, nil
}

// decodeObject decodes a JSON object; empty input counts as {} like upstream.
func decodeObject(data []byte, what string) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	v, err := DecodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidJSON("decode %s: expected a JSON object, got %s", what, kindName(v))
	}
	return m, nil
}

func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return b, nil
}

// kindName names the JSON type of v for error messages.
func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "number"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// scalarKey returns a string that is equal for two scalars exactly when they
// are equal JSON values; 1 and 1.0 count as equal. Objects and arrays get their
// JSON encoding, which is only used for odd merge keys.
func scalarKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return "s" + x
	case json.Number:
		return "n" + numberKey(string(x))
	case float64:
		return "n" + floatKey(x)
	case float32:
		return "n" + floatKey(float64(x))
	case int:
		return "n" + strconv.FormatInt(int64(x), 10)
	case int32:
		return "n" + strconv.FormatInt(int64(x), 10)
	case int64:
		return "n" + strconv.FormatInt(x, 10)
	case uint64:
		return "n" + strconv.FormatUint(x, 10)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprintf("?%v", v)
		}
		return "j" + string(b)
	}
}

func numberKey(s string) string {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	if !strings.ContainsAny(s, ".eE") {
		// An integer beyond int64: JSON integers have one spelling, keep it
		// rather than round it through float64.
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return floatKey(f)
}

func floatKey(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// equalJSON reports whether a and b are the same JSON value.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalJSON(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		switch b.(type) {
		case map[string]any, []any:
			return false
		}
		return scalarKey(a) == scalarKey(b)
	}
}

// sameKind reports whether a and b are both objects, both arrays, or both
// scalars of the same JSON type.
func sameKind(a, b any) bool { return kindName(a) == kindName(b) }

// deepCopy copies maps and slices so the result shares nothing mutable with v.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}

// approxSize estimates the encoded size of v in bytes, cheaply and without
// allocating, to bound how much a JSON Patch copy may grow a document.
func approxSize(v any) int64 {
	switch x := v.(type) {
	case map[string]any:
		n := int64(2)
		for k, e := range x {
			n += int64(len(k)) + 4 + approxSize(e)
		}
		return n
	case []any:
		n := int64(2)
		for _, e := range x {
			n += 1 + approxSize(e)
		}
		return n
	case string:
		return int64(len(x)) + 2
	case json.Number:
		return int64(len(x))
	default:
		return 5
	}
}

// sortedKeys returns the keys of m in order, so that errors and results do
// not depend on map iteration order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// copyMap returns a shallow copy of m (an empty map for nil).
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// compact renders v as JSON for an error message, shortened when long.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	const max = 120
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
