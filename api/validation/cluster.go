package validation

import (
	"fmt"
	"slices"
	"strings"

	"seven.dev/api/autoscaling"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

// Limits on core/v1 events reported through the new series fields.
const (
	eventReportingInstanceLengthLimit = 128
	eventActionLengthLimit            = 128
	eventReasonLengthLimit            = 128
	eventNoteLengthLimit              = 1024
)

// ValidateNamespace checks a namespace: its name is a DNS label and its
// spec finalizers are qualified names the server knows.
func ValidateNamespace(ns *core.Namespace) field.ErrorList {
	errs := ValidateObjectMeta(&ns.ObjectMeta, false, nameIsDNSLabel, field.NewPath("metadata"))
	p := field.NewPath("spec", "finalizers")
	for _, f := range ns.Spec.Finalizers {
		errs = append(errs, validateQualifiedName(string(f), p)...)
		errs = append(errs, validateKubeFinalizerName(string(f), p)...)
	}
	return errs
}

// ValidateNamespaceUpdate checks an update of a namespace (its metadata;
// spec and status go through their own subresources).
func ValidateNamespaceUpdate(ns, old *core.Namespace) field.ErrorList {
	return ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
}

// ValidateNamespaceStatusUpdate checks a write to namespaces/status: the
// phase follows the deletion timestamp.
func ValidateNamespaceStatusUpdate(ns, old *core.Namespace) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("status", "Phase")
	if ns.DeletionTimestamp == nil || ns.DeletionTimestamp.IsZero() {
		if ns.Status.Phase != core.NamespaceActive {
			errs = append(errs, field.Invalid(p, string(ns.Status.Phase), "may only be 'Active' if `deletionTimestamp` is empty"))
		}
	} else if ns.Status.Phase != core.NamespaceTerminating {
		errs = append(errs, field.Invalid(p, string(ns.Status.Phase), "may only be 'Terminating' if `deletionTimestamp` is not empty"))
	}
	return errs
}

// ValidateNamespaceFinalizeUpdate checks a write to namespaces/finalize.
func ValidateNamespaceFinalizeUpdate(ns, old *core.Namespace) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("spec", "finalizers")
	for i, f := range ns.Spec.Finalizers {
		errs = append(errs, validateQualifiedName(string(f), p.Index(i))...)
		errs = append(errs, validateKubeFinalizerName(string(f), p.Index(i))...)
	}
	return errs
}

// ValidateNode checks a node: name, taints, resource quantities and pod
// CIDRs.
func ValidateNode(node *core.Node) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := ValidateObjectMeta(&node.ObjectMeta, false, nameIsDNSSubdomain, metaPath)
	// Upstream reports taints under metadata.
	errs = append(errs, validateTaints(node.Spec.Taints, metaPath.Child("taints"))...)
	errs = append(errs, validateNodeResources(node)...)
	if cidrs := node.Spec.PodCIDRs; len(cidrs) > 0 {
		p := field.NewPath("spec", "podCIDRs")
		for i, c := range cidrs {
			errs = append(errs, validateCIDR(p.Index(i), c)...)
		}
		if len(cidrs) > 1 {
			v6 := 0
			for _, c := range cidrs {
				addr, _, _ := strings.Cut(c, "/")
				if isIPv6String(addr) {
					v6++
				}
			}
			if len(cidrs) > 2 || v6 != 1 {
				errs = append(errs, field.Invalid(p, goSyntax(cidrs), "may specify no more than one CIDR for each IP family"))
			}
			for i, c := range cidrs {
				if slices.Contains(cidrs[:i], c) {
					errs = append(errs, field.Duplicate(p.Index(i), c))
				}
			}
		}
	}
	return errs
}

func validateNodeResources(node *core.Node) field.ErrorList {
	var errs field.ErrorList
	for _, list := range []struct {
		name string
		rl   core.ResourceList
	}{{"capacity", node.Status.Capacity}, {"allocatable", node.Status.Allocatable}} {
		for _, n := range sortedKeys(list.rl) {
			errs = append(errs, validateResourceQuantity(n, list.rl[n], field.NewPath("status", list.name, string(n)))...)
		}
	}
	return errs
}

// ValidateNodeUpdate checks an update of a node (or of nodes/status): pod
// CIDRs and provider ID may only be set once, the external ID never changes,
// addresses are unique.
func ValidateNodeUpdate(node, old *core.Node) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := ValidateObjectMetaUpdate(&node.ObjectMeta, &old.ObjectMeta, metaPath)
	errs = append(errs, validateNodeResources(node)...)
	for i, a := range node.Status.Addresses {
		if slices.Contains(node.Status.Addresses[:i], a) {
			errs = append(errs, field.Duplicate(field.NewPath("status", "addresses").Index(i), goSyntax(a)))
		}
	}
	if len(old.Spec.PodCIDRs) > 0 {
		const msg = "node updates may not change podCIDR except from \"\" to valid"
		p := field.NewPath("spec", "podCIDRs")
		if len(old.Spec.PodCIDRs) != len(node.Spec.PodCIDRs) {
			errs = append(errs, field.Forbidden(p, msg))
		} else {
			for i, c := range old.Spec.PodCIDRs {
				if c != node.Spec.PodCIDRs[i] {
					errs = append(errs, field.Forbidden(p, msg))
				}
			}
		}
	}
	if old.Spec.ProviderID != "" && old.Spec.ProviderID != node.Spec.ProviderID {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "providerID"), "node updates may not change providerID except from \"\" to valid"))
	}
	errs = append(errs, validateTaints(node.Spec.Taints, metaPath.Child("taints"))...)
	if node.Spec.DoNotUseExternalID != old.Spec.DoNotUseExternalID {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "externalID"), "may not be updated"))
	}
	return errs
}

// ValidateEvent checks a core/v1 event the way upstream does for that API
// version: only the legacy rules (no metadata validation), namespaces
// matching, and for events with an eventTime the series fields.
func ValidateEvent(ev *core.Event) field.ErrorList {
	var errs field.ErrorList
	invObjNs := field.NewPath("involvedObject", "namespace")
	const mismatch = "does not match event.namespace"
	if ev.EventTime.IsZero() {
		if ev.InvolvedObject.Namespace == "" {
			if ev.Namespace != "" && ev.Namespace != core.NamespaceDefault {
				errs = append(errs, field.Invalid(invObjNs, ev.InvolvedObject.Namespace, mismatch))
			}
		} else if ev.Namespace != ev.InvolvedObject.Namespace {
			errs = append(errs, field.Invalid(invObjNs, ev.InvolvedObject.Namespace, mismatch))
		}
	} else {
		if ev.InvolvedObject.Namespace == "" && ev.Namespace != core.NamespaceDefault && ev.Namespace != core.NamespaceSystem {
			errs = append(errs, field.Invalid(invObjNs, ev.InvolvedObject.Namespace, mismatch))
		}
		rc := field.NewPath("reportingController")
		if ev.ReportingController == "" {
			errs = append(errs, field.Required(rc, ""))
		}
		errs = append(errs, invalidEach(rc, ev.ReportingController, names.IsQualifiedName(ev.ReportingController))...)
		for _, f := range []struct {
			name  string
			value string
			limit int
		}{
			{"reportingInstance", ev.ReportingInstance, eventReportingInstanceLengthLimit},
			{"action", ev.Action, eventActionLengthLimit},
			{"reason", ev.Reason, eventReasonLengthLimit},
		} {
			if f.value == "" {
				errs = append(errs, field.Required(field.NewPath(f.name), ""))
			}
			if len(f.value) > f.limit {
				errs = append(errs, field.Invalid(field.NewPath(f.name), "", fmt.Sprintf("can have at most %v characters", f.limit)))
			}
		}
		if len(ev.Message) > eventNoteLengthLimit {
			errs = append(errs, field.Invalid(field.NewPath("message"), "", fmt.Sprintf("can have at most %v characters", eventNoteLengthLimit)))
		}
	}
	return append(errs, validateDNS1123Subdomain(ev.Namespace, field.NewPath("namespace"))...)
}

// ValidateLease checks a lease.
func ValidateLease(l *coordination.Lease) field.ErrorList {
	errs := ValidateObjectMeta(&l.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	p := field.NewPath("spec")
	if d := l.Spec.LeaseDurationSeconds; d != nil && *d <= 0 {
		errs = append(errs, field.Invalid(p.Child("leaseDurationSeconds"), *d, "must be greater than 0"))
	}
	if t := l.Spec.LeaseTransitions; t != nil && *t < 0 {
		errs = append(errs, field.Invalid(p.Child("leaseTransitions"), *t, isNegativeErrorMsg))
	}
	if s := l.Spec.Strategy; s != nil {
		// Strategies with a domain prefix are custom; others are Kubernetes'.
		if strings.Contains(string(*s), "/") {
			if msgs := names.IsQualifiedName(string(*s)); len(msgs) != 0 {
				errs = append(errs, field.Invalid(p.Child("strategy"), string(*s), strings.Join(msgs, ",")))
			}
		} else if *s != coordination.OldestEmulationVersion {
			errs = append(errs, field.NotSupported(p.Child("strategy"), string(*s), []string{string(coordination.OldestEmulationVersion)}))
		}
	}
	if h := l.Spec.PreferredHolder; h != nil && *h != "" && (l.Spec.Strategy == nil || *l.Spec.Strategy == "") {
		errs = append(errs, field.Forbidden(p.Child("preferredHolder"), "may only be specified if `strategy` is defined"))
	}
	return errs
}

// ValidateScale checks a write to a scale subresource.
func ValidateScale(s *autoscaling.Scale) field.ErrorList {
	errs := ValidateObjectMeta(&s.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	if s.Spec.Replicas < 0 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "replicas"), s.Spec.Replicas, isNegativeErrorMsg))
	}
	return errs
}

// ValidateResourceQuota checks a resource quota: resource names and
// quantities in spec and status, and its scopes.
func ValidateResourceQuota(q *core.ResourceQuota) field.ErrorList {
	errs := ValidateObjectMeta(&q.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateQuotaSpec(&q.Spec, field.NewPath("spec"))...)
	return append(errs, validateQuotaStatus(&q.Status, field.NewPath("status"))...)
}

// ValidateResourceQuotaUpdate checks an update of a quota; its scopes are
// immutable.
func ValidateResourceQuotaUpdate(q, old *core.ResourceQuota) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&q.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateQuotaSpec(&q.Spec, field.NewPath("spec"))...)
	scopes := func(s []core.ResourceQuotaScope) []core.ResourceQuotaScope {
		return slices.Compact(slices.Sorted(slices.Values(s)))
	}
	if !slices.Equal(scopes(q.Spec.Scopes), scopes(old.Spec.Scopes)) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "scopes"), goSyntax(q.Spec.Scopes), fieldImmutableErrorMsg))
	}
	return errs
}

// ValidateResourceQuotaStatusUpdate checks a write to resourcequotas/status.
func ValidateResourceQuotaStatusUpdate(q, old *core.ResourceQuota) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&q.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if q.ResourceVersion == "" {
		errs = append(errs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	return append(errs, validateQuotaStatus(&q.Status, field.NewPath("status"))...)
}

func validateQuotaResources(rl core.ResourceList, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, n := range sortedKeys(rl) {
		rp := p.Key(string(n))
		errs = append(errs, validateQuotaResourceName(n, rp)...)
		errs = append(errs, validateResourceQuantity(n, rl[n], rp)...)
	}
	return errs
}

func validateQuotaStatus(st *core.ResourceQuotaStatus, p *field.Path) field.ErrorList {
	errs := validateQuotaResources(st.Hard, p.Child("hard"))
	return append(errs, validateQuotaResources(st.Used, p.Child("used"))...)
}

// validateQuotaSpec checks hard limits and that scopes neither conflict
// (BestEffort with NotBestEffort, Terminating with NotTerminating) nor are
// unknown. Which scopes apply to which resources is not checked.
func validateQuotaSpec(spec *core.ResourceQuotaSpec, p *field.Path) field.ErrorList {
	errs := validateQuotaResources(spec.Hard, p.Child("hard"))
	known := []core.ResourceQuotaScope{
		core.ResourceQuotaScopeTerminating, core.ResourceQuotaScopeNotTerminating, core.ResourceQuotaScopeBestEffort,
		core.ResourceQuotaScopeNotBestEffort, core.ResourceQuotaScopePriorityClass, core.ResourceQuotaScopeCrossNamespacePodAffinity,
	}
	conflicting := func(scopes []core.ResourceQuotaScope) bool {
		has := func(s core.ResourceQuotaScope) bool { return slices.Contains(scopes, s) }
		return has(core.ResourceQuotaScopeBestEffort) && has(core.ResourceQuotaScopeNotBestEffort) ||
			has(core.ResourceQuotaScopeTerminating) && has(core.ResourceQuotaScopeNotTerminating)
	}
	sp := p.Child("scopes")
	for _, s := range spec.Scopes {
		if !slices.Contains(known, s) {
			errs = append(errs, field.Invalid(sp, goSyntax(spec.Scopes), "unsupported scope"))
		}
	}
	if conflicting(spec.Scopes) {
		errs = append(errs, field.Invalid(sp, goSyntax(spec.Scopes), "conflicting scopes"))
	}
	if sel := spec.ScopeSelector; sel != nil {
		mp := p.Child("scopeSelector", "matchExpressions")
		var names []core.ResourceQuotaScope
		for _, r := range sel.MatchExpressions {
			if !slices.Contains(known, r.ScopeName) {
				errs = append(errs, field.Invalid(mp.Child("scopeName"), string(r.ScopeName), "unsupported scope"))
			}
			switch r.Operator {
			case core.ScopeSelectorOpIn, core.ScopeSelectorOpNotIn:
				if len(r.Values) == 0 {
					errs = append(errs, field.Required(mp.Child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
				}
			case core.ScopeSelectorOpExists, core.ScopeSelectorOpDoesNotExist:
				if len(r.Values) != 0 {
					errs = append(errs, field.Invalid(mp.Child("values"), goSyntax(r.Values), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
				}
			default:
				errs = append(errs, field.Invalid(mp.Child("operator"), string(r.Operator), "not a valid selector operator"))
			}
			names = append(names, r.ScopeName)
		}
		if conflicting(names) {
			errs = append(errs, field.Invalid(mp, goSyntax(spec.Scopes), "conflicting scopes"))
		}
	}
	return errs
}
