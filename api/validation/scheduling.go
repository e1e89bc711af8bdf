package validation

import (
	"fmt"
	"slices"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/api/names"
)

// maxAffinityWeight bounds the weight of preferred scheduling terms.
const maxAffinityWeight = 100

func taintEffects() []string {
	return []string{string(core.TaintEffectNoSchedule), string(core.TaintEffectPreferNoSchedule), string(core.TaintEffectNoExecute)}
}

func validateAffinity(a *core.Affinity, p *field.Path) field.ErrorList {
	if a == nil {
		return nil
	}
	var errs field.ErrorList
	if na := a.NodeAffinity; na != nil {
		np := p.Child("nodeAffinity")
		if r := na.RequiredDuringSchedulingIgnoredDuringExecution; r != nil {
			errs = append(errs, validateNodeSelector(r, false, np.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		}
		for i, t := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			tp := np.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
			if t.Weight <= 0 || t.Weight > maxAffinityWeight {
				errs = append(errs, field.Invalid(tp.Child("weight"), t.Weight, "must be in the range 1-100"))
			}
			// Invalid label values are always tolerated in preferences.
			errs = append(errs, validateNodeSelectorTerm(t.Preference, true, tp.Child("preference"))...)
		}
	}
	if pa := a.PodAffinity; pa != nil {
		errs = append(errs, validatePodAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, p.Child("podAffinity"))...)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		errs = append(errs, validatePodAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, p.Child("podAntiAffinity"))...)
	}
	return errs
}

func validateNodeSelector(s *core.NodeSelector, allowInvalidValues bool, p *field.Path) field.ErrorList {
	tp := p.Child("nodeSelectorTerms")
	if len(s.NodeSelectorTerms) == 0 {
		return field.ErrorList{field.Required(tp, "must have at least one node selector term")}
	}
	var errs field.ErrorList
	for i, t := range s.NodeSelectorTerms {
		errs = append(errs, validateNodeSelectorTerm(t, allowInvalidValues, tp.Index(i))...)
	}
	return errs
}

func validateNodeSelectorTerm(t core.NodeSelectorTerm, allowInvalidValues bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for j, r := range t.MatchExpressions {
		rp := p.Child("matchExpressions").Index(j)
		switch r.Operator {
		case core.NodeSelectorOpIn, core.NodeSelectorOpNotIn:
			if len(r.Values) == 0 {
				errs = append(errs, field.Required(rp.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case core.NodeSelectorOpExists, core.NodeSelectorOpDoesNotExist:
			if len(r.Values) > 0 {
				errs = append(errs, field.Forbidden(rp.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		case core.NodeSelectorOpGt, core.NodeSelectorOpLt:
			if len(r.Values) != 1 {
				errs = append(errs, field.Required(rp.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
			}
		default:
			errs = append(errs, field.Invalid(rp.Child("operator"), string(r.Operator), "not a valid selector operator"))
		}
		errs = append(errs, validateLabelName(r.Key, rp.Child("key"))...)
		if !allowInvalidValues {
			for k, v := range r.Values {
				errs = append(errs, invalidEach(rp.Child("values").Index(k), v, names.IsValidLabelValue(v))...)
			}
		}
	}
	for j, r := range t.MatchFields {
		rp := p.Child("matchFields").Index(j)
		switch r.Operator {
		case core.NodeSelectorOpIn, core.NodeSelectorOpNotIn:
			if len(r.Values) != 1 {
				errs = append(errs, field.Required(rp.Child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
			}
		default:
			errs = append(errs, field.Invalid(rp.Child("operator"), string(r.Operator), "not a valid selector operator"))
		}
		if r.Key != "metadata.name" {
			errs = append(errs, field.Invalid(rp.Child("key"), r.Key, "not a valid field selector key"))
		} else {
			for k, v := range r.Values {
				errs = append(errs, invalidEach(rp.Child("values").Index(k), v, nameIsDNSSubdomain(v, false))...)
			}
		}
	}
	return errs
}

func validatePodAffinityTerms(required []core.PodAffinityTerm, preferred []core.WeightedPodAffinityTerm, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range required {
		errs = append(errs, validatePodAffinityTerm(t, p.Child("requiredDuringSchedulingIgnoredDuringExecution").Index(i))...)
	}
	for i, t := range preferred {
		tp := p.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
		if t.Weight <= 0 || t.Weight > maxAffinityWeight {
			errs = append(errs, field.Invalid(tp.Child("weight"), t.Weight, "must be in the range 1-100"))
		}
		errs = append(errs, validatePodAffinityTerm(t.PodAffinityTerm, tp.Child("podAffinityTerm"))...)
	}
	return errs
}

func validatePodAffinityTerm(t core.PodAffinityTerm, p *field.Path) field.ErrorList {
	errs := ValidateLabelSelector(t.LabelSelector, false, p.Child("labelSelector"))
	errs = append(errs, ValidateLabelSelector(t.NamespaceSelector, false, p.Child("namespaceSelector"))...)
	for _, ns := range t.Namespaces {
		errs = append(errs, invalidEach(p.Child("namespace"), ns, nameIsDNSLabel(ns, false))...)
	}
	errs = append(errs, validateMatchLabelKeys(p, t.MatchLabelKeys, t.MismatchLabelKeys, t.LabelSelector)...)
	if t.TopologyKey == "" {
		errs = append(errs, field.Required(p.Child("topologyKey"), "can not be empty"))
	}
	return append(errs, validateLabelName(t.TopologyKey, p.Child("topologyKey"))...)
}

// validateMatchLabelKeys checks matchLabelKeys and mismatchLabelKeys of a
// pod affinity term: valid label names, only with a selector, not also in
// the selector, and not in both lists.
func validateMatchLabelKeys(p *field.Path, match, mismatch []string, sel *meta.LabelSelector) field.ErrorList {
	var errs field.ErrorList
	for _, keys := range []struct {
		name string
		list []string
	}{{"matchLabelKeys", match}, {"mismatchLabelKeys", mismatch}} {
		if len(keys.list) == 0 {
			continue
		}
		kp := p.Child(keys.name)
		if sel == nil {
			errs = append(errs, field.Forbidden(kp, "must not be specified when labelSelector is not set"))
			continue
		}
		for i, k := range keys.list {
			errs = append(errs, validateLabelName(k, kp.Index(i))...)
		}
	}
	if sel != nil {
		for _, expr := range sel.MatchExpressions {
			if i := slices.Index(match, expr.Key); i >= 0 {
				if _, ok := sel.MatchLabels[expr.Key]; ok {
					errs = append(errs, field.Invalid(p.Index(i), expr.Key, "exists in both matchLabelKeys and labelSelector"))
				}
			}
		}
	}
	for i, k := range match {
		if slices.Contains(mismatch, k) {
			errs = append(errs, field.Invalid(p.Child("matchLabelKeys").Index(i), k, "exists in both matchLabelKeys and mismatchLabelKeys"))
		}
	}
	return errs
}

// ValidateTolerations checks tolerations: keys, operator and value
// combinations, and effects.
func ValidateTolerations(tolerations []core.Toleration, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range tolerations {
		p := fldPath.Index(i)
		if t.Key != "" {
			errs = append(errs, validateLabelName(t.Key, p.Child("key"))...)
		}
		if t.Key == "" && t.Operator != core.TolerationOpExists {
			errs = append(errs, field.Invalid(p.Child("operator"), string(t.Operator),
				"operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != core.TaintEffectNoExecute {
			errs = append(errs, field.Invalid(p.Child("effect"), string(t.Effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case core.TolerationOpEqual, "":
			if msgs := names.IsValidLabelValue(t.Value); len(msgs) != 0 {
				errs = append(errs, field.Invalid(p.Child("operator"), t.Value, strings.Join(msgs, ";")))
			}
		case core.TolerationOpExists:
			if t.Value != "" {
				errs = append(errs, field.Invalid(p.Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, field.NotSupported(p.Child("operator"), string(t.Operator),
				[]string{string(core.TolerationOpEqual), string(core.TolerationOpExists)}))
		}
		if t.Effect != "" {
			errs = append(errs, validateTaintEffect(t.Effect, true, p.Child("effect"))...)
		}
	}
	return errs
}

func validateTaintEffect(e core.TaintEffect, allowEmpty bool, p *field.Path) field.ErrorList {
	if !allowEmpty && e == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if !slices.Contains(taintEffects(), string(e)) {
		return field.ErrorList{field.NotSupported(p, string(e), taintEffects())}
	}
	return nil
}

// validateTaints checks a node's taints; each (key, effect) pair may appear
// once.
func validateTaints(taints []core.Taint, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[core.TaintEffect]map[string]bool{}
	for i, t := range taints {
		p := fldPath.Index(i)
		errs = append(errs, validateLabelName(t.Key, p.Child("key"))...)
		if msgs := names.IsValidLabelValue(t.Value); len(msgs) != 0 {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, strings.Join(msgs, ";")))
		}
		errs = append(errs, validateTaintEffect(t.Effect, false, p.Child("effect"))...)
		if seen[t.Effect][t.Key] {
			dup := field.Duplicate(p, goSyntax(t))
			dup.Detail = "taints must be unique by key and effect pair"
			errs = append(errs, dup)
			continue
		}
		if seen[t.Effect] == nil {
			seen[t.Effect] = map[string]bool{}
		}
		seen[t.Effect][t.Key] = true
	}
	return errs
}

func validateTopologySpreadConstraints(cs []core.TopologySpreadConstraint, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, c := range cs {
		p := fldPath.Index(i)
		if c.MaxSkew <= 0 {
			errs = append(errs, field.Invalid(p.Child("maxSkew"), c.MaxSkew, isNotPositiveErrorMsg))
		}
		if c.TopologyKey == "" {
			errs = append(errs, field.Required(p.Child("topologyKey"), "can not be empty"))
		}
		if c.WhenUnsatisfiable != core.DoNotSchedule && c.WhenUnsatisfiable != core.ScheduleAnyway {
			errs = append(errs, field.NotSupported(p.Child("whenUnsatisfiable"), string(c.WhenUnsatisfiable),
				[]string{string(core.DoNotSchedule), string(core.ScheduleAnyway)}))
		}
		for _, other := range cs[i+1:] {
			if c.TopologyKey == other.TopologyKey && c.WhenUnsatisfiable == other.WhenUnsatisfiable {
				errs = append(errs, field.Duplicate(p.Child("{topologyKey, whenUnsatisfiable}"),
					fmt.Sprintf("{%v, %v}", c.TopologyKey, c.WhenUnsatisfiable)))
				break
			}
		}
		if md := c.MinDomains; md != nil {
			if *md <= 0 {
				errs = append(errs, field.Invalid(p.Child("minDomains"), *md, isNotPositiveErrorMsg))
			}
			if c.WhenUnsatisfiable != core.DoNotSchedule {
				errs = append(errs, field.Invalid(p.Child("minDomains"), *md, fmt.Sprintf(
					"can only use minDomains if whenUnsatisfiable=%s, not %s", core.DoNotSchedule, c.WhenUnsatisfiable)))
			}
		}
		for _, pol := range []struct {
			name string
			v    *core.NodeInclusionPolicy
		}{{"nodeAffinityPolicy", c.NodeAffinityPolicy}, {"nodeTaintsPolicy", c.NodeTaintsPolicy}} {
			if pol.v != nil && *pol.v != core.NodeInclusionPolicyHonor && *pol.v != core.NodeInclusionPolicyIgnore {
				errs = append(errs, field.NotSupported(p.Child(pol.name), string(*pol.v),
					[]string{string(core.NodeInclusionPolicyHonor), string(core.NodeInclusionPolicyIgnore)}))
			}
		}
		if len(c.MatchLabelKeys) > 0 {
			kp := p.Child("matchLabelKeys")
			if c.LabelSelector == nil {
				errs = append(errs, field.Forbidden(kp, "must not be specified when labelSelector is not set"))
			}
			for j, k := range c.MatchLabelKeys {
				errs = append(errs, validateLabelName(k, kp.Index(j))...)
				if c.LabelSelector != nil && selectorHasKey(c.LabelSelector, k) {
					errs = append(errs, field.Invalid(kp.Index(j), k, "exists in both matchLabelKeys and labelSelector"))
				}
			}
		}
		errs = append(errs, ValidateLabelSelector(c.LabelSelector, false, p.Child("labelSelector"))...)
	}
	return errs
}

func selectorHasKey(s *meta.LabelSelector, key string) bool {
	if _, ok := s.MatchLabels[key]; ok {
		return true
	}
	return slices.ContainsFunc(s.MatchExpressions, func(r meta.LabelSelectorRequirement) bool { return r.Key == key })
}
