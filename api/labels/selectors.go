package labels

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"seven.dev/api/meta"
	"seven.dev/api/names"
)

// Selector matches sets of labels.
type Selector interface {
	// Matches reports whether labels satisfy every requirement.
	Matches(labels map[string]string) bool
	// Empty reports whether the selector places no restriction at all.
	Empty() bool
	// String returns the selector in canonical syntax: requirements sorted
	// by key, joined by commas. Parse(s.String()) is equivalent to s.
	String() string
	// Requirements returns the requirements, and false for a selector that
	// matches nothing (and so has no requirements to express that).
	Requirements() (Requirements, bool)
	// Add returns a new selector with more requirements.
	Add(r ...Requirement) Selector
	// RequiresExactMatch reports the single value the selector requires for
	// label, if it requires one (label=v, label==v or label in (v)); servers
	// use it to pick an index.
	RequiresExactMatch(label string) (value string, found bool)
}

// requirementSelector is a conjunction of requirements sorted by key.
type requirementSelector []Requirement

// Everything returns a selector that matches every set of labels.
func Everything() Selector { return requirementSelector{} }

// Nothing returns a selector that matches no set of labels. Its String is
// empty, like Everything's, so it cannot be sent to a server.
func Nothing() Selector { return nothingSelector{} }

func (s requirementSelector) Matches(labels map[string]string) bool {
	for _, r := range s {
		if !r.Matches(labels) {
			return false
		}
	}
	return true
}

func (s requirementSelector) Empty() bool { return len(s) == 0 }

func (s requirementSelector) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

func (s requirementSelector) Requirements() (Requirements, bool) {
	return Requirements(slices.Clone(s)), true
}

func (s requirementSelector) Add(reqs ...Requirement) Selector {
	out := make(requirementSelector, 0, len(s)+len(reqs))
	out = append(out, s...)
	out = append(out, reqs...)
	sortByKey(out)
	return out
}

func (s requirementSelector) RequiresExactMatch(label string) (string, bool) {
	for _, r := range s {
		if r.key != label {
			continue
		}
		switch r.operator {
		case Equals, DoubleEquals, In:
			if len(r.values) == 1 {
				return r.values[0], true
			}
		}
		return "", false
	}
	return "", false
}

// sortByKey orders requirements by key, keeping the input order of equal
// keys (upstream's sort happens to do so for the small selectors seen in
// practice).
func sortByKey(reqs []Requirement) {
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].key < reqs[j].key })
}

type nothingSelector struct{}

func (nothingSelector) Matches(map[string]string) bool           { return false }
func (nothingSelector) Empty() bool                              { return false }
func (nothingSelector) String() string                           { return "" }
func (nothingSelector) Requirements() (Requirements, bool)       { return nil, false }
func (n nothingSelector) Add(...Requirement) Selector            { return n }
func (nothingSelector) RequiresExactMatch(string) (string, bool) { return "", false }

// SelectorFromSet returns a selector requiring each key to equal its value
// in set; an empty or nil set gives Everything. Keys and values are not
// validated (a server will reject invalid ones); see ValidatedSelectorFromSet.
func SelectorFromSet(set map[string]string) Selector {
	if len(set) == 0 {
		return Everything()
	}
	reqs := make(requirementSelector, 0, len(set))
	for k, v := range set {
		reqs = append(reqs, Requirement{key: k, operator: Equals, values: []string{v}})
	}
	sortByKey(reqs)
	return reqs
}

// ValidatedSelectorFromSet is SelectorFromSet with validation of every key
// and value, for catching mistakes before a request is sent.
func ValidatedSelectorFromSet(set map[string]string) (Selector, error) {
	if len(set) == 0 {
		return Everything(), nil
	}
	reqs := make(requirementSelector, 0, len(set))
	for _, k := range sortedKeys(set) {
		r, err := NewRequirement(k, Equals, []string{set[k]})
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, *r)
	}
	return reqs, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SelectorFromLabelSelector converts the structured selector of workload
// specs, as upstream's metav1.LabelSelectorAsSelector does: nil selects
// nothing, an empty selector selects everything, matchLabels become
// equality requirements and matchExpressions set-based ones.
func SelectorFromLabelSelector(ls *meta.LabelSelector) (Selector, error) {
	if ls == nil {
		return Nothing(), nil
	}
	if len(ls.MatchLabels)+len(ls.MatchExpressions) == 0 {
		return Everything(), nil
	}
	reqs := make(requirementSelector, 0, len(ls.MatchLabels)+len(ls.MatchExpressions))
	// Upstream walks matchLabels in map order; sorting makes the reported
	// error deterministic without changing which selectors are valid.
	for _, k := range sortedKeys(ls.MatchLabels) {
		r, err := NewRequirement(k, Equals, []string{ls.MatchLabels[k]})
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, *r)
	}
	for _, expr := range ls.MatchExpressions {
		var op Operator
		switch expr.Operator {
		case meta.LabelSelectorOpIn:
			op = In
		case meta.LabelSelectorOpNotIn:
			op = NotIn
		case meta.LabelSelectorOpExists:
			op = Exists
		case meta.LabelSelectorOpDoesNotExist:
			op = DoesNotExist
		default:
			return nil, fmt.Errorf("%q is not a valid label selector operator", expr.Operator)
		}
		// A fresh slice, nil when empty: upstream reports "null" for no values.
		r, err := NewRequirement(expr.Key, op, append([]string(nil), expr.Values...))
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, *r)
	}
	sortByKey(reqs)
	return reqs, nil
}

// ValidateLabelKey returns upstream's messages for a label key that is not a
// qualified name, or nil.
func ValidateLabelKey(k string) []string { return names.IsQualifiedName(k) }

// ValidateLabelValue returns upstream's messages for an invalid label value,
// or nil.
func ValidateLabelValue(v string) []string { return names.IsValidLabelValue(v) }
