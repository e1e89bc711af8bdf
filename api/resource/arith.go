package resource

import (
	"math"
	"math/big"
	"strconv"
)

// IsZero reports whether q is zero.
func (q Quantity) IsZero() bool { return signOf(q.unscaled) == 0 }

// Sign returns -1, 0 or 1 as q is negative, zero or positive.
func (q Quantity) Sign() int { return signOf(q.unscaled) }

// Cmp returns -1, 0 or 1 as q is less than, equal to or greater than y.
func (q Quantity) Cmp(y Quantity) int {
	return cmpAmount(q.unscaled, q.scale, y.unscaled, y.scale)
}

// CmpInt64 compares q with the whole number y.
func (q Quantity) CmpInt64(y int64) int {
	return cmpAmount(q.unscaled, q.scale, big.NewInt(y), 0)
}

// Equal reports whether q and v have the same value, whatever their formats
// or original strings; go-cmp uses it.
func (q Quantity) Equal(v Quantity) bool { return q.Cmp(v) == 0 }

// DeepCopy returns a copy of q. Quantities never share mutable state, so the
// copy is the value itself; the method exists for generated-style DeepCopy
// code in API types.
func (q Quantity) DeepCopy() Quantity { return q }

// Add sets q to q+y. If q was zero it takes y's format, as upstream does.
//
// Adding quantities whose scales differ enormously ("1e2000000000" and "1")
// is exact and therefore costs memory proportional to the difference.
func (q *Quantity) Add(y Quantity) {
	q.combine(y, false)
}

// Sub sets q to q-y. If q was zero it takes y's format, as upstream does.
func (q *Quantity) Sub(y Quantity) {
	q.combine(y, true)
}

func (q *Quantity) combine(y Quantity, subtract bool) {
	if q.IsZero() {
		q.Format = y.Format
	}
	q.s = ""
	a, b, scale := align(q.unscaled, q.scale, y.unscaled, y.scale)
	r := new(big.Int)
	if subtract {
		r.Sub(a, b)
	} else {
		r.Add(a, b)
	}
	q.unscaled, q.scale = r, scale
}

// Neg sets q to -q.
func (q *Quantity) Neg() {
	q.s = ""
	q.unscaled = new(big.Int).Neg(orZero(q.unscaled))
}

// Value returns q in whole units, rounded away from zero ("1500m" gives 2,
// "-1500m" gives -2). Values beyond the int64 range saturate at
// math.MaxInt64 or math.MinInt64 (upstream leaves overflow undefined).
func (q Quantity) Value() int64 { return q.ScaledValue(0) }

// MilliValue returns q in thousandths, rounded away from zero and saturated
// like Value.
func (q Quantity) MilliValue() int64 { return q.ScaledValue(Milli) }

// ScaledValue returns q / 10^scale, rounded away from zero and saturated like
// Value. NewQuantity(1, DecimalSI).ScaledValue(Milli) is 1000.
func (q Quantity) ScaledValue(scale Scale) int64 {
	v, _ := scaledInt64(q.unscaled, q.scale, int64(scale))
	return v
}

// AsInt64 returns q as an int64 and true if q is a whole number within the
// int64 range; otherwise 0 and false.
func (q Quantity) AsInt64() (int64, bool) {
	v, ok := scaledInt64(q.unscaled, q.scale, 0)
	if !ok {
		return 0, false
	}
	return v, true
}

// AsApproximateFloat64 returns q as a float64, or ±Inf beyond float64's
// range. Use it for display and scoring, never for accounting.
//
// In the ordinary range it computes mantissa × 10^scale in floating point,
// as upstream does, so results agree with upstream bit for bit (that product
// is not always the correctly rounded value).
func (q Quantity) AsApproximateFloat64() float64 {
	if q.IsZero() {
		return 0
	}
	base, _ := new(big.Float).SetInt(q.unscaled).Float64()
	if q.scale == 0 {
		return base
	}
	if q.scale > -300 && q.scale < 300 && !math.IsInf(base, 0) {
		if f := base * math.Pow10(int(q.scale)); f != 0 && !math.IsInf(f, 0) {
			return f
		}
	}
	// Extreme magnitudes: let ParseFloat round (and saturate to ±Inf or 0)
	// rather than produce 0×Inf = NaN.
	f, _ := strconv.ParseFloat(q.unscaled.String()+"e"+strconv.FormatInt(q.scale, 10), 64)
	return f
}

// Set sets q to value whole units, keeping its format.
func (q *Quantity) Set(value int64) { q.SetScaled(value, 0) }

// SetMilli sets q to value/1000, keeping its format.
func (q *Quantity) SetMilli(value int64) { q.SetScaled(value, Milli) }

// SetScaled sets q to value × 10^scale, keeping its format.
func (q *Quantity) SetScaled(value int64, scale Scale) {
	*q = Quantity{unscaled: big.NewInt(value), scale: int64(scale), Format: q.Format}
}

// Mul sets q to q × y. The result is always exact; Mul reports whether its
// mantissa still fits an int64, as upstream's does.
func (q *Quantity) Mul(y int64) bool {
	q.s = ""
	r := new(big.Int).Mul(orZero(q.unscaled), big.NewInt(y))
	q.unscaled = r
	return r.IsInt64()
}
