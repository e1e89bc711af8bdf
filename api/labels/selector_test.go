package labels

import (
	"slices"
	"testing"

	"seven.dev/api/meta"
)

const nameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

const valueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical String()
	}{
		{"", ""},
		{"x=a,y=b,z=c", "x=a,y=b,z=c"},
		{"z=c,x=a", "x=a,z=c"},
		{"x!=a,y=b", "x!=a,y=b"},
		{"x==a", "x==a"},
		{"x=", "x="},
		{"x= ", "x="},
		{"x=,z= ", "x=,z="},
		{"!x", "!x"},
		{"x", "x"},
		{"\rx", "x"},
		{"x>1", "x>1"},
		{"x>1,z<5", "x>1,z<5"},
		{"name in (redis-master, redis-slave)", "name in (redis-master,redis-slave)"},
		{"env notin (x)", "env notin (x)"},
		{"x in (b,a,b)", "x in (a,b)"},
		{"x in ()", "x in ()"},
		{"x in (abc,)", "x in (,abc)"},
		{"x in (,abc)", "x in (,abc)"},
		{"x in (a,,b)", "x in (,a,b)"},
		{"x notin (abc,def),bar,z in (),w", "bar,w,x notin (abc,def),z in ()"},
		{"foo  in\t (abc)", "foo in (abc)"},
		{"x notin\n (abc)", "x notin (abc)"},
		{"this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"},
		{"0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"},
		{"notin=in", "notin=in"},
		{"in in (in,notin)", "in in (in,notin)"},
		{"a=1,a!=2", "a=1,a!=2"},
		{"a!=2,a=1", "a!=2,a=1"},
		// A NUL byte ends the input, as it does upstream.
		{"a \x00b", "a"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"x=a||y=b", `unable to parse requirement: values[0][x]: Invalid value: "a||y": ` + valueMsg},
		{"x==a==b", "found '==', expected: ',' or 'end of string'"},
		{"!x=a", "found '=', expected: ',' or 'end of string'"},
		{"x<a", `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`},
		{"x>-1", `unable to parse requirement: values[0][x]: Invalid value: "-1": ` + valueMsg},
		{"-x", `unable to parse requirement: <nil>: Invalid value: "-x": ` + nameMsg},
		{"x=a b", "found 'b', expected: ',' or 'end of string'"},
		{"x=(a)", "unable to parse requirement: found '(', expected: identifier"},
		{"x in a", "unable to parse requirement: found 'a' expected: '('"},
		{"x in (a", "unable to parse requirement: found '', expected: ',' or ')'"},
		{"x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
		{"x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
		{"x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"},
		{"x!", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"},
		{"x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
		{"x,", "found '', expected: identifier after ','"},
		{",x", "found ',', expected: !, identifier, or 'end of string'"},
		{"!", "unable to parse requirement: found '', expected: identifier"},
		{"x=a=b", "found '=', expected: ',' or 'end of string'"},
		{"x=a,b=c d", "found 'd', expected: ',' or 'end of string'"},
		{"a/b/c", `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error %q", tt.in, s.String(), tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error =\n%s\nwant\n%s", tt.in, err, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		selector string
		labels   map[string]string
		want     bool
	}{
		{"", map[string]string{"x": "y"}, true},
		{"x=y", map[string]string{"x": "y"}, true},
		{"x=y,z=w", map[string]string{"x": "y", "z": "w"}, true},
		{"x!=y,z!=w", map[string]string{"x": "z", "z": "a"}, true},
		{"notin=in", map[string]string{"notin": "in"}, true},
		{"x", map[string]string{"x": "z"}, true},
		{"!x", map[string]string{"y": "z"}, true},
		{"x>1", map[string]string{"x": "2"}, true},
		{"x<1", map[string]string{"x": "0"}, true},
		{"x=z", map[string]string{}, false},
		{"x=y", map[string]string{"x": "z"}, false},
		{"x=y,z=w", map[string]string{"x": "w", "z": "w"}, false},
		{"x!=y,z!=w", map[string]string{"x": "z", "z": "w"}, false},
		{"x!=y", map[string]string{}, true},
		{"x", map[string]string{"y": "z"}, false},
		{"!x", map[string]string{"x": "z"}, false},
		{"x>1", map[string]string{"x": "0"}, false},
		{"x>1", map[string]string{"x": "v2"}, false},
		{"x>1", map[string]string{}, false},
		{"x<1", map[string]string{"x": "2"}, false},
		{"x in (a,b)", map[string]string{"x": "b"}, true},
		{"x in (a,b)", map[string]string{}, false},
		{"x notin (a,b)", map[string]string{}, true},
		{"x notin (a,b)", map[string]string{"x": "a"}, false},
		{"x in ()", map[string]string{"x": ""}, true},
		{"x=", map[string]string{"x": ""}, true},
		{"x=", map[string]string{}, false},
		{"name in (redis-master, redis-slave)", map[string]string{"name": "redis-slave"}, true},
	}
	for _, tt := range tests {
		s, err := Parse(tt.selector)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.selector, err)
		}
		if got := s.Matches(tt.labels); got != tt.want {
			t.Errorf("%q.Matches(%v) = %t, want %t", tt.selector, tt.labels, got, tt.want)
		}
	}
}

func TestNewRequirement(t *testing.T) {
	tests := []struct {
		key    string
		op     Operator
		values []string
		want   string // error, or "" for success
	}{
		{"x", In, nil, "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"},
		{"x", NotIn, []string{}, "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"},
		{"x", In, []string{"foo"}, ""},
		{"x", Exists, nil, ""},
		{"x", Exists, []string{"a"}, `values: Invalid value: ["a"]: values set must be empty for exists and does not exist`},
		{"x", Equals, []string{"a", "b"}, `values: Invalid value: ["a","b"]: exact-match compatibility requires one single value`},
		{"1foo", In, []string{"bar"}, ""},
		{"y", GreaterThan, []string{"1"}, ""},
		{"foo", GreaterThan, []string{"bar"}, `values[0]: Invalid value: "bar": for 'Gt', 'Lt' operators, the value must be an integer`},
		{"x", GreaterThan, nil, "values: Invalid value: null: for 'Gt', 'Lt' operators, exactly one value is required"},
		{"x", "bogus", nil, `operator: Unsupported value: "bogus": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`},
		{"-x", Exists, nil, `key: Invalid value: "-x": ` + nameMsg},
		{"-x", In, []string{"a b", "-"}, `[key: Invalid value: "-x": ` + nameMsg + `, values[0][-x]: Invalid value: "a b": ` + valueMsg + `, values[1][-x]: Invalid value: "-": ` + valueMsg + `]`},
	}
	for _, tt := range tests {
		_, err := NewRequirement(tt.key, tt.op, tt.values)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("NewRequirement(%q, %q, %q) error =\n%s\nwant\n%s", tt.key, tt.op, tt.values, got, tt.want)
		}
	}
}

func TestSelectorFromSet(t *testing.T) {
	if s := SelectorFromSet(nil); !s.Empty() || !s.Matches(map[string]string{"a": "b"}) {
		t.Error("SelectorFromSet(nil) is not Everything")
	}
	s := SelectorFromSet(map[string]string{"foo": "bar", "baz": "blah"})
	if got := s.String(); got != "baz=blah,foo=bar" {
		t.Errorf("String() = %q", got)
	}
	if !s.Matches(map[string]string{"foo": "bar", "baz": "blah", "x": "y"}) || s.Matches(map[string]string{"foo": "bar"}) {
		t.Error("SelectorFromSet matched wrongly")
	}
	if _, err := ValidatedSelectorFromSet(map[string]string{"a": "b c"}); err == nil {
		t.Error("ValidatedSelectorFromSet accepted an invalid value")
	}
	if got := (Set{"b": "2", "a": "1"}).String(); got != "a=1,b=2" {
		t.Errorf("Set.String() = %q", got)
	}
}

func TestSelectorFromLabelSelector(t *testing.T) {
	tests := []struct {
		name    string
		in      *meta.LabelSelector
		want    string
		empty   bool
		matches map[string]string
		match   bool
		err     string
	}{
		{name: "nil selects nothing", in: nil, want: "", matches: map[string]string{}, match: false},
		{name: "empty selects everything", in: &meta.LabelSelector{}, want: "", empty: true, matches: map[string]string{"a": "b"}, match: true},
		{
			name: "labels and expressions",
			in: &meta.LabelSelector{
				MatchLabels: map[string]string{"foo": "bar"},
				MatchExpressions: []meta.LabelSelectorRequirement{
					{Key: "baz", Operator: meta.LabelSelectorOpIn, Values: []string{"qux", "norf"}},
					{Key: "gone", Operator: meta.LabelSelectorOpDoesNotExist},
					{Key: "there", Operator: meta.LabelSelectorOpExists},
					{Key: "zed", Operator: meta.LabelSelectorOpNotIn, Values: []string{"a"}},
				},
			},
			want:    "baz in (norf,qux),foo=bar,!gone,there,zed notin (a)",
			matches: map[string]string{"foo": "bar", "baz": "qux", "there": ""},
			match:   true,
		},
		{
			name: "bad operator",
			in:   &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "a", Operator: "Gt"}}},
			err:  `"Gt" is not a valid label selector operator`,
		},
		{
			name: "in without values",
			in:   &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "a", Operator: "In", Values: []string{}}}},
			err:  "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
		},
	}
	for _, tt := range tests {
		s, err := SelectorFromLabelSelector(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error = %v, want %s", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.name, got, tt.want)
		}
		if s.Empty() != tt.empty {
			t.Errorf("%s: Empty() = %t", tt.name, s.Empty())
		}
		if got := s.Matches(tt.matches); got != tt.match {
			t.Errorf("%s: Matches(%v) = %t", tt.name, tt.matches, got)
		}
	}
	if _, ok := Nothing().Requirements(); ok {
		t.Error("Nothing().Requirements() reported selectable")
	}
}

func TestRequiresExactMatch(t *testing.T) {
	tests := []struct {
		selector, label string
		value           string
		found           bool
	}{
		{"spec=node1", "spec", "node1", true},
		{"a=1,spec==node1", "spec", "node1", true},
		{"spec in (node1)", "spec", "node1", true},
		{"spec in (node1,node2)", "spec", "", false},
		{"spec!=node1", "spec", "", false},
		{"spec", "spec", "", false},
		{"other=x", "spec", "", false},
		{"", "spec", "", false},
	}
	for _, tt := range tests {
		s, err := Parse(tt.selector)
		if err != nil {
			t.Fatal(err)
		}
		v, found := s.RequiresExactMatch(tt.label)
		if v != tt.value || found != tt.found {
			t.Errorf("%q.RequiresExactMatch(%q) = %q, %t", tt.selector, tt.label, v, found)
		}
	}
}

func TestRequirementsAndAdd(t *testing.T) {
	s, err := Parse("b in (y,x),a")
	if err != nil {
		t.Fatal(err)
	}
	reqs, ok := s.Requirements()
	if !ok || len(reqs) != 2 || reqs[0].Key() != "a" || reqs[0].Operator() != Exists ||
		reqs[1].Operator() != In || !slices.Equal(reqs[1].Values(), []string{"x", "y"}) {
		t.Fatalf("Requirements() = %v, %t", reqs, ok)
	}
	r, err := NewRequirement("0", DoesNotExist, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Add(*r).String(); got != "!0,a,b in (x,y)" {
		t.Errorf("Add = %q", got)
	}
	if got := s.String(); got != "a,b in (x,y)" {
		t.Errorf("Add modified the receiver: %q", got)
	}
}

func TestValidateLabel(t *testing.T) {
	if got := ValidateLabelKey("-a"); !slices.Equal(got, []string{nameMsg}) {
		t.Errorf("ValidateLabelKey = %q", got)
	}
	if got := ValidateLabelValue("a b"); !slices.Equal(got, []string{valueMsg}) {
		t.Errorf("ValidateLabelValue = %q", got)
	}
	if ValidateLabelKey("example.com/a") != nil || ValidateLabelValue("") != nil {
		t.Error("valid key or value rejected")
	}
}

// FuzzParse checks that whatever Parse accepts renders to a string that
// parses back to the same selector, and that rendering is stable.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "x=a,y=b", "name in (redis-master, redis-slave)", "!x", "x>1,z<5", "x in (,a)",
		"x notin ()", "in in (in)", "a==b", "a!=", "x=a||y=b", "example.com/a=b", "a \x00b", "x in (a,,b)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		out := s.String()
		s2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", in, out, err)
		}
		if out2 := s2.String(); out2 != out {
			t.Fatalf("Parse(%q) renders %q, which renders %q", in, out, out2)
		}
		r1, _ := s.Requirements()
		r2, _ := s2.Requirements()
		if len(r1) != len(r2) {
			t.Fatalf("Parse(%q): %d requirements, round trip has %d", in, len(r1), len(r2))
		}
		for i := range r1 {
			if !r1[i].Equal(r2[i]) {
				t.Fatalf("Parse(%q): requirement %d is %v, round trip has %v", in, i, r1[i], r2[i])
			}
		}
	})
}
