package validation

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

// updatablePodSpecFields is the list upstream's message gives of what a pod
// update may change (v1.32, in-place resize disabled).
func updatablePodSpecFields() []string {
	return []string{
		"`spec.containers[*].image`",
		"`spec.initContainers[*].image`",
		"`spec.activeDeadlineSeconds`",
		"`spec.tolerations` (only additions to existing tolerations)",
		"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
	}
}

// ValidatePodUpdate checks a user's update of a pod. Besides metadata, only
// container images, a shorter activeDeadlineSeconds, added tolerations and
// removed scheduling gates may change; binding to a node goes through
// pods/binding.
func ValidatePodUpdate(pod, old *core.Pod) field.ErrorList {
	metaPath, specPath := field.NewPath("metadata"), field.NewPath("spec")
	errs := ValidateObjectMetaUpdate(&pod.ObjectMeta, &old.ObjectMeta, metaPath)
	errs = append(errs, validatePodMetadataAndSpec(pod)...)
	errs = append(errs, validatePodAnnotationUpdates(pod, old, metaPath.Child("annotations"))...)

	for _, list := range []struct {
		name     string
		new, old []core.Container
	}{{"containers", pod.Spec.Containers, old.Spec.Containers}, {"initContainers", pod.Spec.InitContainers, old.Spec.InitContainers}} {
		p := specPath.Child(list.name)
		if len(list.new) != len(list.old) {
			return append(errs, field.Forbidden(p, "pod updates may not add or remove containers"))
		}
		for i, c := range list.new {
			if c.Image == "" {
				errs = append(errs, field.Required(p.Index(i).Child("image"), ""))
			}
			errs = append(errs, validateImageWhitespace(c.Image, p.Index(i).Child("image"))...)
		}
	}

	adsPath := specPath.Child("activeDeadlineSeconds")
	if d := pod.Spec.ActiveDeadlineSeconds; d != nil {
		if *d < 0 || *d > math.MaxInt32 {
			return append(errs, field.Invalid(adsPath, *d, names.InclusiveRangeError(0, math.MaxInt32)))
		}
		if o := old.Spec.ActiveDeadlineSeconds; o != nil && *o < *d {
			return append(errs, field.Invalid(adsPath, *d, "must be less than or equal to previous value"))
		}
	} else if old.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Invalid(adsPath, nil, "must not update from a positive integer to nil value"))
	}
	errs = append(errs, validateOnlyAddedTolerations(pod.Spec.Tolerations, old.Spec.Tolerations, specPath.Child("tolerations"))...)
	errs = append(errs, validateOnlyDeletedSchedulingGates(pod.Spec.SchedulingGates, old.Spec.SchedulingGates, specPath.Child("schedulingGates"))...)

	if semanticEqual(pod.Spec, old.Spec) {
		return errs
	}
	munged := mungePodSpec(&pod.Spec, &old.Spec)
	if !semanticEqual(*munged, old.Spec) {
		errs = append(errs, field.Forbidden(specPath, fmt.Sprintf("pod updates may not change fields other than %s\n%v",
			strings.Join(updatablePodSpecFields(), ","), podSpecDiff(&old.Spec, munged))))
	}
	return errs
}

// mungePodSpec returns a copy of spec with every field a pod update may
// change taken from old, so that any remaining difference is forbidden.
func mungePodSpec(spec, old *core.PodSpec) *core.PodSpec {
	m := *spec
	m.Containers = slices.Clone(spec.Containers)
	for i := range m.Containers {
		m.Containers[i].Image = old.Containers[i].Image
	}
	m.InitContainers = slices.Clone(spec.InitContainers)
	for i := range m.InitContainers {
		m.InitContainers[i].Image = old.InitContainers[i].Image
	}
	m.ActiveDeadlineSeconds = old.ActiveDeadlineSeconds
	m.SchedulingGates = old.SchedulingGates
	m.Tolerations = old.Tolerations
	if o := old.TerminationGracePeriodSeconds; o != nil && *o < 0 && m.TerminationGracePeriodSeconds != nil && *m.TerminationGracePeriodSeconds == 1 {
		m.TerminationGracePeriodSeconds = o
	}
	return &m
}

// podSpecDiff describes how two pod specs differ, field by field, in the
// shape of upstream's go-cmp diff (whose exact text go-cmp itself keeps
// unstable on purpose).
func podSpecDiff(old, updated *core.PodSpec) string {
	var b strings.Builder
	b.WriteString("  core.PodSpec{\n")
	vo, vn := reflect.ValueOf(*old), reflect.ValueOf(*updated)
	for i := range vo.NumField() {
		fo, fn := vo.Field(i), vn.Field(i)
		if semanticEqual(fo.Interface(), fn.Interface()) {
			continue
		}
		name := vo.Type().Field(i).Name
		fmt.Fprintf(&b, "- \t%s: %#v,\n+ \t%s: %#v,\n", name, fo.Interface(), name, fn.Interface())
	}
	b.WriteString("  }\n")
	return b.String()
}

// validateOnlyAddedTolerations allows appending tolerations and changing
// tolerationSeconds of existing ones, nothing else.
func validateOnlyAddedTolerations(tolerations, old []core.Toleration, p *field.Path) field.ErrorList {
	for _, o := range old {
		found := slices.ContainsFunc(tolerations, func(t core.Toleration) bool {
			o.TolerationSeconds = t.TolerationSeconds
			return semanticEqual(o, t)
		})
		if !found {
			return field.ErrorList{field.Forbidden(p, "existing toleration can not be modified except its tolerationSeconds")}
		}
	}
	return ValidateTolerations(tolerations, p)
}

func validateOnlyDeletedSchedulingGates(gates, old []core.PodSchedulingGate, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, g := range gates {
		isOld := slices.ContainsFunc(old, func(o core.PodSchedulingGate) bool { return o.Name == g.Name })
		if !isOld {
			errs = append(errs, field.Forbidden(p.Index(i).Child("name"), fmt.Sprintf("only deletion is allowed, but found new scheduling gate '%s'", g.Name)))
		}
	}
	return errs
}

// validatePodAnnotationUpdates forbids adding, changing or removing the
// mirror-pod and AppArmor annotations, then checks the new annotations.
func validatePodAnnotationUpdates(pod, old *core.Pod, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedKeys(old.Annotations) {
		if v, ok := pod.Annotations[k]; ok && v == old.Annotations[k] {
			continue
		}
		if strings.HasPrefix(k, appArmorContainerAnnotation) {
			errs = append(errs, field.Forbidden(p.Key(k), "may not remove or update AppArmor annotations"))
		}
		if k == core.MirrorPodAnnotationKey {
			errs = append(errs, field.Forbidden(p.Key(k), "may not remove or update mirror pod annotation"))
		}
	}
	for _, k := range sortedKeys(pod.Annotations) {
		if _, ok := old.Annotations[k]; ok {
			continue
		}
		if strings.HasPrefix(k, appArmorContainerAnnotation) {
			errs = append(errs, field.Forbidden(p.Key(k), "may not add AppArmor annotations"))
		}
		if k == core.MirrorPodAnnotationKey {
			errs = append(errs, field.Forbidden(p.Key(k), "may not add mirror pod annotation"))
		}
	}
	return append(errs, validatePodAnnotations(pod.Annotations, &pod.Spec, p)...)
}

// ValidatePodStatusUpdate checks a write to pods/status: metadata, custom
// condition types, no node change, an immutable QoS class, no restart of
// containers the restart policy keeps terminated, and pod and host IPs.
func ValidatePodStatusUpdate(pod, old *core.Pod) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := ValidateObjectMetaUpdate(&pod.ObjectMeta, &old.ObjectMeta, metaPath)
	errs = append(errs, validatePodAnnotationUpdates(pod, old, metaPath.Child("annotations"))...)
	for i, c := range pod.Status.Conditions {
		switch c.Type {
		case core.PodScheduled, core.PodReady, core.PodInitialized:
		default:
			// Upstream reports these under metadata.
			errs = append(errs, validateQualifiedName(string(c.Type), metaPath.Child("conditions").Index(i).Child("Type"))...)
		}
	}
	st := field.NewPath("status")
	if pod.Spec.NodeName != old.Spec.NodeName {
		errs = append(errs, field.Forbidden(st.Child("nodeName"), "may not be changed directly"))
	}
	if n := pod.Status.NominatedNodeName; n != old.Status.NominatedNodeName && n != "" {
		errs = append(errs, invalidEach(st.Child("nominatedNodeName"), n, nameIsDNSSubdomain(n, false))...)
	}
	errs = append(errs, validateImmutable(string(pod.Status.QOSClass), string(old.Status.QOSClass), st.Child("qosClass"))...)
	errs = append(errs, validateContainerStateTransitions(pod.Status.ContainerStatuses, old.Status.ContainerStatuses, old.Spec.RestartPolicy, nil, st.Child("containerStatuses"))...)
	errs = append(errs, validateContainerStateTransitions(pod.Status.InitContainerStatuses, old.Status.InitContainerStatuses, old.Spec.RestartPolicy, old.Spec.InitContainers, st.Child("initContainerStatuses"))...)
	errs = append(errs, validateContainerStateTransitions(pod.Status.EphemeralContainerStatuses, old.Status.EphemeralContainerStatuses, core.RestartPolicyNever, nil, st.Child("ephemeralContainerStatuses"))...)
	errs = append(errs, validatePodIPs(pod)...)
	return append(errs, validateHostIPs(pod)...)
}

// validateContainerStateTransitions forbids a terminated container from
// running again when the restart policy says it stays terminated; sidecars
// (restartable init containers) may always restart.
func validateContainerStateTransitions(statuses, old []core.ContainerStatus, policy core.RestartPolicy, inits []core.Container, p *field.Path) field.ErrorList {
	if policy == core.RestartPolicyAlways {
		return nil
	}
	var errs field.ErrorList
	for i, o := range old {
		t := o.State.Terminated
		if t == nil || (t.ExitCode != 0 && policy == core.RestartPolicyOnFailure) {
			continue
		}
		sidecar := slices.ContainsFunc(inits, func(c core.Container) bool {
			return c.Name == o.Name && c.RestartPolicy != nil && *c.RestartPolicy == core.ContainerRestartPolicyAlways
		})
		if sidecar {
			continue
		}
		for _, s := range statuses {
			if s.Name == o.Name && s.State.Terminated == nil {
				errs = append(errs, field.Forbidden(p.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return errs
}

func validatePodIPs(pod *core.Pod) field.ErrorList {
	p := field.NewPath("status", "podIPs")
	ips := make([]string, len(pod.Status.PodIPs))
	for i, ip := range pod.Status.PodIPs {
		ips[i] = ip.IP
	}
	return validateIPList(ips, goSyntax(pod.Status.PodIPs), func(i int) any { return goSyntax(pod.Status.PodIPs[i]) }, p)
}

func validateHostIPs(pod *core.Pod) field.ErrorList {
	if len(pod.Status.HostIPs) == 0 {
		return nil
	}
	p := field.NewPath("status", "hostIPs")
	var errs field.ErrorList
	if pod.Status.HostIP != pod.Status.HostIPs[0].IP {
		errs = append(errs, field.Invalid(p.Index(0).Child("ip"), pod.Status.HostIPs[0].IP, "must be equal to `hostIP`"))
	}
	ips := make([]string, len(pod.Status.HostIPs))
	for i, ip := range pod.Status.HostIPs {
		ips[i] = ip.IP
	}
	return append(errs, validateIPList(ips, goSyntax(pod.Status.HostIPs), func(i int) any { return goSyntax(pod.Status.HostIPs[i]) }, p)...)
}

// validateIPList checks a dual-stack address list: valid addresses, at most
// one per family, no duplicates.
func validateIPList(ips []string, whole any, item func(int) any, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ip := range ips {
		errs = append(errs, validateIP(p.Index(i), ip)...)
	}
	if len(ips) <= 1 {
		return errs
	}
	v6 := 0
	for _, ip := range ips {
		if isIPv6String(ip) {
			v6++
		}
	}
	if len(ips) > 2 || v6 != 1 {
		errs = append(errs, field.Invalid(p, whole, "may specify no more than one IP for each IP family"))
	}
	seen := map[string]bool{}
	for i, ip := range ips {
		if seen[ip] {
			errs = append(errs, field.Duplicate(p.Index(i), item(i)))
		}
		seen[ip] = true
	}
	return errs
}
