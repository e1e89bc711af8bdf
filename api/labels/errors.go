package labels

import (
	"encoding/json"
	"fmt"
	"strings"
)

// fieldError renders like upstream's field.Error ("values[0]: Invalid value:
// \"x\": detail"), because parse errors embed that text and reach users.
type fieldError struct {
	path   string // upstream prints a missing path as "<nil>"
	kind   string // "Invalid value" or "Unsupported value"
	value  any
	detail string
}

func (e fieldError) Error() string {
	var v string
	if s, ok := e.value.(string); ok {
		v = fmt.Sprintf("%q", s)
	} else if b, err := json.Marshal(e.value); err == nil {
		v = string(b)
	} else {
		v = fmt.Sprintf("%#v", e.value)
	}
	msg := e.path + ": " + e.kind + ": " + v
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

func invalid(path string, value any, detail string) error {
	return fieldError{path: path, kind: "Invalid value", value: value, detail: detail}
}

// aggregate joins errors the way upstream's aggregate error prints them: a
// single error as itself, several as "[a, b]" with duplicates dropped.
type aggregate []error

func (a aggregate) Error() string {
	if len(a) == 1 {
		return a[0].Error()
	}
	seen := make(map[string]bool, len(a))
	var msgs []string
	for _, err := range a {
		if m := err.Error(); !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 1 {
		return msgs[0]
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

// Unwrap lets errors.Is and errors.As see the individual errors.
func (a aggregate) Unwrap() []error { return a }

func toAggregate(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return aggregate(errs)
}
