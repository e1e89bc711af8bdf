package names

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	qualifiedNameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	subdomainMsg     = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	labelMsg         = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	dns1035Msg       = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
	labelValueMsg    = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

func TestValidators(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name  string
		check func(string) []string
		in    string
		want  []string
	}{
		{"label ok", IsDNS1123Label, "my-name", nil},
		{"label digits", IsDNS1123Label, "123-abc", nil},
		{"label 63", IsDNS1123Label, long63, nil},
		{"label 64", IsDNS1123Label, long63 + "a", []string{"must be no more than 63 characters"}},
		{"label dots", IsDNS1123Label, "a.b", []string{"must not contain dots"}},
		{"label upper", IsDNS1123Label, "My-Name", []string{labelMsg}},
		{"label empty", IsDNS1123Label, "", []string{labelMsg}},
		{"label dash end", IsDNS1123Label, "a-", []string{labelMsg}},
		{"subdomain ok", IsDNS1123Subdomain, "example.com", nil},
		{"subdomain empty", IsDNS1123Subdomain, "", []string{subdomainMsg}},
		{"subdomain double dot", IsDNS1123Subdomain, "a..b", []string{subdomainMsg}},
		{"subdomain trailing dot", IsDNS1123Subdomain, "a.", []string{subdomainMsg}},
		{"subdomain long", IsDNS1123Subdomain, strings.Repeat("a.", 127), []string{"must be no more than 253 characters", subdomainMsg}},
		{"1035 ok", IsDNS1035Label, "abc-123", nil},
		{"1035 digit first", IsDNS1035Label, "1abc", []string{dns1035Msg}},
		{"qualified ok", IsQualifiedName, "app", nil},
		{"qualified prefix", IsQualifiedName, "example.com/MyName", nil},
		{"qualified bad", IsQualifiedName, "-a", []string{qualifiedNameMsg}},
		{"qualified empty", IsQualifiedName, "", []string{"name part must be non-empty", qualifiedNameMsg}},
		{"qualified empty prefix", IsQualifiedName, "/a", []string{"prefix part must be non-empty"}},
		{"qualified bad prefix", IsQualifiedName, "Example.com/a", []string{"prefix part " + subdomainMsg}},
		{"qualified long", IsQualifiedName, long63 + "a", []string{"name part must be no more than 63 characters"}},
		{"qualified two slashes", IsQualifiedName, "a/b/c", []string{"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}},
		{"value empty", IsValidLabelValue, "", nil},
		{"value ok", IsValidLabelValue, "my_value", nil},
		{"value bad", IsValidLabelValue, "a b", []string{labelValueMsg}},
		{"value long", IsValidLabelValue, long63 + "a", []string{"must be no more than 63 characters"}},
		{"port name ok", IsValidPortName, "http", nil},
		{"port name digits only", IsValidPortName, "123", []string{"must contain at least one letter (a-z)"}},
		{"port name", IsValidPortName, "-a--B", []string{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must not contain consecutive hyphens", "must not begin or end with a hyphen"}},
		{"port name empty", IsValidPortName, "", []string{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"}},
		{"port name long", IsValidPortName, "abcdefghijklmnop", []string{"must be no more than 15 characters"}},
		{"wildcard ok", IsWildcardDNS1123Subdomain, "*.example.com", nil},
		{"wildcard missing", IsWildcardDNS1123Subdomain, "example.com", []string{"a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"}},
		{"percent", IsValidPercent, "50%", nil},
		{"percent bad", IsValidPercent, "%", []string{"a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"}},
		{"header", IsHTTPHeaderName, "X-Header-Name", nil},
		{"env", IsEnvVarName, "MY_ENV.NAME", nil},
		{"env digit", IsEnvVarName, "1A", []string{"a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"}},
		{"env dotdot", IsEnvVarName, "..a", []string{"must not start with '..'"}},
		{"config key", IsConfigMapKey, "key.name", nil},
		{"config key dot", IsConfigMapKey, ".", []string{"must not be '.'"}},
		{"config key bad", IsConfigMapKey, "a/b", []string{"a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"}},
	}
	for _, tt := range tests {
		if got := tt.check(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: check(%q) =\n%q\nwant\n%q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	if IsValidPortNum(1) != nil || IsValidPortNum(65535) != nil {
		t.Error("valid ports rejected")
	}
	if got := IsValidPortNum(0); !slices.Equal(got, []string{"must be between 1 and 65535, inclusive"}) {
		t.Errorf("IsValidPortNum(0) = %q", got)
	}
	if got := IsInRange(5, 1, 3); !slices.Equal(got, []string{"must be between 1 and 3, inclusive"}) {
		t.Errorf("IsInRange(5, 1, 3) = %q", got)
	}
}

// FuzzMatchers checks the hand-written matchers against the regular
// expressions upstream uses, which the messages quote.
func FuzzMatchers(f *testing.F) {
	for _, s := range []string{"", "a", "a-b", "a.b", "-a", "a-", "A", "a_b", "1", "a..b", ".a", "a.", "*.a", "a/b", "x%", "9%", "ä", "a\n"} {
		f.Add(s)
	}
	checks := []struct {
		name    string
		pattern string
		match   func(string) bool
	}{
		{"label", dns1123LabelFmt, matchDNS1123Label},
		{"subdomain", dns1123SubdomainFmt, matchDNS1123Subdomain},
		{"qualified", qualifiedNameFmt, matchQualifiedName},
		{"label value", labelValueFmt, matchLabelValue},
		{"1035", dns1035LabelFmt, matchDNS1035Label},
		{"wildcard", wildcardDNS1123SubdomainFmt, matchWildcardDNS1123Subdomain},
		{"percent", "[0-9]+%", matchPercent},
		{"header", "[-A-Za-z0-9]+", matchHTTPHeaderName},
		{"port charset", "[-a-z0-9]+", matchPortNameCharset},
	}
	res := make([]*regexp.Regexp, len(checks))
	for i, c := range checks {
		res[i] = regexp.MustCompile("^" + c.pattern + "$")
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, c := range checks {
			if want, got := res[i].MatchString(s), c.match(s); want != got {
				t.Errorf("%s(%q) = %t, regexp says %t", c.name, s, got, want)
			}
		}
	})
}
