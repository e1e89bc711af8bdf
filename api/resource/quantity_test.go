package resource

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"testing"
)

// TestParseString pins the string each input renders as. The expectations
// follow upstream's rules: an input is echoed verbatim only when upstream's
// int64 fast path sees it as canonical (scale a multiple of three, digits not
// ending in "000" and not starting with "0" for decimal; a mantissa not
// divisible by 8 for binary); everything else is canonicalised.
func TestParseString(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		format Format
	}{
		// Canonical inputs are kept byte for byte.
		{"0", "0", DecimalSI},
		{"1", "1", DecimalSI},
		{"100", "100", DecimalSI},
		{"100m", "100m", DecimalSI},
		{"128Mi", "128Mi", BinarySI},
		{"1Ki", "1Ki", BinarySI},
		{"1Gi", "1Gi", BinarySI},
		{"6Ki", "6Ki", BinarySI},
		{"1e3", "1e3", DecimalExponent},
		{"1E3", "1E3", DecimalExponent},
		{"1e+3", "1e+3", DecimalExponent},
		{"1E", "1E", DecimalSI},
		{"12E", "12E", DecimalSI},
		{"1n", "1n", DecimalSI},
		{"1080m", "1080m", DecimalSI},
		{"300M", "300M", DecimalSI},
		{"80e-3", "80e-3", DecimalExponent},
		{"-1Ki", "-1Ki", BinarySI},
		{"-100m", "-100m", DecimalSI},
		// Upstream's canonical check ignores a sign and leading zeros, and
		// looks only at the digits, so these survive verbatim too.
		{"+1", "+1", DecimalSI},
		{"01", "01", DecimalSI},
		{"1.", "1.", DecimalSI},
		{"1.100k", "1.100k", DecimalSI},
		{"1.G", "1.G", DecimalSI},
		{"100.035k", "100.035k", DecimalSI},
		// Everything else is rewritten.
		{"0.5", "500m", DecimalSI},
		{"0.1", "100m", DecimalSI},
		{"1000m", "1", DecimalSI},
		{"1000", "1k", DecimalSI},
		{"1000M", "1G", DecimalSI},
		{"0.001T", "1G", DecimalSI},
		{"1000u", "1m", DecimalSI},
		{"1.08", "1080m", DecimalSI},
		{"1080000000n", "1080m", DecimalSI},
		{"1.5", "1500m", DecimalSI},
		{"1024Mi", "1Gi", BinarySI},
		{"307200Ki", "300Mi", BinarySI},
		{"1025024Mi", "1001Gi", BinarySI},
		{"1024Gi", "1Ti", BinarySI},
		{"8Ki", "8Ki", BinarySI},
		{"1.5Gi", "1536Mi", BinarySI},
		{"-1.5Gi", "-1536Mi", BinarySI},
		{"0.5Ki", "512", BinarySI},
		{"0.3Ki", "307200m", BinarySI},
		{".001Ki", "1024m", BinarySI},
		{".000001Ki", "1024u", DecimalSI},
		{".000000001Ki", "1024n", DecimalSI},
		{".000000000001Ki", "2n", DecimalSI},
		{".001e12", "1e9", DecimalExponent},
		{"0.001e0", "1e-3", DecimalExponent},
		{"1000e-12", "1e-9", DecimalExponent},
		{"1.5e3", "1500", DecimalExponent},
		{"1000e3", "1e6", DecimalExponent},
		{"00", "0", DecimalSI},
		{"0.0", "0", DecimalSI},
		{"-0", "0", DecimalSI},
		{"0Ki", "0", BinarySI},
		{"0m", "0", DecimalSI},
		// Sub-nano values round up, away from zero.
		{"0.0000000001", "1n", DecimalSI},
		{"-0.0000000001", "-1n", DecimalSI},
		{"3.001n", "4n", DecimalSI},
		{"0.9n", "1n", DecimalSI},
		{"1.1E-9", "2e-9", DecimalExponent},
		{"0.5e-9", "1e-9", DecimalExponent},
		{"1e-10", "1e-9", DecimalExponent},
		{"0.00000012345", "124n", DecimalSI},
		{"1.0000000001", "1000000001n", DecimalSI},
		// Binary quantities are capped at 2^63-1.
		{"8Ei", "9223372036854775807", BinarySI},
		{"9Ei", "9223372036854775807", BinarySI},
		{"9223372036854775807Ki", "9223372036854775807", BinarySI},
		{"-9Ei", "-9223372036854775807", BinarySI},
		// Decimal quantities are not capped; past "E" there is no suffix.
		{"12345678901234567890123", "12345678901234567890123", DecimalSI},
		{"1000E", "1e21", DecimalSI},
		{"1e2000000000", "100e1999999998", DecimalExponent},
		// Upstream's lenient scanner accepts a number with no digits as zero.
		{"-", "0", DecimalSI},
		{".", "0", DecimalSI},
		{"Ki", "0", BinarySI},
		// Upstream keeps the exponent in an int32.
		{"1e4294967296", "1e4294967296", DecimalExponent},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in)
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", tt.in, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("ParseQuantity(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if q.Format != tt.format {
			t.Errorf("ParseQuantity(%q).Format = %q, want %q", tt.in, q.Format, tt.format)
		}
		b, err := json.Marshal(q)
		if err != nil || string(b) != `"`+tt.want+`"` {
			t.Errorf("json.Marshal(%q) = %s, %v; want %q", tt.in, b, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrFormatWrong},
		{"1.1.M", ErrFormatWrong},
		{"1+1.0M", ErrFormatWrong},
		{"0.1am", ErrFormatWrong},
		{"aoeu", ErrFormatWrong},
		{" 1", ErrFormatWrong},
		{"1 ", ErrFormatWrong},
		{"1e3.5", ErrFormatWrong},
		{"Non-Numeric", ErrFormatWrong},
		{"0.1mi", ErrSuffix},
		{".5i", ErrSuffix},
		{"1i", ErrSuffix},
		{"-3.01i", ErrSuffix},
		{"-3.01e-", ErrSuffix},
		{"1e", ErrSuffix},
		{"1kk", ErrSuffix},
		{"1KI", ErrFormatWrong},
		{"1e99999999999999999999", ErrSuffix},
		{"-.e-10", ErrNumeric},
	}
	for _, tt := range tests {
		_, err := ParseQuantity(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseQuantity(%q) error = %v, want %v", tt.in, err, tt.want)
		}
	}
	const msg = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
	if ErrFormatWrong.Error() != msg {
		t.Errorf("ErrFormatWrong = %q, want upstream's %q", ErrFormatWrong, msg)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("MustParse did not panic")
		}
		want := "cannot parse 'x': " + ErrFormatWrong.Error()
		if err, ok := r.(error); !ok || err.Error() != want {
			t.Errorf("panic = %v, want %q", r, want)
		}
	}()
	MustParse("x")
}

func TestValues(t *testing.T) {
	tests := []struct {
		in          string
		value       int64
		milli       int64
		approximate float64
	}{
		{"0", 0, 0, 0},
		{"1", 1, 1000, 1},
		{"0.5", 1, 500, 0.5},
		{"1500m", 2, 1500, 1.5},
		{"-1500m", -2, -1500, -1.5},
		{"1n", 1, 1, 1e-9},
		{"-1n", -1, -1, -1e-9},
		{"1Ki", 1024, 1024000, 1024},
		{"1.1Ki", 1127, 1126400, 1126.4},
		{"2Gi", 2147483648, 2147483648000, 2.147483648e+09},
		{"8Ei", math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{"12E", math.MaxInt64, math.MaxInt64, 1.2e19},
		{"-12E", math.MinInt64, math.MinInt64, -1.2e19},
		{"1e500", math.MaxInt64, math.MaxInt64, math.Inf(1)},
		{"-1e500", math.MinInt64, math.MinInt64, math.Inf(-1)},
		{"1e-9", 1, 1, 1e-9},
	}
	for _, tt := range tests {
		q := MustParse(tt.in)
		if got := q.Value(); got != tt.value {
			t.Errorf("%s.Value() = %d, want %d", tt.in, got, tt.value)
		}
		if got := q.MilliValue(); got != tt.milli {
			t.Errorf("%s.MilliValue() = %d, want %d", tt.in, got, tt.milli)
		}
		if got := q.AsApproximateFloat64(); got != tt.approximate {
			t.Errorf("%s.AsApproximateFloat64() = %v, want %v", tt.in, got, tt.approximate)
		}
	}
}

func TestScaledValue(t *testing.T) {
	tests := []struct {
		from, to Scale
		want     int64
	}{
		{Nano, Nano, 1}, {Nano, Micro, 1}, {Nano, Milli, 1}, {Nano, 0, 1},
		{Micro, Nano, 1000}, {Micro, Micro, 1}, {Micro, Milli, 1}, {Micro, 0, 1},
		{Milli, Nano, 1000 * 1000}, {Milli, Micro, 1000}, {Milli, Milli, 1}, {Milli, 0, 1},
		{0, Nano, 1000 * 1000 * 1000}, {0, Micro, 1000 * 1000}, {0, Milli, 1000}, {0, 0, 1},
		{2, -2, 100 * 100},
	}
	for _, tt := range tests {
		if got := NewScaledQuantity(1, tt.from).ScaledValue(tt.to); got != tt.want {
			t.Errorf("NewScaledQuantity(1, %d).ScaledValue(%d) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestAsInt64(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1k", 1000, true},
		{"1000m", 1, true},
		{"1500m", 0, false},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775808", math.MinInt64, true},
	}
	for _, tt := range tests {
		got, ok := MustParse(tt.in).AsInt64()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s.AsInt64() = %d, %t; want %d, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestConstructors(t *testing.T) {
	tests := []struct {
		name string
		q    *Quantity
		want string
	}{
		{"NewQuantity(1)", NewQuantity(1, DecimalSI), "1"},
		{"NewQuantity(1000)", NewQuantity(1000, DecimalSI), "1k"},
		{"NewQuantity(1234000)", NewQuantity(1234000, DecimalSI), "1234k"},
		{"NewQuantity(1024, BinarySI)", NewQuantity(1024, BinarySI), "1Ki"},
		{"NewQuantity(1Mi, BinarySI)", NewQuantity(1024*1024, BinarySI), "1Mi"},
		{"NewQuantity(1000000, unknown)", NewQuantity(1000000, "bogus"), "1e6"},
		{"NewQuantity(5, BinarySI)", NewQuantity(5, BinarySI), "5"},
		{"NewQuantity(1025, BinarySI)", NewQuantity(1025, BinarySI), "1025"},
		{"NewMilliQuantity(1)", NewMilliQuantity(1, DecimalSI), "1m"},
		{"NewMilliQuantity(1000)", NewMilliQuantity(1000, DecimalSI), "1"},
		{"NewMilliQuantity(1234000)", NewMilliQuantity(1234000, DecimalSI), "1234"},
		{"NewMilliQuantity(1024, BinarySI)", NewMilliQuantity(1024, BinarySI), "1024m"},
		{"NewMilliQuantity(1Mi, BinarySI)", NewMilliQuantity(1024*1024, BinarySI), "1048576m"},
		{"NewMilliQuantity(1000000, unknown)", NewMilliQuantity(1000000, "bogus"), "1e3"},
		{"NewMilliQuantity(500, BinarySI)", NewMilliQuantity(500, BinarySI), "500m"},
		{"NewScaledQuantity(1000, Nano)", NewScaledQuantity(1000, Nano), "1u"},
		{"NewScaledQuantity(1, -12)", NewScaledQuantity(1, -12), "1e-12"},
		{"NewScaledQuantity(0, Milli)", NewScaledQuantity(0, Milli), "0"},
		{"NewQuantity(3, DecimalExponent)", NewQuantity(3000, DecimalExponent), "3e3"},
		{"zero value", &Quantity{}, "0"},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.want {
			t.Errorf("%s.String() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		x, y string
		want int
	}{
		{"0", "0", 0},
		{"100m", "50m", 1},
		{"50m", "100m", -1},
		{"10000T", "100Gi", 1},
		{"1", "1000m", 0},
		{"1Ki", "1024", 0},
		{"-1", "1", -1},
		{"-2", "-1", -1},
		{"1e2000000000", "1", 1},
		{"-1e2000000000", "1", -1},
		{"1e2000000000", "2e2000000000", -1},
		{"1n", "0", 1},
		{"9223372036854775808", "9223372036854775807", 1},
	}
	for _, tt := range tests {
		x, y := MustParse(tt.x), MustParse(tt.y)
		if got := x.Cmp(y); got != tt.want {
			t.Errorf("%s.Cmp(%s) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
		if got := y.Cmp(x); got != -tt.want {
			t.Errorf("%s.Cmp(%s) = %d, want %d", tt.y, tt.x, got, -tt.want)
		}
		if got := x.Equal(y); got != (tt.want == 0) {
			t.Errorf("%s.Equal(%s) = %t", tt.x, tt.y, got)
		}
	}
	if got := MustParse("1k").CmpInt64(1000); got != 0 {
		t.Errorf("1k.CmpInt64(1000) = %d", got)
	}
	var zero Quantity
	if zero.Sign() != 0 || !zero.IsZero() || MustParse("-1m").Sign() != -1 || MustParse("1m").Sign() != 1 {
		t.Error("Sign/IsZero disagree with the values")
	}
}

func TestArithmetic(t *testing.T) {
	tests := []struct {
		name string
		op   func(q *Quantity)
		in   Quantity
		want string
	}{
		{"10+10", func(q *Quantity) { q.Add(MustParse("10")) }, MustParse("10"), "20"},
		{"keeps receiver format", func(q *Quantity) { q.Add(MustParse("1")) }, *NewQuantity(10, BinarySI), "11"},
		{"zero takes format", func(q *Quantity) { q.Add(MustParse("1Gi")) }, Quantity{Format: DecimalSI}, "1Gi"},
		{"add zero keeps suffix", func(q *Quantity) { q.Add(MustParse("0")) }, MustParse("100m"), "100m"},
		{"1Gi+0", func(q *Quantity) { q.Add(MustParse("0")) }, MustParse("1Gi"), "1Gi"},
		{"mixed scales", func(q *Quantity) { q.Add(MustParse("500m")) }, MustParse("1Gi"), "1073741824500m"},
		{"sub", func(q *Quantity) { q.Sub(MustParse("1")) }, MustParse("10"), "9"},
		{"zero sub", func(q *Quantity) { q.Sub(MustParse("100m")) }, Quantity{}, "-100m"},
		{"sub to zero", func(q *Quantity) { q.Sub(MustParse("1k")) }, MustParse("1000"), "0"},
		{"past int64", func(q *Quantity) { q.Sub(MustParse("-9223372036854775808")) }, MustParse("1"), "9223372036854775809"},
		{"neg", func(q *Quantity) { q.Neg() }, MustParse("9.01"), "-9010m"},
		{"neg zero", func(q *Quantity) { q.Neg() }, Quantity{}, "0"},
		{"mul", func(q *Quantity) { q.Mul(-50) }, MustParse("-50"), "2500"},
		{"set keeps format", func(q *Quantity) { q.Set(2048) }, MustParse("1Ki"), "2Ki"},
		{"set milli", func(q *Quantity) { q.SetMilli(1500) }, MustParse("1"), "1500m"},
		{"binary sum", func(q *Quantity) { q.Add(MustParse("512Mi")) }, MustParse("512Mi"), "1Gi"},
		{"past Ei", func(q *Quantity) { q.Mul(2048) }, MustParse("1Ei"), "2048Ei"},
	}
	for _, tt := range tests {
		q := tt.in
		tt.op(&q)
		if got := q.String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestMulReportsInt64(t *testing.T) {
	q := *NewQuantity(math.MaxInt64, DecimalSI)
	if q.Mul(2) {
		t.Error("MaxInt64*2 reported as fitting an int64")
	}
	want := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(2)).String()
	if q.String() != want {
		t.Errorf("MaxInt64*2 = %s, want %s", q.String(), want)
	}
}

func TestValueSemantics(t *testing.T) {
	a := MustParse("1")
	b := a.DeepCopy()
	b.Add(MustParse("1"))
	if a.String() != "1" || b.String() != "2" {
		t.Errorf("modifying a copy changed the original: a=%s b=%s", a.String(), b.String())
	}
	m := map[string]Quantity{"cpu": MustParse("1")}
	c := m["cpu"]
	c.Set(5)
	if m["cpu"].String() != "1" {
		t.Errorf("map value changed through a copy: %s", m["cpu"].String())
	}
}

func TestJSON(t *testing.T) {
	type resources struct {
		Limits map[string]Quantity `json:"limits"`
		Zero   Quantity            `json:"zero"`
		Ptr    *Quantity           `json:"ptr,omitempty"`
	}
	in := resources{
		Limits: map[string]Quantity{"cpu": MustParse("0.5"), "memory": MustParse("1024Mi")},
		Ptr:    NewQuantity(1000, DecimalSI),
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"limits":{"cpu":"500m","memory":"1Gi"},"zero":"0","ptr":"1k"}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var out resources
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Limits["cpu"].Equal(MustParse("500m")) || out.Zero.Sign() != 0 || !out.Ptr.Equal(MustParse("1k")) {
		t.Errorf("round trip = %+v", out)
	}
}

func TestUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{`"1"`, "1", nil},
		{`1`, "1", nil},
		{`" 1"`, "1", nil},
		{`"1 "`, "1", nil},
		{` 1`, "1", nil},
		{`-1`, "-1", nil},
		{`0.5`, "500m", nil},
		{`1e3`, "1e3", nil},
		{`"128Mi"`, "128Mi", nil},
		{`null`, "0", nil},
		{`""`, "", ErrFormatWrong},
		{`"1x"`, "", ErrFormatWrong},
		{`"1Ki2"`, "", ErrSuffix},
	}
	for _, tt := range tests {
		q := MustParse("7")
		err := json.Unmarshal([]byte(tt.in), &q)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Unmarshal(%s) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && q.String() != tt.want {
			t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, q.String(), tt.want)
		}
	}
	// encoding/json rejects non-string, non-number tokens before calling us
	// only for syntax errors; an object reaches UnmarshalJSON and must fail.
	var q Quantity
	if err := json.Unmarshal([]byte(`{}`), &q); err == nil {
		t.Error("Unmarshal({}) succeeded")
	}
}
