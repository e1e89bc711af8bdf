package resource

import (
	"math/big"
)

// This file holds arithmetic on (unscaled, scale) pairs, the representation
// behind Quantity. None of these helpers modify their *big.Int arguments.
// Scales can be astronomically large ("1e2000000000" parses), so comparisons
// reason about orders of magnitude before materialising any power of ten.

// pow10 returns 10^n for n >= 0.
func pow10(n int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

// numDigits returns the number of decimal digits in |x| (1 for zero).
func numDigits(x *big.Int) int {
	if x == nil || x.Sign() == 0 {
		return 1
	}
	n := len(x.Text(10))
	if x.Sign() < 0 {
		n--
	}
	return n
}

func signOf(x *big.Int) int {
	if x == nil {
		return 0
	}
	return x.Sign()
}

func orZero(x *big.Int) *big.Int {
	if x == nil {
		return new(big.Int)
	}
	return x
}

// cmpAmount compares a×10^as with b×10^bs.
func cmpAmount(a *big.Int, as int64, b *big.Int, bs int64) int {
	sa, sb := signOf(a), signOf(b)
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	case sa == 0:
		return 0
	}
	// Same non-zero sign: the one with more digits before the point wins,
	// which keeps the later alignment within the digits actually present.
	oa, ob := int64(numDigits(a))+as, int64(numDigits(b))+bs
	if oa != ob {
		if oa > ob {
			return sa
		}
		return -sa
	}
	x, y, _ := align(a, as, b, bs)
	return x.Cmp(y)
}

// align returns a and b rescaled to the smaller of their two scales, and
// that scale. The cost grows with the scale difference.
func align(a *big.Int, as int64, b *big.Int, bs int64) (*big.Int, *big.Int, int64) {
	a, b = orZero(a), orZero(b)
	switch {
	case as > bs:
		return new(big.Int).Mul(a, pow10(as-bs)), b, bs
	case bs > as:
		return a, new(big.Int).Mul(b, pow10(bs-as)), as
	}
	return a, b, as
}

// scaledInt64 returns ceil-away-from-zero of u×10^scale / 10^to, saturated
// to the int64 range, and whether it is exact and in range.
func scaledInt64(u *big.Int, scale, to int64) (int64, bool) {
	sign := signOf(u)
	if sign == 0 {
		return 0, true
	}
	if scale >= to {
		// An integer; too many digits means it cannot fit.
		if int64(numDigits(u))+scale-to > 19 {
			return saturate(sign), false
		}
		v := new(big.Int).Mul(u, pow10(scale-to))
		if !v.IsInt64() {
			return saturate(sign), false
		}
		return v.Int64(), true
	}
	shift := to - scale
	if shift > int64(numDigits(u)) {
		// |value| < 1 unit of the target scale.
		return int64(sign), false
	}
	mag := new(big.Int).Abs(u)
	q, r := new(big.Int).QuoRem(mag, pow10(shift), new(big.Int))
	exact := r.Sign() == 0
	if !exact {
		q.Add(q, big.NewInt(1))
	}
	if sign < 0 {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return saturate(sign), false
	}
	return q.Int64(), exact
}

func saturate(sign int) int64 {
	if sign < 0 {
		return -1 << 63
	}
	return 1<<63 - 1
}
