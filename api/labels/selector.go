package labels

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"seven.dev/api/names"
)

// Operator relates a label key to a requirement's values. The values are
// upstream's selection.Operator strings.
type Operator string

// The operators of label (and field) selectors.
const (
	DoesNotExist Operator = "!"
	Equals       Operator = "="
	DoubleEquals Operator = "=="
	In           Operator = "in"
	NotEquals    Operator = "!="
	NotIn        Operator = "notin"
	Exists       Operator = "exists"
	GreaterThan  Operator = "gt"
	LessThan     Operator = "lt"
)

// binaryOperators lists the operators that take values, in upstream's order
// (it appears in messages).
func binaryOperators() []Operator {
	return []Operator{In, NotIn, Equals, DoubleEquals, NotEquals, GreaterThan, LessThan}
}

// Set is a map of label keys to values, such as an object's labels.
type Set map[string]string

// String returns the set as "k1=v1,k2=v2", sorted by key.
func (s Set) String() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + s[k])
	}
	return b.String()
}

// Requirement is one condition of a selector: a key, an operator and the
// values it relates the key to. Build one with NewRequirement.
type Requirement struct {
	key      string
	operator Operator
	values   []string
}

// Requirements is a conjunction of requirements.
type Requirements []Requirement

// NewRequirement validates and returns a requirement. The key must be a
// qualified name and each value a label value; In and NotIn need at least
// one value, the equality operators, GreaterThan and LessThan exactly one
// (an integer for the last two), Exists and DoesNotExist none. The empty
// string is a valid value. The error lists every problem, worded as
// upstream words it.
func NewRequirement(key string, op Operator, values []string) (*Requirement, error) {
	var errs []error
	if msgs := names.IsQualifiedName(key); len(msgs) != 0 {
		errs = append(errs, invalid("key", key, strings.Join(msgs, "; ")))
	}
	switch op {
	case In, NotIn:
		if len(values) == 0 {
			errs = append(errs, invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"))
		}
	case Equals, DoubleEquals, NotEquals:
		if len(values) != 1 {
			errs = append(errs, invalid("values", values, "exact-match compatibility requires one single value"))
		}
	case Exists, DoesNotExist:
		if len(values) != 0 {
			errs = append(errs, invalid("values", values, "values set must be empty for exists and does not exist"))
		}
	case GreaterThan, LessThan:
		if len(values) != 1 {
			errs = append(errs, invalid("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"))
		}
		for i, v := range values {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				errs = append(errs, invalid(fmt.Sprintf("values[%d]", i), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
			}
		}
	default:
		errs = append(errs, fieldError{path: "operator", kind: "Unsupported value", value: op, detail: supportedOperators()})
	}
	for i, v := range values {
		if msgs := names.IsValidLabelValue(v); len(msgs) != 0 {
			errs = append(errs, invalid(fmt.Sprintf("values[%d][%s]", i, key), v, strings.Join(msgs, "; ")))
		}
	}
	if err := toAggregate(errs); err != nil {
		return nil, err
	}
	return &Requirement{key: key, operator: op, values: values}, nil
}

func supportedOperators() string {
	ops := append(binaryOperators(), Exists, DoesNotExist)
	quoted := make([]string, len(ops))
	for i, op := range ops {
		b, _ := json.Marshal(string(op))
		quoted[i] = string(b)
	}
	return "supported values: " + strings.Join(quoted, ", ")
}

// Key returns the label key the requirement is about.
func (r Requirement) Key() string { return r.key }

// Operator returns the requirement's operator.
func (r Requirement) Operator() Operator { return r.operator }

// Values returns the requirement's values, sorted and without duplicates.
func (r Requirement) Values() []string {
	out := slices.Clone(r.values)
	slices.Sort(out)
	return slices.Compact(out)
}

// Equal reports whether r and x have the same key, operator and values (in
// the same order).
func (r Requirement) Equal(x Requirement) bool {
	return r.key == x.key && r.operator == x.operator && slices.Equal(r.values, x.values)
}

// Matches reports whether labels satisfy the requirement. A missing key
// satisfies only NotIn, NotEquals and DoesNotExist; GreaterThan and LessThan
// compare integers and fail when either side is not one.
func (r Requirement) Matches(labels map[string]string) bool {
	v, ok := labels[r.key]
	switch r.operator {
	case In, Equals, DoubleEquals:
		return ok && slices.Contains(r.values, v)
	case NotIn, NotEquals:
		return !ok || !slices.Contains(r.values, v)
	case Exists:
		return ok
	case DoesNotExist:
		return !ok
	case GreaterThan, LessThan:
		if !ok || len(r.values) != 1 {
			return false
		}
		have, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return false
		}
		want, err := strconv.ParseInt(r.values[0], 10, 64)
		if err != nil {
			return false
		}
		if r.operator == GreaterThan {
			return have > want
		}
		return have < want
	}
	return false
}

// String returns the requirement in selector syntax, values sorted:
// "!k", "k", "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a)", "k>1", "k<1".
func (r Requirement) String() string {
	var b strings.Builder
	if r.operator == DoesNotExist {
		b.WriteByte('!')
	}
	b.WriteString(r.key)
	switch r.operator {
	case Equals:
		b.WriteString("=")
	case DoubleEquals:
		b.WriteString("==")
	case NotEquals:
		b.WriteString("!=")
	case In:
		b.WriteString(" in ")
	case NotIn:
		b.WriteString(" notin ")
	case GreaterThan:
		b.WriteString(">")
	case LessThan:
		b.WriteString("<")
	case Exists, DoesNotExist:
		return b.String()
	}
	set := r.operator == In || r.operator == NotIn
	if set {
		b.WriteByte('(')
	}
	values := r.values
	if !slices.IsSorted(values) {
		values = slices.Sorted(slices.Values(values))
	}
	b.WriteString(strings.Join(values, ","))
	if set {
		b.WriteByte(')')
	}
	return b.String()
}
