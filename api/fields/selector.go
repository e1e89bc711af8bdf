package fields

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"seven.dev/api/labels"
)

// Selector matches sets of fields.
type Selector interface {
	// Matches reports whether fields satisfy every term; a missing field
	// counts as the empty string.
	Matches(fields map[string]string) bool
	// Empty reports whether the selector places no restriction at all.
	Empty() bool
	// RequiresExactMatch reports the value the selector requires field to
	// equal, if it has such a term, so that a server can use an index
	// (spec.nodeName=node1 for a kubelet's pods).
	RequiresExactMatch(field string) (value string, found bool)
	// Requirements returns the terms in order.
	Requirements() Requirements
	// Transform returns a copy with fn applied to every term, or fn's
	// first error; servers use it to convert versioned field names.
	Transform(fn TransformFunc) (Selector, error)
	// String returns the selector in query syntax, values escaped.
	String() string
}

// TransformFunc rewrites one term of a selector.
type TransformFunc func(field, value string) (newField, newValue string, err error)

// Requirement is one term: Operator is labels.Equals or labels.NotEquals
// (a parsed "==" becomes Equals).
type Requirement struct {
	Field    string
	Operator labels.Operator
	Value    string
}

// Requirements is a conjunction of terms.
type Requirements []Requirement

// String returns the term in query syntax with the value escaped.
func (r Requirement) String() string {
	op := "="
	if r.Operator == labels.NotEquals {
		op = "!="
	}
	return r.Field + op + EscapeValue(r.Value)
}

func (r Requirement) matches(fields map[string]string) bool {
	if r.Operator == labels.NotEquals {
		return fields[r.Field] != r.Value
	}
	return fields[r.Field] == r.Value
}

// Set is a map of field paths to values.
type Set map[string]string

// String returns the set as sorted "field=value" terms joined by commas,
// with values unescaped, as upstream prints it.
func (s Set) String() string {
	terms := make([]string, 0, len(s))
	for k, v := range s {
		terms = append(terms, k+"="+v)
	}
	sort.Strings(terms)
	return strings.Join(terms, ",")
}

// termSelector is a conjunction of terms.
type termSelector []Requirement

// Everything returns a selector that matches every set of fields.
func Everything() Selector { return termSelector{} }

// Nothing returns a selector that matches no set of fields. Its String is
// empty, like Everything's, so it cannot be sent to a server.
func Nothing() Selector { return nothingSelector{} }

func (s termSelector) Matches(fields map[string]string) bool {
	for _, r := range s {
		if !r.matches(fields) {
			return false
		}
	}
	return true
}

func (s termSelector) Empty() bool { return len(s) == 0 }

func (s termSelector) RequiresExactMatch(field string) (string, bool) {
	for _, r := range s {
		if r.Field == field && r.Operator == labels.Equals {
			return r.Value, true
		}
	}
	return "", false
}

func (s termSelector) Requirements() Requirements { return Requirements(slices.Clone(s)) }

func (s termSelector) Transform(fn TransformFunc) (Selector, error) {
	out := make(termSelector, len(s))
	for i, r := range s {
		f, v, err := fn(r.Field, r.Value)
		if err != nil {
			return nil, err
		}
		out[i] = Requirement{Field: f, Operator: r.Operator, Value: v}
	}
	return out, nil
}

func (s termSelector) String() string {
	terms := make([]string, len(s))
	for i, r := range s {
		terms[i] = r.String()
	}
	return strings.Join(terms, ",")
}

type nothingSelector struct{}

func (nothingSelector) Matches(map[string]string) bool              { return false }
func (nothingSelector) Empty() bool                                 { return false }
func (nothingSelector) RequiresExactMatch(string) (string, bool)    { return "", false }
func (nothingSelector) Requirements() Requirements                  { return nil }
func (n nothingSelector) Transform(TransformFunc) (Selector, error) { return n, nil }
func (nothingSelector) String() string                              { return "" }

// SelectorFromSet returns a selector requiring each field to equal its value
// in set, in field order; a nil or empty set gives Everything.
func SelectorFromSet(set map[string]string) Selector {
	terms := make(termSelector, 0, len(set))
	for f, v := range set {
		terms = append(terms, Requirement{Field: f, Operator: labels.Equals, Value: v})
	}
	sort.Slice(terms, func(i, j int) bool { return terms[i].Field < terms[j].Field })
	return terms
}

// OneTermEqualSelector returns a selector requiring field to equal value.
func OneTermEqualSelector(field, value string) Selector {
	return termSelector{{Field: field, Operator: labels.Equals, Value: value}}
}

// OneTermNotEqualSelector returns a selector requiring field to differ from
// value.
func OneTermNotEqualSelector(field, value string) Selector {
	return termSelector{{Field: field, Operator: labels.NotEquals, Value: value}}
}

// AndSelectors returns a selector matching what all of selectors match.
func AndSelectors(selectors ...Selector) Selector {
	var terms termSelector
	for _, s := range selectors {
		if _, ok := s.(nothingSelector); ok {
			return s
		}
		terms = append(terms, s.Requirements()...)
	}
	if terms == nil {
		return Everything()
	}
	return terms
}

// Parse parses a field selector: terms separated by unescaped commas, each
// "field=value", "field==value" or "field!=value", split at the first
// operator. Terms are sorted (as strings) and empty terms ignored, so ""
// parses to Everything. The field is taken literally; in the value '\',
// ',' and '=' must be escaped with a backslash. Parse does not trim spaces
// and does not check field names; that is the server's job.
func Parse(selector string) (Selector, error) {
	parts := splitTerms(selector)
	slices.Sort(parts)
	terms := termSelector{}
	for _, part := range parts {
		if part == "" {
			continue
		}
		field, op, raw, ok := splitTerm(part)
		if !ok {
			return nil, fmt.Errorf("invalid selector: '%s'; can't understand '%s'", selector, part)
		}
		value, err := UnescapeValue(raw)
		if err != nil {
			return nil, err
		}
		operator := labels.Equals
		if op == "!=" {
			operator = labels.NotEquals
		}
		terms = append(terms, Requirement{Field: field, Operator: operator, Value: value})
	}
	return terms, nil
}

// ParseAndTransform parses selector and applies fn to every term.
func ParseAndTransform(selector string, fn TransformFunc) (Selector, error) {
	s, err := Parse(selector)
	if err != nil {
		return nil, err
	}
	return s.Transform(fn)
}

// splitTerms splits at commas that are not escaped by a backslash; the
// escapes stay in the terms.
func splitTerms(s string) []string {
	if s == "" {
		return nil
	}
	var terms []string
	start := 0
	escaped := false
	for i := 0; i < len(s); i++ {
		switch {
		case escaped:
			escaped = false
		case s[i] == '\\':
			escaped = true
		case s[i] == ',':
			terms = append(terms, s[start:i])
			start = i + 1
		}
	}
	return append(terms, s[start:])
}

// splitTerm splits a term at the first operator. At each position "!=" is
// tried before "==" before "=", so "a==b" is field a, value b, not value
// "=b". The field cannot contain escapes.
func splitTerm(term string) (field, op, value string, ok bool) {
	for i := 0; i < len(term); i++ {
		for _, op := range [...]string{"!=", "==", "="} {
			if strings.HasPrefix(term[i:], op) {
				return term[:i], op, term[i+len(op):], true
			}
		}
	}
	return "", "", "", false
}
