package fields

import (
	"fmt"
	"strings"
)

// InvalidEscapeSequence reports a backslash in a value that is not followed
// by '\', ',' or '=' (or ends the value).
type InvalidEscapeSequence struct {
	Sequence string
}

// Error returns upstream's message, which names the offending sequence.
func (e InvalidEscapeSequence) Error() string {
	return fmt.Sprintf("invalid field selector: invalid escape sequence: %s", e.Sequence)
}

// UnescapedRune reports a ',' or '=' in a value that is not escaped.
type UnescapedRune struct {
	Rune rune
}

// Error prints the rune as a number, as upstream's message does
// ("unescaped character in value: 61" for '=').
func (e UnescapedRune) Error() string {
	return fmt.Sprintf("invalid field selector: unescaped character in value: %v", e.Rune)
}

// EscapeValue escapes '\', ',' and '=' in a value so that it can appear in a
// selector string.
func EscapeValue(s string) string {
	if !strings.ContainsAny(s, `\,=`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', ',', '=':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// UnescapeValue reverses EscapeValue, rejecting unknown escapes and bare ','
// or '='.
func UnescapeValue(s string) (string, error) {
	if !strings.ContainsAny(s, `\,=`) {
		return s, nil
	}
	var b strings.Builder
	escaped := false
	// Ranging over runes, as upstream does, also replaces invalid UTF-8 in
	// such values with U+FFFD.
	for _, c := range s {
		if escaped {
			switch c {
			case '\\', ',', '=':
				b.WriteRune(c)
			default:
				return "", InvalidEscapeSequence{Sequence: string([]rune{'\\', c})}
			}
			escaped = false
			continue
		}
		switch c {
		case '\\':
			escaped = true
		case ',', '=':
			return "", UnescapedRune{Rune: c}
		default:
			b.WriteRune(c)
		}
	}
	if escaped {
		return "", InvalidEscapeSequence{Sequence: `\`}
	}
	return b.String(), nil
}
