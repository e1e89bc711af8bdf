package validation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
)

// Limits on jobs.
const (
	maxParallelismForIndexedJob             = 100000
	maxFailedIndexesForIndexedJob           = 100000
	completionsSoftLimit                    = 100000
	parallelismLimitForHighCompletions      = 10000
	maxFailedIndexesLimitForHighCompletions = 10000
	maxPodFailurePolicyRules                = 20
	maxPodFailurePolicyOnExitCodesValues    = 255
	maxPodFailurePolicyOnPodConditions      = 20
	maxManagedByLength                      = 63
	maxSuccessPolicyRules                   = 20
	maxSucceededIndexesLength               = 64 * 1024
)

// podFailurePolicyActions and the lists below are sorted as upstream prints
// them.
func podFailurePolicyActions() []string {
	return []string{
		string(batch.PodFailurePolicyActionCount), string(batch.PodFailurePolicyActionFailIndex),
		string(batch.PodFailurePolicyActionFailJob), string(batch.PodFailurePolicyActionIgnore),
	}
}

func exitCodeOperators() []string {
	return []string{string(batch.PodFailurePolicyOnExitCodesOpIn), string(batch.PodFailurePolicyOnExitCodesOpNotIn)}
}

func conditionStatuses() []string {
	return []string{string(core.ConditionFalse), string(core.ConditionTrue), string(core.ConditionUnknown)}
}

// ValidateJob checks a job being created. Unless the selector is manual,
// it must be the one GenerateJobSelector (seven.dev/api/defaults) made, so
// the job must already have its UID.
func ValidateJob(job *batch.Job) field.ErrorList {
	return validateJob(job, true)
}

// validateJob is ValidateJob with the prefixed batch.kubernetes.io labels
// required or not (jobs stored before they existed are exempt).
func validateJob(job *batch.Job, prefixedLabels bool) field.ErrorList {
	errs := ValidateObjectMeta(&job.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateGeneratedSelector(job, prefixedLabels)...)
	errs = append(errs, validateJobSpec(&job.Spec, field.NewPath("spec"))...)
	if c := job.Spec.Completions; c != nil && *c > 0 && deref(job.Spec.CompletionMode) == batch.IndexedCompletion {
		// Indexed pods are named "<job>-<index>"; the last must be a label.
		host := fmt.Sprintf("%s-%d", job.Name, *c-1)
		if len(nameIsDNSLabel(host, false)) > 0 {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), job.Name, "will not able to create pod with invalid DNS label: "+host))
		}
	}
	return errs
}

// validateGeneratedSelector requires a generated selector to select the
// job's own labels, and the template to carry them.
func validateGeneratedSelector(job *batch.Job, prefixedLabels bool) field.ErrorList {
	if deref(job.Spec.ManualSelector) || job.Spec.Selector == nil {
		return nil
	}
	var errs field.ErrorList
	if job.UID == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "uid"), ""))
	}
	tp := field.NewPath("spec", "template", "metadata")
	expected := map[string]string{batch.LegacyControllerUIDLabel: job.UID, batch.LegacyJobNameLabel: job.Name}
	errs = append(errs, validateHasLabel(job.Spec.Template.ObjectMeta, tp, batch.LegacyControllerUIDLabel, job.UID)...)
	errs = append(errs, validateHasLabel(job.Spec.Template.ObjectMeta, tp, batch.LegacyJobNameLabel, job.Name)...)
	if prefixedLabels {
		errs = append(errs, validateHasLabel(job.Spec.Template.ObjectMeta, tp, batch.ControllerUIDLabel, job.UID)...)
		errs = append(errs, validateHasLabel(job.Spec.Template.ObjectMeta, tp, batch.JobNameLabel, job.Name)...)
		expected[batch.ControllerUIDLabel] = job.UID
		expected[batch.JobNameLabel] = job.Name
	}
	if s, err := labels.SelectorFromLabelSelector(job.Spec.Selector); err == nil && !s.Matches(expected) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), upstreamValue(job.Spec.Selector), "`selector` not auto-generated"))
	}
	return errs
}

func validateHasLabel(m meta.ObjectMeta, p *field.Path, key, want string) field.ErrorList {
	got, ok := m.Labels[key]
	if !ok {
		return field.ErrorList{field.Required(p.Child("labels").Key(key), fmt.Sprintf("must be '%s'", want))}
	}
	if got != want {
		return field.ErrorList{field.Invalid(p.Child("labels").Key(key), goSyntax(m.Labels), fmt.Sprintf("must be '%s'", want))}
	}
	return nil
}

func validateJobSpec(spec *batch.JobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, f := range []struct {
		name string
		v    *int32
	}{
		{"parallelism", spec.Parallelism}, {"completions", spec.Completions},
	} {
		if f.v != nil {
			errs = append(errs, validateNonnegative(int64(*f.v), p.Child(f.name))...)
		}
	}
	if spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, validateNonnegative(*spec.ActiveDeadlineSeconds, p.Child("activeDeadlineSeconds"))...)
	}
	for _, f := range []struct {
		name string
		v    *int32
	}{
		{"backoffLimit", spec.BackoffLimit}, {"ttlSecondsAfterFinished", spec.TTLSecondsAfterFinished},
		{"backoffLimitPerIndex", spec.BackoffLimitPerIndex},
	} {
		if f.v != nil {
			errs = append(errs, validateNonnegative(int64(*f.v), p.Child(f.name))...)
		}
	}
	if spec.MaxFailedIndexes != nil {
		errs = append(errs, validateNonnegative(int64(*spec.MaxFailedIndexes), p.Child("maxFailedIndexes"))...)
		if spec.BackoffLimitPerIndex == nil {
			errs = append(errs, field.Required(p.Child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"))
		}
	}
	if m := spec.ManagedBy; m != nil && len(*m) > maxManagedByLength {
		errs = append(errs, &field.Error{Type: field.ErrorTypeTooLong, Field: p.Child("managedBy").String(),
			Detail: fmt.Sprintf("may not be longer than %d", maxManagedByLength)})
	}
	errs = append(errs, validateCompletionMode(spec, p)...)
	if spec.PodFailurePolicy != nil {
		errs = append(errs, validatePodFailurePolicy(spec, p.Child("podFailurePolicy"))...)
	}
	if spec.SuccessPolicy != nil {
		if deref(spec.CompletionMode) != batch.IndexedCompletion {
			errs = append(errs, field.Invalid(p.Child("successPolicy"), goSyntax(*spec.SuccessPolicy), "requires indexed completion mode"))
		} else {
			errs = append(errs, validateSuccessPolicy(spec, p.Child("successPolicy"))...)
		}
	}
	if rp := spec.PodReplacementPolicy; rp != nil {
		if spec.PodFailurePolicy != nil {
			if *rp != batch.Failed {
				errs = append(errs, field.NotSupported(p.Child("podReplacementPolicy"), string(*rp), []string{string(batch.Failed)}))
			}
		} else if *rp != batch.Failed && *rp != batch.TerminatingOrFailed {
			errs = append(errs, field.NotSupported(p.Child("podReplacementPolicy"), string(*rp), []string{string(batch.Failed), string(batch.TerminatingOrFailed)}))
		}
	}
	tp := p.Child("template")
	errs = append(errs, ValidatePodTemplateSpec(&spec.Template, tp)...)
	restart, rpPath := spec.Template.Spec.RestartPolicy, tp.Child("spec", "restartPolicy")
	switch {
	case restart == core.RestartPolicyAlways || restart == "":
		errs = append(errs, field.Required(rpPath, fmt.Sprintf("valid values: %q, %q", core.RestartPolicyOnFailure, core.RestartPolicyNever)))
	case restart != core.RestartPolicyOnFailure && restart != core.RestartPolicyNever:
		errs = append(errs, field.NotSupported(rpPath, string(restart), []string{string(core.RestartPolicyOnFailure), string(core.RestartPolicyNever)}))
	case spec.PodFailurePolicy != nil && restart != core.RestartPolicyNever:
		errs = append(errs, field.Invalid(rpPath, string(restart), fmt.Sprintf("only %q is supported when podFailurePolicy is specified", core.RestartPolicyNever)))
	}
	// ValidateJobSpec proper: the selector must exist and select the pods.
	if spec.Selector == nil {
		errs = append(errs, field.Required(p.Child("selector"), ""))
	} else {
		errs = append(errs, ValidateLabelSelector(spec.Selector, false, p.Child("selector"))...)
	}
	if s, err := labels.SelectorFromLabelSelector(spec.Selector); err == nil && !s.Matches(spec.Template.Labels) {
		errs = append(errs, field.Invalid(tp.Child("metadata", "labels"), goSyntax(spec.Template.Labels), selectorMismatchMsg))
	}
	return errs
}

func validateCompletionMode(spec *batch.JobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	mode := deref(spec.CompletionMode)
	if spec.CompletionMode != nil && mode != batch.NonIndexedCompletion && mode != batch.IndexedCompletion {
		errs = append(errs, field.NotSupported(p.Child("completionMode"), string(mode), []string{string(batch.NonIndexedCompletion), string(batch.IndexedCompletion)}))
	}
	if mode == batch.IndexedCompletion {
		if spec.Completions == nil {
			errs = append(errs, field.Required(p.Child("completions"), fmt.Sprintf("when completion mode is %s", batch.IndexedCompletion)))
		}
		if par := spec.Parallelism; par != nil && *par > maxParallelismForIndexedJob {
			errs = append(errs, field.Invalid(p.Child("parallelism"), *par, fmt.Sprintf("must be less than or equal to %d when completion mode is %s", maxParallelismForIndexedJob, batch.IndexedCompletion)))
		}
		if c, m := spec.Completions, spec.MaxFailedIndexes; c != nil && m != nil && *m > *c {
			errs = append(errs, field.Invalid(p.Child("maxFailedIndexes"), *m, "must be less than or equal to completions"))
		}
		if m := spec.MaxFailedIndexes; m != nil && *m > maxFailedIndexesForIndexedJob {
			errs = append(errs, field.Invalid(p.Child("maxFailedIndexes"), *m, fmt.Sprintf("must be less than or equal to %d", maxFailedIndexesForIndexedJob)))
		}
		if c := spec.Completions; c != nil && *c > completionsSoftLimit && spec.BackoffLimitPerIndex != nil {
			suffix := fmt.Sprintf("when completions are above %d and used with backoff limit per index", completionsSoftLimit)
			if spec.MaxFailedIndexes == nil {
				errs = append(errs, field.Required(p.Child("maxFailedIndexes"), fmt.Sprintf("must be specified when completions is above %d", completionsSoftLimit)))
			}
			if par := spec.Parallelism; par != nil && *par > parallelismLimitForHighCompletions {
				errs = append(errs, field.Invalid(p.Child("parallelism"), *par, fmt.Sprintf("must be less than or equal to %d %s", parallelismLimitForHighCompletions, suffix)))
			}
			if m := spec.MaxFailedIndexes; m != nil && *m > maxFailedIndexesLimitForHighCompletions {
				errs = append(errs, field.Invalid(p.Child("maxFailedIndexes"), *m, fmt.Sprintf("must be less than or equal to %d %s", maxFailedIndexesLimitForHighCompletions, suffix)))
			}
		}
	} else {
		if b := spec.BackoffLimitPerIndex; b != nil {
			errs = append(errs, field.Invalid(p.Child("backoffLimitPerIndex"), *b, "requires indexed completion mode"))
		}
		if m := spec.MaxFailedIndexes; m != nil {
			errs = append(errs, field.Invalid(p.Child("maxFailedIndexes"), *m, "requires indexed completion mode"))
		}
	}
	return errs
}

func validatePodFailurePolicy(spec *batch.JobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	rules := spec.PodFailurePolicy.Rules
	rp := p.Child("rules")
	if len(rules) > maxPodFailurePolicyRules {
		errs = append(errs, field.TooMany(rp, len(rules), maxPodFailurePolicyRules))
	}
	var containers []string
	for _, c := range slices.Concat(spec.Template.Spec.Containers, spec.Template.Spec.InitContainers) {
		containers = append(containers, c.Name)
	}
	for i, r := range rules {
		path := rp.Index(i)
		ap := path.Child("action")
		switch {
		case r.Action == "":
			errs = append(errs, field.Required(ap, fmt.Sprintf("valid values: %q", podFailurePolicyActions())))
		case r.Action == batch.PodFailurePolicyActionFailIndex:
			if spec.BackoffLimitPerIndex == nil {
				errs = append(errs, field.Invalid(ap, string(r.Action), "requires the backoffLimitPerIndex to be set"))
			}
		case !slices.Contains(podFailurePolicyActions(), string(r.Action)):
			errs = append(errs, field.NotSupported(ap, string(r.Action), podFailurePolicyActions()))
		}
		if r.OnExitCodes != nil {
			errs = append(errs, validateOnExitCodes(r.OnExitCodes, containers, path.Child("onExitCodes"))...)
		}
		if len(r.OnPodConditions) > 0 {
			cp := path.Child("onPodConditions")
			if len(r.OnPodConditions) > maxPodFailurePolicyOnPodConditions {
				errs = append(errs, field.TooMany(cp, len(r.OnPodConditions), maxPodFailurePolicyOnPodConditions))
			}
			for j, pat := range r.OnPodConditions {
				errs = append(errs, validateQualifiedName(string(pat.Type), cp.Index(j).Child("type"))...)
				sp := cp.Index(j).Child("status")
				if pat.Status == "" {
					errs = append(errs, field.Required(sp, fmt.Sprintf("valid values: %q", conditionStatuses())))
				} else if !slices.Contains(conditionStatuses(), string(pat.Status)) {
					errs = append(errs, field.NotSupported(sp, string(pat.Status), conditionStatuses()))
				}
			}
		}
		if r.OnExitCodes != nil && len(r.OnPodConditions) > 0 {
			errs = append(errs, field.Invalid(path, field.OmitValue, "specifying both OnExitCodes and OnPodConditions is not supported"))
		}
		if r.OnExitCodes == nil && len(r.OnPodConditions) == 0 {
			errs = append(errs, field.Invalid(path, field.OmitValue, "specifying one of OnExitCodes and OnPodConditions is required"))
		}
	}
	return errs
}

func validateOnExitCodes(req *batch.PodFailurePolicyOnExitCodesRequirement, containers []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	op := p.Child("operator")
	if req.Operator == "" {
		errs = append(errs, field.Required(op, fmt.Sprintf("valid values: %q", exitCodeOperators())))
	} else if !slices.Contains(exitCodeOperators(), string(req.Operator)) {
		errs = append(errs, field.NotSupported(op, string(req.Operator), exitCodeOperators()))
	}
	if req.ContainerName != nil && !slices.Contains(containers, *req.ContainerName) {
		errs = append(errs, field.Invalid(p.Child("containerName"), *req.ContainerName, "must be one of the container or initContainer names in the pod template"))
	}
	vp := p.Child("values")
	if len(req.Values) == 0 {
		errs = append(errs, field.Invalid(vp, goSyntax(req.Values), "at least one value is required"))
	} else if len(req.Values) > maxPodFailurePolicyOnExitCodesValues {
		errs = append(errs, field.TooMany(vp, len(req.Values), maxPodFailurePolicyOnExitCodesValues))
	}
	seen := map[int32]bool{}
	for j, v := range req.Values {
		if req.Operator == batch.PodFailurePolicyOnExitCodesOpIn && v == 0 {
			errs = append(errs, field.Invalid(vp.Index(j), v, "must not be 0 for the In operator"))
		}
		if seen[v] {
			errs = append(errs, field.Duplicate(vp.Index(j), v))
		}
		seen[v] = true
	}
	if !slices.IsSorted(req.Values) {
		errs = append(errs, field.Invalid(vp, goSyntax(req.Values), "must be ordered"))
	}
	return errs
}

// ValidateJobUpdate checks an update of a job: the selector, completion
// mode, failure and success policies are immutable, so is completions
// (unless an indexed job scales it with parallelism), and so is the
// template, except the scheduling directives of a suspended job that never
// started. Like upstream's job strategy, it validates the job as on create
// first, so spec errors are listed twice (the aggregate message dedupes).
func ValidateJobUpdate(job, old *batch.Job) field.ErrorList {
	_, hadName := old.Spec.Template.Labels[batch.JobNameLabel]
	_, hadUID := old.Spec.Template.Labels[batch.ControllerUIDLabel]
	errs := validateJob(job, hadName && hadUID)
	errs = append(errs, ValidateObjectMetaUpdate(&job.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	p := field.NewPath("spec")
	spec, oldSpec := &job.Spec, &old.Spec
	errs = append(errs, validateJobSpec(spec, p)...)
	if deref(spec.CompletionMode) == batch.IndexedCompletion {
		if !semanticEqual(spec.Completions, oldSpec.Completions) && spec.Completions != nil &&
			(spec.Parallelism == nil || *spec.Completions != *spec.Parallelism) {
			errs = append(errs, field.Invalid(p.Child("completions"), *spec.Completions, "can only be modified in tandem with spec.parallelism"))
		}
	} else {
		errs = append(errs, validateImmutable(spec.Completions, oldSpec.Completions, p.Child("completions"))...)
	}
	errs = append(errs, validateImmutable(spec.Selector, oldSpec.Selector, p.Child("selector"))...)
	errs = append(errs, validateJobTemplateUpdate(job, old, p.Child("template"))...)
	errs = append(errs, validateImmutable(spec.CompletionMode, oldSpec.CompletionMode, p.Child("completionMode"))...)
	errs = append(errs, validateImmutable(spec.PodFailurePolicy, oldSpec.PodFailurePolicy, p.Child("podFailurePolicy"))...)
	errs = append(errs, validateImmutable(spec.BackoffLimitPerIndex, oldSpec.BackoffLimitPerIndex, p.Child("backoffLimitPerIndex"))...)
	errs = append(errs, validateImmutable(spec.ManagedBy, oldSpec.ManagedBy, p.Child("managedBy"))...)
	return append(errs, validateImmutable(spec.SuccessPolicy, oldSpec.SuccessPolicy, p.Child("successPolicy"))...)
}

func validateJobTemplateUpdate(job, old *batch.Job, p *field.Path) field.ErrorList {
	t, oldT := job.Spec.Template, old.Spec.Template
	if deref(old.Spec.Suspend) && old.Status.StartTime == nil {
		// A suspended job that never ran may still be placed differently.
		oldT.Spec.NodeSelector = t.Spec.NodeSelector
		oldT.Spec.Tolerations = t.Spec.Tolerations
		oldT.Spec.SchedulingGates = t.Spec.SchedulingGates
		oldT.Labels, oldT.Annotations = t.Labels, t.Annotations
		switch {
		case t.Spec.Affinity == nil && oldT.Spec.Affinity != nil:
			a := *oldT.Spec.Affinity
			a.NodeAffinity = nil
			oldT.Spec.Affinity = &a
			if a == (core.Affinity{}) {
				oldT.Spec.Affinity = nil
			}
		case t.Spec.Affinity != nil && oldT.Spec.Affinity == nil:
			oldT.Spec.Affinity = &core.Affinity{NodeAffinity: t.Spec.Affinity.NodeAffinity}
		case t.Spec.Affinity != nil:
			a := *oldT.Spec.Affinity
			a.NodeAffinity = t.Spec.Affinity.NodeAffinity
			oldT.Spec.Affinity = &a
		}
	}
	return validateImmutable(t, oldT, p)
}

// validateSuccessPolicy checks the rules under which an indexed job
// succeeds early.
func validateSuccessPolicy(spec *batch.JobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	rules, rp := spec.SuccessPolicy.Rules, p.Child("rules")
	if len(rules) == 0 {
		errs = append(errs, field.Required(rp, "at least one rules must be specified when the successPolicy is specified"))
	}
	if len(rules) > maxSuccessPolicyRules {
		errs = append(errs, field.TooMany(rp, len(rules), maxSuccessPolicyRules))
	}
	completions := deref(spec.Completions)
	for i, r := range rules {
		path := rp.Index(i)
		if r.SucceededCount == nil && r.SucceededIndexes == nil {
			errs = append(errs, field.Required(path, "at least one of succeededCount or succeededIndexes must be specified"))
		}
		var total int32
		if r.SucceededIndexes != nil {
			ip := path.Child("succeededIndexes")
			if len(*r.SucceededIndexes) > maxSucceededIndexesLength {
				errs = append(errs, field.TooLong(ip, "", maxSucceededIndexesLength))
			}
			var err error
			if total, err = countIndexes(*r.SucceededIndexes, completions); err != nil {
				errs = append(errs, field.Invalid(ip, *r.SucceededIndexes, "error parsing succeededIndexes: "+err.Error()))
			}
		}
		if c := r.SucceededCount; c != nil {
			cp := path.Child("succeededCount")
			errs = append(errs, validateNonnegative(int64(*c), cp)...)
			if *c > completions {
				errs = append(errs, field.Invalid(cp, *c, fmt.Sprintf("must be less than or equal to %d (the number of specified completions)", completions)))
			}
			if r.SucceededIndexes != nil && *c > total {
				errs = append(errs, field.Invalid(cp, *c, fmt.Sprintf("must be less than or equal to %d (the number of indexes in the specified succeededIndexes field)", total)))
			}
		}
	}
	return errs
}

// countIndexes parses an increasing list of indexes and ranges ("1,3-5")
// below completions and returns how many indexes it names.
func countIndexes(list string, completions int32) (int32, error) {
	if list == "" {
		return 0, nil
	}
	var total int32
	last := int32(-1)
	for _, interval := range strings.Split(list, ",") {
		bounds := strings.Split(interval, "-")
		if len(bounds) > 2 {
			return 0, fmt.Errorf("the fragment %q violates the requirement that an index interval can have at most two parts separated by '-'", interval)
		}
		var xy [2]int32
		for j, b := range bounds {
			n, err := strconv.ParseInt(b, 10, 32)
			if err != nil {
				return 0, fmt.Errorf("cannot convert string to integer for index: %q", b)
			}
			if n >= int64(completions) {
				return 0, fmt.Errorf("too large index: %q", b)
			}
			xy[j] = int32(n)
		}
		x, y := xy[0], xy[0]
		if len(bounds) == 2 {
			y = xy[1]
			if x >= y {
				return 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", x, y)
			}
		}
		if last >= x {
			return 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", last, x)
		}
		total += y - x + 1
		last = y
	}
	return total, nil
}
