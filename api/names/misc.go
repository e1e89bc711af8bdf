package names

import "strings"

func matchPortNameCharset(s string) bool {
	return s != "" && all(s, func(c byte) bool { return isLowerAlnum(c) || c == '-' })
}

func matchPercent(s string) bool {
	digits, ok := strings.CutSuffix(s, "%")
	return ok && digits != "" && all(digits, isDigit)
}

func matchHTTPHeaderName(s string) bool {
	return s != "" && all(s, func(c byte) bool { return isAlnum(c) || c == '-' })
}

// IsValidPortNum checks that port is a non-zero TCP/UDP port number.
func IsValidPortNum(port int) []string {
	if 1 <= port && port <= 65535 {
		return nil
	}
	return []string{InclusiveRangeError(1, 65535)}
}

// IsInRange checks that value lies in [lo, hi].
func IsInRange(value, lo, hi int) []string {
	if lo <= value && value <= hi {
		return nil
	}
	return []string{InclusiveRangeError(lo, hi)}
}

// IsValidPortName checks that port is an IANA service name (RFC 6335), the
// format of named container and service ports: at most 15 characters of
// [-a-z0-9] with at least one letter, no leading, trailing or doubled '-'.
// Upstream accepts lower case only, although RFC 6335 is case-insensitive.
func IsValidPortName(port string) []string {
	var errs []string
	if len(port) > 15 {
		errs = append(errs, MaxLenError(15))
	}
	if !matchPortNameCharset(port) {
		errs = append(errs, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
	}
	if !strings.ContainsFunc(port, func(r rune) bool { return 'a' <= r && r <= 'z' }) {
		errs = append(errs, "must contain at least one letter (a-z)")
	}
	if strings.Contains(port, "--") {
		errs = append(errs, "must not contain consecutive hyphens")
	}
	if port != "" && (port[0] == '-' || port[len(port)-1] == '-') {
		errs = append(errs, "must not begin or end with a hyphen")
	}
	return errs
}

// IsValidPercent checks that percent is digits followed by '%', as in
// rolling-update surge values.
func IsValidPercent(percent string) []string {
	if !matchPercent(percent) {
		return []string{RegexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%")}
	}
	return nil
}

// IsHTTPHeaderName checks that value is a header name Go's HTTP library
// accepts (a subset of RFC 7230), as in HTTP probes.
func IsHTTPHeaderName(value string) []string {
	if !matchHTTPHeaderName(value) {
		return []string{RegexError("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+", "X-Header-Name")}
	}
	return nil
}

// IsEnvVarName checks that value is an environment variable name in the
// strict (non-relaxed) rules: alphabetics, digits, '_', '-' or '.', not
// starting with a digit, and not "." / ".." or starting with "..".
func IsEnvVarName(value string) []string {
	var errs []string
	ok := value != "" && !isDigit(value[0]) &&
		all(value, func(c byte) bool { return isAlnum(c) || c == '-' || c == '.' || c == '_' })
	if !ok {
		errs = append(errs, RegexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
			"[-._a-zA-Z][-._a-zA-Z0-9]*", "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
	}
	return append(errs, hasChDirPrefix(value)...)
}

// IsConfigMapKey checks that value is a key of a ConfigMap or Secret: at
// most 253 alphanumerics, '-', '_' or '.', and not "." / ".." or starting
// with "..".
func IsConfigMapKey(value string) []string {
	var errs []string
	if len(value) > DNS1123SubdomainMaxLength {
		errs = append(errs, MaxLenError(DNS1123SubdomainMaxLength))
	}
	if value == "" || !all(value, func(c byte) bool { return isAlnum(c) || c == '-' || c == '.' || c == '_' }) {
		errs = append(errs, RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
			"[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"))
	}
	return append(errs, hasChDirPrefix(value)...)
}

// hasChDirPrefix rejects names that would escape a directory when used as
// file names (config map keys are projected into volumes).
func hasChDirPrefix(value string) []string {
	switch {
	case value == ".":
		return []string{`must not be '.'`}
	case value == "..":
		return []string{`must not be '..'`}
	case strings.HasPrefix(value, ".."):
		return []string{`must not start with '..'`}
	}
	return nil
}
