package fields

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"seven.dev/api/labels"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		reqs Requirements
	}{
		{"", "", nil},
		{"metadata.name=x", "metadata.name=x", Requirements{{"metadata.name", labels.Equals, "x"}}},
		{"spec.nodeName!=", "spec.nodeName!=", Requirements{{"spec.nodeName", labels.NotEquals, ""}}},
		{"status.phase==Running", "status.phase=Running", Requirements{{"status.phase", labels.Equals, "Running"}}},
		{"b=2,a=1", "a=1,b=2", Requirements{{"a", labels.Equals, "1"}, {"b", labels.Equals, "2"}}},
		{"x=a,,y=b,", "x=a,y=b", Requirements{{"x", labels.Equals, "a"}, {"y", labels.Equals, "b"}}},
		{`x=a\,b`, `x=a\,b`, Requirements{{"x", labels.Equals, "a,b"}}},
		{`x=a\=b`, `x=a\=b`, Requirements{{"x", labels.Equals, "a=b"}}},
		{`x=a\\b`, `x=a\\b`, Requirements{{"x", labels.Equals, `a\b`}}},
		{`x=a\\,y=b`, `x=a\\,y=b`, Requirements{{"x", labels.Equals, `a\`}, {"y", labels.Equals, "b"}}},
		{"a!b=c", "a!b=c", Requirements{{"a!b", labels.Equals, "c"}}},
		{"=x", "=x", Requirements{{"", labels.Equals, "x"}}},
		{" a = b ", " a = b ", Requirements{{" a ", labels.Equals, " b "}}},
		// Raw terms are sorted before parsing, so "==" sorts before "=v".
		{"a=b,a==a", "a=a,a=b", Requirements{{"a", labels.Equals, "a"}, {"a", labels.Equals, "b"}}},
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
		got := s.Requirements()
		if fmt.Sprint(got) != fmt.Sprint(tt.reqs) || len(got) != len(tt.reqs) {
			t.Errorf("Parse(%q).Requirements() = %q, want %q", tt.in, got, tt.reqs)
		}
		if s.Empty() != (len(tt.reqs) == 0) {
			t.Errorf("Parse(%q).Empty() = %t", tt.in, s.Empty())
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"x", "invalid selector: 'x'; can't understand 'x'"},
		{"a=b,x", "invalid selector: 'a=b,x'; can't understand 'x'"},
		{"x=a=b", "invalid field selector: unescaped character in value: 61"},
		{"x==a==b", "invalid field selector: unescaped character in value: 61"},
		{`x=a\`, `invalid field selector: invalid escape sequence: \`},
		{`x=a\b`, `invalid field selector: invalid escape sequence: \b`},
		{"x=a=,", "invalid field selector: unescaped character in value: 61"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
	var seq InvalidEscapeSequence
	if _, err := Parse(`x=\q`); !errors.As(err, &seq) || seq.Sequence != `\q` {
		t.Errorf("Parse error is not an InvalidEscapeSequence: %v", err)
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		selector string
		fields   map[string]string
		want     bool
	}{
		{"", map[string]string{"a": "b"}, true},
		{"metadata.name=x", map[string]string{"metadata.name": "x"}, true},
		{"metadata.name=x", map[string]string{"metadata.name": "y"}, false},
		{"spec.nodeName=", map[string]string{}, true},
		{"spec.nodeName!=", map[string]string{}, false},
		{"spec.nodeName!=", map[string]string{"spec.nodeName": "n1"}, true},
		{"status.phase==Running,spec.nodeName=n1", map[string]string{"status.phase": "Running", "spec.nodeName": "n1"}, true},
		{"status.phase==Running,spec.nodeName=n1", map[string]string{"status.phase": "Running"}, false},
		{`x=a\,b`, map[string]string{"x": "a,b"}, true},
	}
	for _, tt := range tests {
		s, err := Parse(tt.selector)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Matches(tt.fields); got != tt.want {
			t.Errorf("%q.Matches(%v) = %t, want %t", tt.selector, tt.fields, got, tt.want)
		}
	}
}

func TestRequiresExactMatch(t *testing.T) {
	tests := []struct {
		selector, field string
		value           string
		found           bool
	}{
		{"spec.nodeName=node1", "spec.nodeName", "node1", true},
		{"spec.nodeName==node1,status.phase=Running", "spec.nodeName", "node1", true},
		{"spec.nodeName!=node1", "spec.nodeName", "", false},
		{"spec.nodeName!=a,spec.nodeName=b", "spec.nodeName", "b", true},
		{"status.phase=Running", "spec.nodeName", "", false},
		{"", "spec.nodeName", "", false},
	}
	for _, tt := range tests {
		s, err := Parse(tt.selector)
		if err != nil {
			t.Fatal(err)
		}
		v, found := s.RequiresExactMatch(tt.field)
		if v != tt.value || found != tt.found {
			t.Errorf("%q.RequiresExactMatch(%q) = %q, %t", tt.selector, tt.field, v, found)
		}
	}
}

func TestConstructors(t *testing.T) {
	tests := []struct {
		name  string
		s     Selector
		want  string
		empty bool
	}{
		{"Everything", Everything(), "", true},
		{"Nothing", Nothing(), "", false},
		{"SelectorFromSet", SelectorFromSet(map[string]string{"b": "x,y", "a": "1"}), `a=1,b=x\,y`, false},
		{"SelectorFromSet(nil)", SelectorFromSet(nil), "", true},
		{"OneTermEqualSelector", OneTermEqualSelector("metadata.name", "a=b"), `metadata.name=a\=b`, false},
		{"OneTermNotEqualSelector", OneTermNotEqualSelector("spec.nodeName", ""), "spec.nodeName!=", false},
		{"AndSelectors", AndSelectors(OneTermEqualSelector("a", "1"), OneTermNotEqualSelector("b", "2")), "a=1,b!=2", false},
		{"AndSelectors()", AndSelectors(), "", true},
		{"AndSelectors(Nothing)", AndSelectors(Everything(), Nothing()), "", false},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%s.String() = %q, want %q", tt.name, got, tt.want)
		}
		if got := tt.s.Empty(); got != tt.empty {
			t.Errorf("%s.Empty() = %t, want %t", tt.name, got, tt.empty)
		}
	}
	if Nothing().Matches(map[string]string{}) {
		t.Error("Nothing matched")
	}
	if got := (Set{"b": "2", "a": "1"}).String(); got != "a=1,b=2" {
		t.Errorf("Set.String() = %q", got)
	}
}

func TestTransform(t *testing.T) {
	s, err := ParseAndTransform("name=x,spec.host=n1", func(f, v string) (string, string, error) {
		switch f {
		case "name":
			return "metadata.name", v, nil
		case "spec.host":
			return "spec.nodeName", v, nil
		}
		return "", "", fmt.Errorf("field label not supported: %s", f)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "metadata.name=x,spec.nodeName=n1" {
		t.Errorf("String() = %q", got)
	}
	_, err = ParseAndTransform("bogus=1", func(f, v string) (string, string, error) {
		return "", "", fmt.Errorf("field label not supported: %s", f)
	})
	if err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("error = %v", err)
	}
}

func TestEscape(t *testing.T) {
	for _, v := range []string{"", "plain", `a\b`, "a,b", "a=b", `\,=`, "日本"} {
		got, err := UnescapeValue(EscapeValue(v))
		if err != nil || got != v {
			t.Errorf("UnescapeValue(EscapeValue(%q)) = %q, %v", v, got, err)
		}
	}
}

// FuzzParse checks that any accepted selector renders to a string that
// parses to the same terms (up to order, since raw terms are sorted before
// unescaping) and that a second rendering is stable.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "metadata.name=x", "spec.nodeName!=", "status.phase==Running,a=b", `x=a\,b`, `x=a\\`,
		`x=a\`, "x=a=b", "a=b,a==a", ",,", "a!b=c", "=x", "\xff=\\,",
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
		count := func(rs Requirements) map[Requirement]int {
			m := map[Requirement]int{}
			for _, r := range rs {
				m[r]++
			}
			return m
		}
		if a, b := count(s.Requirements()), count(s2.Requirements()); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("Parse(%q) = %v, round trip via %q = %v", in, s.Requirements(), out, s2.Requirements())
		}
		s3, err := Parse(s2.String())
		if err != nil || s3.String() != s2.String() {
			t.Fatalf("rendering of %q is not stable: %q then %q (%v)", in, s2.String(), s3, err)
		}
	})
}
