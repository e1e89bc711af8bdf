package taints

import "seven.dev/api/core"

// Tolerates reports whether tol tolerates taint, upstream's rules: an empty effect
// matches every effect, an empty key with Exists matches every key, Exists ignores the
// value and Equal (the default operator) compares it.
func Tolerates(tol core.Toleration, taint core.Taint) bool {
	if tol.Effect != "" && tol.Effect != taint.Effect {
		return false
	}
	if tol.Key != "" && tol.Key != taint.Key {
		return false
	}
	switch tol.Operator {
	case core.TolerationOpExists:
		return true
	case "", core.TolerationOpEqual:
		return tol.Key != "" && tol.Value == taint.Value
	}
	return false
}

// Matching returns the tolerations of tols that tolerate taint.
func Matching(tols []core.Toleration, taint core.Taint) []core.Toleration {
	var out []core.Toleration
	for _, t := range tols {
		if Tolerates(t, taint) {
			out = append(out, t)
		}
	}
	return out
}

// ToleratesAll reports whether every taint of taints with one of effects (all effects
// when none are given) is tolerated by tols.
func ToleratesAll(tols []core.Toleration, taints []core.Taint, effects ...core.TaintEffect) bool {
	for _, t := range taints {
		if len(effects) > 0 && !has(effects, t.Effect) {
			continue
		}
		if len(Matching(tols, t)) == 0 {
			return false
		}
	}
	return true
}

func has(effects []core.TaintEffect, e core.TaintEffect) bool {
	for _, x := range effects {
		if x == e {
			return true
		}
	}
	return false
}
