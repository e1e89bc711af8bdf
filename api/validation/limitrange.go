package validation

import (
	"fmt"
	"slices"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
	"seven.dev/api/resource"
)

// ValidateLimitRange checks a limit range: item types and resource names,
// and that min <= default request <= default <= max and the ratio bounds
// agree for every resource.
func ValidateLimitRange(lr *core.LimitRange) field.ErrorList {
	errs := ValidateObjectMeta(&lr.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	seenTypes := map[core.LimitType]bool{}
	for i := range lr.Spec.Limits {
		item, p := &lr.Spec.Limits[i], field.NewPath("spec", "limits").Index(i)
		errs = append(errs, validateLimitType(item.Type, p.Child("type"))...)
		if seenTypes[item.Type] {
			errs = append(errs, field.Duplicate(p.Child("type"), string(item.Type)))
		}
		seenTypes[item.Type] = true
		names := func(rl core.ResourceList, name string) {
			for _, n := range sortedKeys(rl) {
				errs = append(errs, validateLimitRangeResourceName(item.Type, n, p.Child(name).Key(string(n)))...)
			}
		}
		names(item.Max, "max")
		names(item.Min, "min")
		if item.Type == core.LimitTypePod {
			if len(item.Default) > 0 {
				errs = append(errs, field.Forbidden(p.Child("default"), "may not be specified when `type` is 'Pod'"))
			}
			if len(item.DefaultRequest) > 0 {
				errs = append(errs, field.Forbidden(p.Child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
			}
		} else {
			names(item.Default, "default")
			names(item.DefaultRequest, "defaultRequest")
		}
		if item.Type == core.LimitTypePersistentVolumeClaim {
			_, hasMin := item.Min[core.ResourceStorage]
			_, hasMax := item.Max[core.ResourceStorage]
			if !hasMin && !hasMax {
				errs = append(errs, field.Required(p.Child("limits"), "either minimum or maximum storage value is required, but neither was provided"))
			}
		}
		names(item.MaxLimitRequestRatio, "maxLimitRequestRatio")
		errs = append(errs, validateLimitBounds(item, p)...)
	}
	return errs
}

func validateLimitType(t core.LimitType, p *field.Path) field.ErrorList {
	errs := invalidEach(p, string(t), names.IsQualifiedName(string(t)))
	if len(errs) == 0 && !strings.Contains(string(t), "/") && !slices.Contains(standardLimitRangeTypes(), t) {
		errs = append(errs, field.Invalid(p, string(t), "must be a standard limit type or fully qualified"))
	}
	return errs
}

func validateLimitRangeResourceName(t core.LimitType, n core.ResourceName, p *field.Path) field.ErrorList {
	if t == core.LimitTypePod || t == core.LimitTypeContainer {
		return validateContainerResourceName(n, p)
	}
	return validateResourceName(n, p)
}

// validateLimitBounds checks the ordering of one item's bounds per resource.
func validateLimitBounds(item *core.LimitRangeItem, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	keys := map[core.ResourceName]bool{}
	for _, rl := range []core.ResourceList{item.Max, item.Min, item.Default, item.DefaultRequest, item.MaxLimitRequestRatio} {
		for n := range rl {
			keys[n] = true
		}
	}
	for _, n := range sortedKeys(keys) {
		k := string(n)
		minQ, hasMin := item.Min[n]
		maxQ, hasMax := item.Max[n]
		def, hasDef := item.Default[n]
		defReq, hasDefReq := item.DefaultRequest[n]
		ratio, hasRatio := item.MaxLimitRequestRatio[n]
		if item.Type == core.LimitTypePod {
			hasDef, hasDefReq = false, false
		}
		gt := func(a, b resource.Quantity) bool { return a.Cmp(b) > 0 }
		if hasMin && hasMax && gt(minQ, maxQ) {
			errs = append(errs, field.Invalid(p.Child("min").Key(k), rendered(minQ.String()), fmt.Sprintf("min value %s is greater than max value %s", minQ.String(), maxQ.String())))
		}
		if hasDefReq && hasMin && gt(minQ, defReq) {
			errs = append(errs, field.Invalid(p.Child("defaultRequest").Key(k), rendered(defReq.String()), fmt.Sprintf("min value %s is greater than default request value %s", minQ.String(), defReq.String())))
		}
		if hasDefReq && hasMax && gt(defReq, maxQ) {
			errs = append(errs, field.Invalid(p.Child("defaultRequest").Key(k), rendered(defReq.String()), fmt.Sprintf("default request value %s is greater than max value %s", defReq.String(), maxQ.String())))
		}
		if hasDefReq && hasDef && gt(defReq, def) {
			errs = append(errs, field.Invalid(p.Child("defaultRequest").Key(k), rendered(defReq.String()), fmt.Sprintf("default request value %s is greater than default limit value %s", defReq.String(), def.String())))
		}
		if hasDef && hasMin && gt(minQ, def) {
			errs = append(errs, field.Invalid(p.Child("default").Key(k), rendered(minQ.String()), fmt.Sprintf("min value %s is greater than default value %s", minQ.String(), def.String())))
		}
		if hasDef && hasMax && gt(def, maxQ) {
			errs = append(errs, field.Invalid(p.Child("default").Key(k), rendered(maxQ.String()), fmt.Sprintf("default value %s is greater than max value %s", def.String(), maxQ.String())))
		}
		if hasRatio && ratio.CmpInt64(1) < 0 {
			errs = append(errs, field.Invalid(p.Child("maxLimitRequestRatio").Key(k), rendered(ratio.String()), fmt.Sprintf("ratio %s is less than 1", ratio.String())))
		}
		if hasRatio && hasMin && hasMax && minQ.Sign() > 0 {
			limit := maxQ.AsApproximateFloat64() / minQ.AsApproximateFloat64()
			if ratio.AsApproximateFloat64() > limit {
				errs = append(errs, field.Invalid(p.Child("maxLimitRequestRatio").Key(k), rendered(ratio.String()), fmt.Sprintf("ratio %s is greater than max/min = %f", ratio.String(), limit)))
			}
		}
		if !isOvercommitAllowed(n) && hasDef && hasDefReq && def.Cmp(defReq) != 0 {
			errs = append(errs, field.Invalid(p.Child("defaultRequest").Key(k), rendered(defReq.String()), fmt.Sprintf("default value %s must equal to defaultRequest value %s in %s", def.String(), defReq.String(), k)))
		}
	}
	return errs
}
