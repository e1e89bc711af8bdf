package validation

import (
	"strconv"
	"strings"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/intstr"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/api/names"
)

const selectorMismatchMsg = "`selector` does not match template `labels`"

// ValidateReplicationController checks a replication controller.
func ValidateReplicationController(rc *core.ReplicationController) field.ErrorList {
	errs := ValidateObjectMeta(&rc.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateRCSpec(&rc.Spec, field.NewPath("spec"))...)
}

// ValidateReplicationControllerUpdate checks an update of a replication
// controller; unlike apps kinds, its selector may change.
func ValidateReplicationControllerUpdate(rc, old *core.ReplicationController) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&rc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateRCSpec(&rc.Spec, field.NewPath("spec"))...)
}

func validateRCSpec(spec *core.ReplicationControllerSpec, p *field.Path) field.ErrorList {
	errs := validateNonnegative(int64(spec.MinReadySeconds), p.Child("minReadySeconds"))
	if len(spec.Selector) == 0 {
		errs = append(errs, field.Required(p.Child("selector"), ""))
	}
	errs = append(errs, validateNonnegative(int64(deref(spec.Replicas)), p.Child("replicas"))...)
	tp := p.Child("template")
	if spec.Template == nil {
		return append(errs, field.Required(tp, ""))
	}
	if len(spec.Selector) != 0 && !labels.SelectorFromSet(spec.Selector).Matches(spec.Template.Labels) {
		errs = append(errs, field.Invalid(tp.Child("metadata", "labels"), goSyntax(spec.Template.Labels), selectorMismatchMsg))
	}
	errs = append(errs, ValidatePodTemplateSpec(spec.Template, tp)...)
	return append(errs, validateTemplateForReplicas(&spec.Template.Spec, tp.Child("spec"), "ReplicationController")...)
}

// validateTemplateForReplicas is what long-running controllers require of
// their pods: restartPolicy Always and no deadline.
func validateTemplateForReplicas(spec *core.PodSpec, p *field.Path, kind string) field.ErrorList {
	var errs field.ErrorList
	if spec.RestartPolicy != core.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(p.Child("restartPolicy"), string(spec.RestartPolicy), []string{string(core.RestartPolicyAlways)}))
	}
	if spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(p.Child("activeDeadlineSeconds"), "activeDeadlineSeconds in "+kind+" is not Supported"))
	}
	return errs
}

// validateWorkloadSelector checks a required apps selector and that it
// selects the template, reporting emptiness with kind's wording.
func validateWorkloadSelector(sel *meta.LabelSelector, template *core.PodTemplateSpec, p *field.Path, emptyMsg string) field.ErrorList {
	var errs field.ErrorList
	if sel == nil {
		errs = append(errs, field.Required(p.Child("selector"), ""))
	} else {
		errs = append(errs, ValidateLabelSelector(sel, false, p.Child("selector"))...)
		if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
			errs = append(errs, field.Invalid(p.Child("selector"), upstreamValue(sel), emptyMsg))
		}
	}
	s, err := labels.SelectorFromLabelSelector(sel)
	if err != nil {
		return append(errs, field.Invalid(p.Child("selector"), upstreamValue(sel), "invalid label selector"))
	}
	if !s.Empty() && !s.Matches(template.Labels) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), goSyntax(template.Labels), selectorMismatchMsg))
	}
	return errs
}

// ValidateDeployment checks a deployment.
func ValidateDeployment(d *apps.Deployment) field.ErrorList {
	errs := ValidateObjectMeta(&d.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateDeploymentSpec(&d.Spec, field.NewPath("spec"))...)
}

// ValidateDeploymentUpdate checks an update of a deployment; its selector
// is immutable in apps/v1.
func ValidateDeploymentUpdate(d, old *apps.Deployment) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateDeploymentSpec(&d.Spec, field.NewPath("spec"))...)
	return append(errs, validateImmutable(d.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateDeploymentSpec(spec *apps.DeploymentSpec, p *field.Path) field.ErrorList {
	errs := validateNonnegative(int64(deref(spec.Replicas)), p.Child("replicas"))
	errs = append(errs, validateWorkloadSelector(spec.Selector, &spec.Template, p, "empty selector is invalid for deployment")...)
	if _, err := labels.SelectorFromLabelSelector(spec.Selector); err == nil {
		tp := p.Child("template")
		errs = append(errs, ValidatePodTemplateSpec(&spec.Template, tp)...)
		errs = append(errs, validateTemplateForReplicas(&spec.Template.Spec, tp.Child("spec"), "ReplicaSet")...)
	}
	errs = append(errs, validateDeploymentStrategy(&spec.Strategy, p.Child("strategy"))...)
	errs = append(errs, validateNonnegative(int64(spec.MinReadySeconds), p.Child("minReadySeconds"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, validateNonnegative(int64(*spec.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	if pd := spec.ProgressDeadlineSeconds; pd != nil {
		errs = append(errs, validateNonnegative(int64(*pd), p.Child("progressDeadlineSeconds"))...)
		if *pd <= spec.MinReadySeconds {
			errs = append(errs, field.Invalid(p.Child("progressDeadlineSeconds"), *pd, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

func validateDeploymentStrategy(s *apps.DeploymentStrategy, p *field.Path) field.ErrorList {
	switch s.Type {
	case apps.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Forbidden(p.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")}
		}
		return nil
	case apps.RollingUpdateDeploymentStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(p.Child("rollingUpdate"), "this should be defaulted and never be nil")}
		}
		ru, rp := s.RollingUpdate, p.Child("rollingUpdate")
		unavailable, surge := derefIntOrString(ru.MaxUnavailable), derefIntOrString(ru.MaxSurge)
		errs := validatePositiveIntOrPercent(unavailable, rp.Child("maxUnavailable"))
		errs = append(errs, validatePositiveIntOrPercent(surge, rp.Child("maxSurge"))...)
		if intOrPercentValue(unavailable) == 0 && intOrPercentValue(surge) == 0 {
			errs = append(errs, field.Invalid(rp.Child("maxUnavailable"), rendered(unavailable.String()), "may not be 0 when `maxSurge` is 0"))
		}
		return append(errs, validateNotMoreThan100Percent(unavailable, rp.Child("maxUnavailable"))...)
	}
	return field.ErrorList{field.NotSupported(p, goSyntax(*s), []string{
		string(apps.RecreateDeploymentStrategyType), string(apps.RollingUpdateDeploymentStrategyType)})}
}

// ValidateReplicaSet checks a replica set.
func ValidateReplicaSet(rs *apps.ReplicaSet) field.ErrorList {
	errs := ValidateObjectMeta(&rs.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateReplicaSetSpec(&rs.Spec, field.NewPath("spec"))...)
}

// ValidateReplicaSetUpdate checks an update of a replica set; its selector
// is immutable in apps/v1.
func ValidateReplicaSetUpdate(rs, old *apps.ReplicaSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateReplicaSetSpec(&rs.Spec, field.NewPath("spec"))...)
	return append(errs, validateImmutable(rs.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateReplicaSetSpec(spec *apps.ReplicaSetSpec, p *field.Path) field.ErrorList {
	errs := validateNonnegative(int64(deref(spec.Replicas)), p.Child("replicas"))
	errs = append(errs, validateNonnegative(int64(spec.MinReadySeconds), p.Child("minReadySeconds"))...)
	// Upstream's replica set reuses the deployment's wording here.
	errs = append(errs, validateWorkloadSelector(spec.Selector, &spec.Template, p, "empty selector is invalid for deployment")...)
	if _, err := labels.SelectorFromLabelSelector(spec.Selector); err == nil {
		tp := p.Child("template")
		errs = append(errs, ValidatePodTemplateSpec(&spec.Template, tp)...)
		errs = append(errs, validateTemplateForReplicas(&spec.Template.Spec, tp.Child("spec"), "ReplicaSet")...)
	}
	return errs
}

// ValidateDaemonSet checks a daemon set.
func ValidateDaemonSet(ds *apps.DaemonSet) field.ErrorList {
	errs := ValidateObjectMeta(&ds.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateDaemonSetSpec(&ds.Spec, field.NewPath("spec"))...)
}

// ValidateDaemonSetUpdate checks an update of a daemon set; its selector is
// immutable in apps/v1.
func ValidateDaemonSetUpdate(ds, old *apps.DaemonSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ds.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateDaemonSetSpec(&ds.Spec, field.NewPath("spec"))...)
	return append(errs, validateImmutable(ds.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateDaemonSetSpec(spec *apps.DaemonSetSpec, p *field.Path) field.ErrorList {
	sel := spec.Selector
	errs := ValidateLabelSelector(sel, false, p.Child("selector"))
	if s, err := labels.SelectorFromLabelSelector(sel); err == nil && !s.Matches(spec.Template.Labels) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), goSyntax(spec.Template.Labels), selectorMismatchMsg))
	}
	if sel != nil && len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(p.Child("selector"), upstreamValue(sel), "empty selector is invalid for daemonset"))
	}
	tp := p.Child("template")
	errs = append(errs, ValidatePodTemplateSpec(&spec.Template, tp)...)
	errs = append(errs, validateTemplateForReplicas(&spec.Template.Spec, tp.Child("spec"), "DaemonSet")...)
	errs = append(errs, validateNonnegative(int64(spec.MinReadySeconds), p.Child("minReadySeconds"))...)
	errs = append(errs, validateDaemonSetStrategy(&spec.UpdateStrategy, p.Child("updateStrategy"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, validateNonnegative(int64(*spec.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	return errs
}

func validateDaemonSetStrategy(s *apps.DaemonSetUpdateStrategy, p *field.Path) field.ErrorList {
	switch s.Type {
	case apps.OnDeleteDaemonSetStrategyType:
		return nil
	case apps.RollingUpdateDaemonSetStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(p.Child("rollingUpdate"), "")}
		}
		rp := p.Child("rollingUpdate")
		unavailable, surge := derefIntOrString(s.RollingUpdate.MaxUnavailable), derefIntOrString(s.RollingUpdate.MaxSurge)
		errs := validatePositiveIntOrPercent(unavailable, rp.Child("maxUnavailable"))
		errs = append(errs, validatePositiveIntOrPercent(surge, rp.Child("maxSurge"))...)
		errs = append(errs, validateNotMoreThan100Percent(unavailable, rp.Child("maxUnavailable"))...)
		errs = append(errs, validateNotMoreThan100Percent(surge, rp.Child("maxSurge"))...)
		hasUnavailable, hasSurge := intOrPercentValue(unavailable) != 0, intOrPercentValue(surge) != 0
		switch {
		case hasUnavailable && hasSurge:
			errs = append(errs, field.Invalid(rp.Child("maxSurge"), rendered(surge.String()), "may not be set when maxUnavailable is non-zero"))
		case !hasUnavailable && !hasSurge:
			errs = append(errs, field.Required(rp.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
		}
		return errs
	}
	return field.ErrorList{field.NotSupported(p, goSyntax(*s), []string{
		string(apps.RollingUpdateDaemonSetStrategyType), string(apps.OnDeleteDaemonSetStrategyType)})}
}

// validatePositiveIntOrPercent accepts a non-negative count or "N%".
func validatePositiveIntOrPercent(v intstr.IntOrString, p *field.Path) field.ErrorList {
	switch v.Type {
	case intstr.String:
		return invalidEach(p, rendered(v.String()), names.IsValidPercent(v.StrVal))
	case intstr.Int:
		return validateNonnegative(int64(v.IntValue()), p)
	}
	return field.ErrorList{field.Invalid(p, rendered(v.String()), "must be an integer or percentage (e.g '5%%')")}
}

// percentValue returns N for a well-formed "N%".
func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(names.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	return n, true
}

func intOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	return v.IntValue()
}

func validateNotMoreThan100Percent(v intstr.IntOrString, p *field.Path) field.ErrorList {
	if n, ok := percentValue(v); ok && n > 100 {
		return field.ErrorList{field.Invalid(p, rendered(v.String()), "must not be greater than 100%")}
	}
	return nil
}

// derefIntOrString reads an optional count or percentage; unset is 0, as
// in upstream's internal types (defaulting always sets it).
func derefIntOrString(v *intstr.IntOrString) intstr.IntOrString {
	if v == nil {
		return intstr.FromInt32(0)
	}
	return *v
}

// deref reads an optional number; unset is 0, as in upstream's internal
// types (defaulting always sets it).
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
