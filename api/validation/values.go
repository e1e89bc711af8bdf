package validation

import (
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"

	"seven.dev/api/field"
	"seven.dev/api/names"
)

// Upstream's recurring messages.
const (
	isNegativeErrorMsg     = "must be greater than or equal to 0"
	fieldImmutableErrorMsg = "field is immutable"
	isNotIntegerErrorMsg   = "must be an integer"
	isNotPositiveErrorMsg  = "must be greater than zero"
	isInvalidQuotaResource = "must be a standard resource for quota"
	fileModeErrorMsg       = "must be a number between 0 and 0777 (octal), both inclusive"
	invalidIPErrorMsg      = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
	invalidCIDRErrorMsg    = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
	maxFileMode            = 0o777
)

// nameFunc validates an object name; prefix says the name is a generateName
// prefix, which may end in a dash.
type nameFunc func(name string, prefix bool) []string

func nameIsDNSSubdomain(name string, prefix bool) []string {
	return names.IsDNS1123Subdomain(maskTrailingDash(name, prefix))
}

func nameIsDNSLabel(name string, prefix bool) []string {
	return names.IsDNS1123Label(maskTrailingDash(name, prefix))
}

func nameIsDNS1035Label(name string, prefix bool) []string {
	return names.IsDNS1035Label(maskTrailingDash(name, prefix))
}

// maskTrailingDash replaces a generateName prefix's trailing dash so that
// the prefix validates like a name. Upstream drops the character before the
// dash too; that quirk is kept because it decides which prefixes pass.
func maskTrailingDash(name string, prefix bool) string {
	if !prefix || !strings.HasSuffix(name, "-") {
		return name
	}
	if len(name) < 2 {
		return "a"
	}
	return name[:len(name)-2] + "a"
}

// invalidEach turns each message about value into an Invalid error at path.
func invalidEach(path *field.Path, value any, msgs []string) field.ErrorList {
	var errs field.ErrorList
	for _, m := range msgs {
		errs = append(errs, field.Invalid(path, value, m))
	}
	return errs
}

func validateDNS1123Label(value string, path *field.Path) field.ErrorList {
	return invalidEach(path, value, names.IsDNS1123Label(value))
}

func validateDNS1123Subdomain(value string, path *field.Path) field.ErrorList {
	return invalidEach(path, value, names.IsDNS1123Subdomain(value))
}

func validateQualifiedName(value string, path *field.Path) field.ErrorList {
	return invalidEach(path, value, names.IsQualifiedName(value))
}

// validateNonnegative reports a negative count.
func validateNonnegative(value int64, path *field.Path) field.ErrorList {
	if value < 0 {
		return field.ErrorList{field.Invalid(path, value, isNegativeErrorMsg)}
	}
	return nil
}

// validateImmutable reports newVal differing from oldVal (semantically: nil
// and empty collections are equal, quantities compare by value).
func validateImmutable(newVal, oldVal any, path *field.Path) field.ErrorList {
	if !semanticEqual(newVal, oldVal) {
		return field.ErrorList{field.Invalid(path, upstreamValue(newVal), fieldImmutableErrorMsg)}
	}
	return nil
}

// validateFileMode reports a file mode outside 0-0777.
func validateFileMode(mode *int32, path *field.Path) field.ErrorList {
	if mode != nil && (*mode > maxFileMode || *mode < 0) {
		return field.ErrorList{field.Invalid(path, *mode, fileModeErrorMsg)}
	}
	return nil
}

// parseIPSloppy parses an IP address the way upstream's legacy parser does,
// accepting IPv4 octets with leading zeros (read as decimal).
func parseIPSloppy(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a, true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 || strings.TrimLeft(p, "0123456789") != "" {
			return netip.Addr{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}

func validateIP(path *field.Path, value string) field.ErrorList {
	if _, ok := parseIPSloppy(value); !ok {
		return field.ErrorList{field.Invalid(path, value, invalidIPErrorMsg)}
	}
	return nil
}

func validateCIDR(path *field.Path, value string) field.ErrorList {
	addr, bits, ok := strings.Cut(value, "/")
	if ok {
		a, okIP := parseIPSloppy(addr)
		n, err := strconv.Atoi(bits)
		if okIP && err == nil && n >= 0 && n <= a.BitLen() && bits == strconv.Itoa(n) {
			return nil
		}
	}
	return field.ErrorList{field.Invalid(path, value, invalidCIDRErrorMsg)}
}

// validateNonSpecialIP rejects addresses that cannot back a service or an
// endpoint: unspecified, loopback and link-local ones.
func validateNonSpecialIP(value string, path *field.Path) field.ErrorList {
	ip, ok := parseIPSloppy(value)
	if !ok {
		return field.ErrorList{field.Invalid(path, value, "must be a valid IP address")}
	}
	ip = ip.Unmap()
	var errs field.ErrorList
	if ip.IsUnspecified() {
		errs = append(errs, field.Invalid(path, value, fmt.Sprintf("may not be unspecified (%v)", value)))
	}
	if ip.IsLoopback() {
		errs = append(errs, field.Invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
	if ip.IsLinkLocalUnicast() {
		errs = append(errs, field.Invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
	}
	if ip.IsLinkLocalMulticast() {
		errs = append(errs, field.Invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
	}
	return errs
}

// isIPv6String reports whether s parses as an IPv6 (not IPv4) address.
func isIPv6String(s string) bool {
	a, ok := parseIPSloppy(s)
	return ok && a.Is6() && !a.Is4In6()
}

// rendered is a bad value already formatted the way upstream's field errors
// print it. Upstream prints composite values with Go syntax (%#v) and
// values with a String method unquoted, where seven.dev/api/field prints
// JSON and quotes; the field package prints a named string type verbatim,
// so passing a rendered value keeps messages byte-identical.
type rendered string

// goSyntax renders v as upstream prints maps, slices and structs.
func goSyntax(v any) rendered { return rendered(fmt.Sprintf("%#v", v)) }

// upstreamValue converts a bad value so that it prints as upstream prints
// it: pointers are followed (nil prints "null"), values with a String
// method print unquoted, named string types quoted, and composites in Go
// syntax.
func upstreamValue(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return upstreamValue(rv.Elem().Interface())
	}
	if s, ok := v.(fmt.Stringer); ok {
		return rendered(s.String())
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct:
		return goSyntax(v)
	}
	return v
}
