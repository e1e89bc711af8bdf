package resource

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Quantity is an exact fixed-point number with a unit suffix ("500m",
// "128Mi", "1Gi", "0.5", "1e3").
//
// The zero value is zero and marshals as "0". A Quantity is safe to copy by
// value: its internal big integer is never modified once stored.
type Quantity struct {
	// unscaled × 10^scale is the value; nil means zero. Treated as immutable.
	unscaled *big.Int
	scale    int64
	// s is the string the quantity was parsed from, kept only when upstream
	// would keep it (it was already canonical), so that it is echoed verbatim.
	s string

	// Format selects how String renders the value; parsing sets it from the
	// input's suffix, and callers may change it.
	Format Format
}

// Format is the notation a Quantity is rendered in.
type Format string

// The three notations, named as upstream names them (they appear in
// serialised objects such as the downward API's divisor handling).
const (
	// DecimalExponent renders as a mantissa and a power of ten, e.g. "12e6".
	DecimalExponent = Format("DecimalExponent")
	// BinarySI renders with a power-of-two suffix, e.g. "12Mi" (12 × 2^20).
	BinarySI = Format("BinarySI")
	// DecimalSI renders with a power-of-ten SI suffix, e.g. "12M" (12 × 10^6).
	DecimalSI = Format("DecimalSI")
)

// Scale is a power of ten, used to ask for a value in a given unit.
type Scale int32

// Common scales.
const (
	Nano  Scale = -9
	Micro Scale = -6
	Milli Scale = -3
	Kilo  Scale = 3
	Mega  Scale = 6
	Giga  Scale = 9
	Tera  Scale = 12
	Peta  Scale = 15
	Exa   Scale = 18
)

// splitPattern is the regular expression upstream quotes in ErrFormatWrong.
// The parser below is hand written and slightly more permissive, as
// upstream's is; the pattern only appears in the message.
const splitPattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

// Parse errors. Their messages are upstream's, byte for byte, because they
// reach clients inside API error responses; callers should therefore return
// them unwrapped when the message is shown to a Kubernetes client.
var (
	// ErrFormatWrong reports a string that is not shaped like a quantity.
	ErrFormatWrong = errors.New("quantities must match the regular expression '" + splitPattern + "'")
	// ErrNumeric reports a number part that cannot be read.
	ErrNumeric = errors.New("unable to parse numeric part of quantity")
	// ErrSuffix reports an unknown unit suffix.
	ErrSuffix = errors.New("unable to parse quantity's suffix")
)

// maxInt64Digits is the number of decimal digits that always fit an int64.
const maxInt64Digits = 18

// MustParse parses s as a quantity and panics if it is malformed; for tests
// and constants known to be valid.
func MustParse(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(fmt.Errorf("cannot parse '%v': %v", s, err))
	}
	return q
}

// NewQuantity returns value (in whole units) rendered in format.
func NewQuantity(value int64, format Format) *Quantity {
	return &Quantity{unscaled: big.NewInt(value), Format: format}
}

// NewMilliQuantity returns value/1000 rendered in format.
func NewMilliQuantity(value int64, format Format) *Quantity {
	return &Quantity{unscaled: big.NewInt(value), scale: int64(Milli), Format: format}
}

// NewScaledQuantity returns value × 10^scale in DecimalSI format.
func NewScaledQuantity(value int64, scale Scale) *Quantity {
	return &Quantity{unscaled: big.NewInt(value), scale: int64(scale), Format: DecimalSI}
}

// scanned is a quantity string split into its parts, before interpretation.
type scanned struct {
	negative bool
	intPart  string // digits before the point, leading zeros removed; "0" if none
	fracPart string // digits after the point, possibly empty
	digits   bool   // whether any digit appeared in the number part
	suffix   string
}

// scan splits s the way upstream's hand-written scanner does, including its
// leniencies ("1.", ".5", "-" and a bare suffix all scan).
func scan(s string) (scanned, error) {
	var p scanned
	i := 0
	if i < len(s) && (s[0] == '-' || s[0] == '+') {
		p.negative = s[0] == '-'
		i++
	}
	for i < len(s) && s[i] == '0' {
		i++
		p.digits = true
	}
	if i == len(s) {
		p.intPart = "0"
		return p, nil
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	p.intPart = s[start:i]
	if p.intPart == "" {
		p.intPart = "0"
	} else {
		p.digits = true
	}
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		p.fracPart = s[start:i]
		if p.fracPart != "" {
			p.digits = true
		}
	}
	// The suffix is letters from a fixed set, then an optional sign and
	// digits; anything else left over is a format error.
	start = i
	for i < len(s) && strings.IndexByte("eEinumkKMGTP", s[i]) >= 0 {
		i++
	}
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i != len(s) {
		return scanned{}, ErrFormatWrong
	}
	p.suffix = s[start:]
	return p, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// interpretSuffix maps a suffix to its base (2 or 10), exponent and format.
func interpretSuffix(suffix string) (base int, exp int64, format Format, ok bool) {
	switch suffix {
	case "n":
		return 10, -9, DecimalSI, true
	case "u":
		return 10, -6, DecimalSI, true
	case "m":
		return 10, -3, DecimalSI, true
	case "":
		return 10, 0, DecimalSI, true
	case "k":
		return 10, 3, DecimalSI, true
	case "M":
		return 10, 6, DecimalSI, true
	case "G":
		return 10, 9, DecimalSI, true
	case "T":
		return 10, 12, DecimalSI, true
	case "P":
		return 10, 15, DecimalSI, true
	case "E":
		return 10, 18, DecimalSI, true
	case "Ki":
		return 2, 10, BinarySI, true
	case "Mi":
		return 2, 20, BinarySI, true
	case "Gi":
		return 2, 30, BinarySI, true
	case "Ti":
		return 2, 40, BinarySI, true
	case "Pi":
		return 2, 50, BinarySI, true
	case "Ei":
		return 2, 60, BinarySI, true
	}
	if len(suffix) > 1 && (suffix[0] == 'e' || suffix[0] == 'E') {
		n, err := strconv.ParseInt(suffix[1:], 10, 64)
		if err != nil {
			return 0, 0, "", false
		}
		// Upstream keeps the exponent in an int32 and truncates silently, so
		// "1e4294967296" is 1; the same string must mean the same value here.
		return 10, int64(int32(n)), DecimalExponent, true
	}
	return 0, 0, "", false
}

// ParseQuantity parses s as a quantity. It accepts exactly the strings
// upstream accepts and returns upstream's errors for the rest.
func ParseQuantity(s string) (Quantity, error) {
	if s == "" {
		return Quantity{}, ErrFormatWrong
	}
	if s == "0" {
		return Quantity{Format: DecimalSI, s: s}, nil
	}
	p, err := scan(s)
	if err != nil {
		return Quantity{}, err
	}
	base, exp, format, ok := interpretSuffix(p.suffix)
	if !ok {
		return Quantity{}, ErrSuffix
	}
	digits := p.intPart + p.fracPart

	// Upstream has an int64 fast path and a slow path. Only the fast path
	// remembers the input string, so mirror its entry conditions exactly:
	// they decide whether a canonical-looking input is echoed verbatim.
	if base == 10 {
		scale := exp - int64(len(p.fracPart))
		if len(digits) <= maxInt64Digits && scale >= int64(Nano) {
			v, _ := new(big.Int).SetString(digits, 10)
			if p.negative {
				v.Neg(v)
			}
			q := Quantity{unscaled: v, scale: scale, Format: format}
			if scale%3 == 0 && !strings.HasSuffix(digits, "000") && digits[0] != '0' {
				q.s = s
			}
			return q, nil
		}
	} else if p.fracPart == "" && 14-len(p.intPart)-int(exp)*3/10 >= 0 {
		v, _ := new(big.Int).SetString(p.intPart, 10)
		// A multiple of 8 might have a bigger binary suffix; anything else
		// is taken to be canonical already, as upstream does.
		canonical := v.Bit(0)|v.Bit(1)|v.Bit(2) != 0
		v.Lsh(v, uint(exp))
		if v.BitLen() < 64 {
			if p.negative {
				v.Neg(v)
			}
			q := Quantity{unscaled: v, Format: format}
			if canonical {
				q.s = s
			}
			return q, nil
		}
	}
	return parseSlow(p, base, exp, format)
}

// parseSlow handles what does not fit upstream's int64 fast path: it rounds
// non-zero values finer than a nano up (away from zero), under upstream's
// theory that asking for a tiny amount of a resource should get some, caps
// binary quantities at 2^63-1, and renders binary values below one as
// decimal.
func parseSlow(p scanned, base int, exp int64, format Format) (Quantity, error) {
	if !p.digits {
		return Quantity{}, ErrNumeric
	}
	mag, _ := new(big.Int).SetString(p.intPart+p.fracPart, 10)
	scale := -int64(len(p.fracPart))
	if base == 10 {
		scale += exp
	} else {
		mag.Lsh(mag, uint(exp))
	}
	if mag.Sign() != 0 && scale < int64(Nano) {
		mag = roundUpToScale(mag, scale, int64(Nano))
		scale = int64(Nano)
	}
	if format == BinarySI {
		if limit := maxInt64(); cmpAmount(mag, scale, limit, 0) > 0 {
			mag, scale = limit, 0
		}
		if mag.Sign() > 0 && cmpAmount(mag, scale, big.NewInt(1), 0) < 0 {
			format = DecimalSI
		}
	}
	if p.negative {
		mag = new(big.Int).Neg(mag)
	}
	return Quantity{unscaled: mag, scale: scale, Format: format}, nil
}

// maxInt64 returns 2^63-1, the cap upstream applies to binary quantities.
func maxInt64() *big.Int { return new(big.Int).SetUint64(1<<63 - 1) }

// roundUpToScale rounds the non-negative mag × 10^scale away from zero to a
// multiple of 10^to (to > scale) and returns the new unscaled value.
func roundUpToScale(mag *big.Int, scale, to int64) *big.Int {
	shift := to - scale
	if shift > int64(numDigits(mag)) {
		// mag < 10^shift, so the value is a non-zero fraction of one unit.
		return big.NewInt(1)
	}
	q, r := new(big.Int).QuoRem(mag, pow10(shift), new(big.Int))
	if r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}
