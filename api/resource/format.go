package resource

import (
	"bytes"
	"math/big"
	"strconv"
	"strings"
)

// String returns q in canonical form, or the exact string q was parsed from
// when upstream would keep that string (it was canonical already).
//
// The canonical form has no fractional digits, the largest suffix (or
// exponent) that loses no precision, and keeps q's Format: "0.5" is "500m",
// "1000m" is "1", "1024Mi" is "1Gi", "1.5Gi" is "1536Mi". A BinarySI value
// that is below 1024 in magnitude or not whole is rendered as DecimalSI.
func (q Quantity) String() string {
	if q.s != "" {
		return q.s
	}
	return q.canonical()
}

// decimalSuffix returns the SI suffix for 10^exp, if there is one.
func decimalSuffix(exp int64) (string, bool) {
	switch exp {
	case -9:
		return "n", true
	case -6:
		return "u", true
	case -3:
		return "m", true
	case 0:
		return "", true
	case 3:
		return "k", true
	case 6:
		return "M", true
	case 9:
		return "G", true
	case 12:
		return "T", true
	case 15:
		return "P", true
	case 18:
		return "E", true
	}
	return "", false
}

// binarySuffixes holds the power-of-1024 suffixes, two bytes each, from
// 1024^1 ("Ki") to 1024^6 ("Ei").
const binarySuffixes = "KiMiGiTiPiEi"

func (q Quantity) canonical() string {
	if q.IsZero() {
		return "0"
	}
	format := q.Format
	switch format {
	case DecimalSI, DecimalExponent:
	case BinarySI:
		if s, ok := q.binary(); ok {
			return s
		}
		format = DecimalSI
	default:
		format = DecimalExponent
	}

	// Move trailing zeros into the exponent, then lower the exponent to a
	// multiple of three (Go's % keeps the sign, so this rounds toward -inf).
	digits := q.unscaled.String()
	trimmed := strings.TrimRight(digits, "0")
	exp := q.scale + int64(len(digits)-len(trimmed))
	var b strings.Builder
	b.WriteString(trimmed)
	for exp%3 != 0 {
		b.WriteByte('0')
		exp--
	}
	if format == DecimalSI {
		if suffix, ok := decimalSuffix(exp); ok {
			b.WriteString(suffix)
			return b.String()
		}
		// No SI suffix beyond E or below n: fall back to an exponent rather
		// than dropping it, as current upstream does.
	}
	if exp != 0 {
		b.WriteByte('e')
		b.WriteString(strconv.FormatInt(exp, 10))
	}
	return b.String()
}

// binary renders q with a power-of-1024 suffix, or reports false when
// upstream would fall back to DecimalSI: |q| < 1024 or q is not whole.
func (q Quantity) binary() (string, bool) {
	if q.CmpInt64(-1024) > 0 && q.CmpInt64(1024) < 0 {
		return "", false
	}
	digits := q.unscaled.String()
	trimmed := strings.TrimRight(digits, "0")
	exp := q.scale + int64(len(digits)-len(trimmed))
	if exp < 0 {
		return "", false
	}
	if int64(len(trimmed))+exp > 80 {
		// Only arithmetic can get here (parsing caps binary quantities at
		// 2^63-1); decimal is exact and avoids materialising huge powers.
		return "", false
	}
	v, _ := new(big.Int).SetString(trimmed, 10)
	v.Mul(v, pow10(exp))
	neg := v.Sign() < 0
	v.Abs(v)
	n := 0
	// Stop at Ei, the largest suffix there is, instead of losing the
	// exponent as upstream does for values past 1024Ei.
	for n < len(binarySuffixes)/2 && v.Sign() != 0 && v.TrailingZeroBits() >= 10 {
		v.Rsh(v, 10)
		n++
	}
	s := v.String()
	if n > 0 {
		s += binarySuffixes[2*n-2 : 2*n]
	}
	if neg {
		s = "-" + s
	}
	return s, true
}

// MarshalJSON writes q as a JSON string in the form String returns. It has a
// value receiver so that quantities held in maps marshal correctly.
func (q Quantity) MarshalJSON() ([]byte, error) {
	s := q.String()
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"'), nil
}

// UnmarshalJSON reads a quantity from a JSON string or a JSON number (as
// upstream does, so `cpu: 1` and `cpu: "1"` both work). Surrounding space
// inside the string is ignored, and null yields zero.
func (q *Quantity) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		*q = Quantity{}
		return nil
	}
	if n := len(data); n >= 2 && data[0] == '"' && data[n-1] == '"' {
		data = data[1 : n-1]
	}
	parsed, err := ParseQuantity(strings.TrimSpace(string(data)))
	if err != nil {
		return err
	}
	*q = parsed
	return nil
}
