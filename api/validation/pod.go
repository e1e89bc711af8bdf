package validation

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

// Limits of a pod's resolver configuration (from libc).
const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

// Annotations with meaning to pod validation.
const (
	podDeletionCostAnnotation   = "controller.kubernetes.io/pod-deletion-cost"
	seccompPodAnnotation        = "seccomp.security.alpha.kubernetes.io/pod"
	seccompContainerAnnotation  = "container.seccomp.security.alpha.kubernetes.io/"
	appArmorContainerAnnotation = "container.apparmor.security.beta.kubernetes.io/"
)

// ValidatePod checks a pod being created.
func ValidatePod(pod *core.Pod) field.ErrorList {
	errs := validatePodMetadataAndSpec(pod)
	specPath := field.NewPath("spec")
	if len(pod.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(specPath.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if pod.Spec.NodeName != "" && len(pod.Spec.SchedulingGates) != 0 {
		errs = append(errs, field.Forbidden(specPath.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	return errs
}

// validatePodMetadataAndSpec is what pod create and update share.
func validatePodMetadataAndSpec(pod *core.Pod) field.ErrorList {
	metaPath, specPath := field.NewPath("metadata"), field.NewPath("spec")
	errs := ValidateObjectMeta(&pod.ObjectMeta, true, nameIsDNSSubdomain, metaPath)
	errs = append(errs, validatePodAnnotations(pod.Annotations, &pod.Spec, metaPath.Child("annotations"))...)
	errs = append(errs, validatePodSpec(&pod.Spec, specPath, true)...)
	if pod.Spec.ServiceAccountName == "" {
		for i, v := range pod.Spec.Volumes {
			if v.Projected == nil {
				continue
			}
			for j, s := range v.Projected.Sources {
				if s.ServiceAccountToken != nil {
					p := specPath.Child("volumes").Index(i).Child("projected", "sources").Index(j).Child("serviceAccountToken")
					errs = append(errs, field.Forbidden(p, "must not be specified when serviceAccountName is not set"))
				}
			}
		}
	}
	for i, c := range pod.Spec.Containers {
		errs = append(errs, validateImageWhitespace(c.Image, specPath.Child("containers").Index(i).Child("image"))...)
	}
	for i, c := range pod.Spec.InitContainers {
		errs = append(errs, validateImageWhitespace(c.Image, specPath.Child("initContainers").Index(i).Child("image"))...)
	}
	return errs
}

// ValidatePodTemplateSpec checks the pod template of a controller at
// fldPath ("spec.template"); its labels and annotations are reported at
// fldPath.labels and fldPath.annotations, as upstream does.
func ValidatePodTemplateSpec(t *core.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	errs := ValidateLabels(t.Labels, fldPath.Child("labels"))
	errs = append(errs, ValidateAnnotations(t.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validatePodAnnotations(t.Annotations, &t.Spec, fldPath.Child("annotations"))...)
	errs = append(errs, validatePodSpec(&t.Spec, fldPath.Child("spec"), false)...)
	if len(t.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return errs
}

// ValidatePodTemplate checks a stored PodTemplate.
func ValidatePodTemplate(t *core.PodTemplate) field.ErrorList {
	errs := ValidateObjectMeta(&t.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, ValidatePodTemplateSpec(&t.Template, field.NewPath("template"))...)
}

// ValidatePodTemplateUpdate checks an update of a stored PodTemplate.
func ValidatePodTemplateUpdate(t, old *core.PodTemplate) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&t.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidatePodTemplateSpec(&t.Template, field.NewPath("template"))...)
}

// ValidatePodSpec checks a pod spec at fldPath. Pods (isPod) must give host
// ports equal to container ports under hostNetwork; templates may leave
// them 0 for defaulting.
func ValidatePodSpec(spec *core.PodSpec, fldPath *field.Path, isPod bool) field.ErrorList {
	return validatePodSpec(spec, fldPath, isPod)
}

func validatePodSpec(spec *core.PodSpec, fldPath *field.Path, isPod bool) field.ErrorList {
	var errs field.ErrorList
	if spec.TerminationGracePeriodSeconds == nil {
		errs = append(errs, field.Required(fldPath.Child("terminationGracePeriodSeconds"), ""))
	}
	vols, verrs := validateVolumes(spec.Volumes, fldPath.Child("volumes"))
	errs = append(errs, verrs...)
	pc := &podContext{
		volumes:       vols,
		gracePeriod:   spec.TerminationGracePeriodSeconds,
		restartPolicy: spec.RestartPolicy,
		hostUsers:     spec.HostUsers == nil || *spec.HostUsers,
	}
	errs = append(errs, validateContainers(spec.Containers, pc, fldPath.Child("containers"))...)
	errs = append(errs, validateInitContainers(spec.InitContainers, spec.Containers, pc, fldPath.Child("initContainers"))...)
	errs = append(errs, validateEphemeralContainers(spec.EphemeralContainers, spec.Containers, spec.InitContainers, pc, fldPath.Child("ephemeralContainers"))...)
	errs = append(errs, validateHostNetworkPorts(spec, fldPath, isPod)...)
	errs = append(errs, validateRestartPolicy(spec.RestartPolicy, fldPath.Child("restartPolicy"))...)
	errs = append(errs, validateDNSPolicy(spec.DNSPolicy, fldPath.Child("dnsPolicy"))...)
	errs = append(errs, ValidateLabels(spec.NodeSelector, fldPath.Child("nodeSelector"))...)
	errs = append(errs, validatePodSecurityContext(spec, fldPath)...)
	errs = append(errs, validateAffinity(spec.Affinity, fldPath.Child("affinity"))...)
	errs = append(errs, validateDNSConfig(spec.DNSConfig, spec.DNSPolicy, fldPath.Child("dnsConfig"))...)
	for i, g := range spec.ReadinessGates {
		errs = append(errs, validateQualifiedName(string(g.ConditionType), fldPath.Child("readinessGates").Index(i).Child("conditionType"))...)
	}
	seenGates := map[string]bool{}
	for i, g := range spec.SchedulingGates {
		p := fldPath.Child("schedulingGates").Index(i)
		errs = append(errs, validateQualifiedName(g.Name, p)...)
		if seenGates[g.Name] {
			errs = append(errs, field.Duplicate(p, g.Name))
		}
		seenGates[g.Name] = true
	}
	errs = append(errs, validateTopologySpreadConstraints(spec.TopologySpreadConstraints, fldPath.Child("topologySpreadConstraints"))...)
	if spec.HostUsers != nil && !*spec.HostUsers {
		const msg = "when `pod.Spec.HostUsers` is false"
		if spec.HostNetwork {
			errs = append(errs, field.Forbidden(fldPath.Child("hostNetwork"), msg))
		}
		if spec.HostPID {
			errs = append(errs, field.Forbidden(fldPath.Child("HostPID"), msg))
		}
		if spec.HostIPC {
			errs = append(errs, field.Forbidden(fldPath.Child("HostIPC"), msg))
		}
	}
	if spec.ServiceAccountName != "" {
		errs = append(errs, invalidEach(fldPath.Child("serviceAccountName"), spec.ServiceAccountName, nameIsDNSSubdomain(spec.ServiceAccountName, false))...)
	}
	if spec.NodeName != "" {
		errs = append(errs, invalidEach(fldPath.Child("nodeName"), spec.NodeName, nameIsDNSSubdomain(spec.NodeName, false))...)
	}
	if d := spec.ActiveDeadlineSeconds; d != nil && (*d < 1 || *d > math.MaxInt32) {
		errs = append(errs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), *d, names.InclusiveRangeError(1, math.MaxInt32)))
	}
	if spec.Hostname != "" {
		errs = append(errs, validateDNS1123Label(spec.Hostname, fldPath.Child("hostname"))...)
	}
	if spec.Subdomain != "" {
		errs = append(errs, validateDNS1123Label(spec.Subdomain, fldPath.Child("subdomain"))...)
	}
	errs = append(errs, ValidateTolerations(spec.Tolerations, fldPath.Child("tolerations"))...)
	for i, a := range spec.HostAliases {
		p := fldPath.Child("hostAliases").Index(i)
		errs = append(errs, validateIP(p.Child("ip"), a.IP)...)
		for j, h := range a.Hostnames {
			errs = append(errs, validateDNS1123Subdomain(h, p.Child("hostnames").Index(j))...)
		}
	}
	if spec.PriorityClassName != "" {
		errs = append(errs, invalidEach(fldPath.Child("priorityClassName"), spec.PriorityClassName, nameIsDNSSubdomain(spec.PriorityClassName, false))...)
	}
	if rc := spec.RuntimeClassName; rc != nil {
		errs = append(errs, invalidEach(fldPath.Child("runtimeClassName"), *rc, nameIsDNSSubdomain(*rc, false))...)
	}
	if pp := spec.PreemptionPolicy; pp != nil {
		switch *pp {
		case core.PreemptLowerPriority, core.PreemptNever:
		case "":
			errs = append(errs, field.Required(fldPath.Child("preemptionPolicy"), ""))
		default:
			errs = append(errs, field.NotSupported(fldPath.Child("preemptionPolicy"), string(*pp),
				[]string{string(core.PreemptLowerPriority), string(core.PreemptNever)}))
		}
	}
	if spec.Overhead != nil {
		errs = append(errs, ValidateResourceRequirements(&core.ResourceRequirements{Limits: spec.Overhead}, fldPath.Child("overhead"))...)
	}
	errs = append(errs, validatePodOS(spec, fldPath)...)
	return errs
}

// validateHostNetworkPorts requires host ports to equal container ports in
// a host-network pod (templates may leave them 0 for the pod's defaulting).
func validateHostNetworkPorts(spec *core.PodSpec, fldPath *field.Path, isPod bool) field.ErrorList {
	if !spec.HostNetwork {
		return nil
	}
	var errs field.ErrorList
	for i, c := range spec.Containers {
		for j, p := range c.Ports {
			if (isPod || p.HostPort != 0) && p.HostPort != p.ContainerPort {
				path := fldPath.Child("containers").Index(i).Child("ports").Index(j).Child("hostPort")
				errs = append(errs, field.Invalid(path, p.HostPort, "must match `containerPort` when `hostNetwork` is true"))
			}
		}
	}
	return errs
}

func validateRestartPolicy(p core.RestartPolicy, path *field.Path) field.ErrorList {
	switch p {
	case core.RestartPolicyAlways, core.RestartPolicyOnFailure, core.RestartPolicyNever:
		return nil
	case "":
		return field.ErrorList{field.Required(path, "")}
	}
	return field.ErrorList{field.NotSupported(path, string(p), []string{
		string(core.RestartPolicyAlways), string(core.RestartPolicyOnFailure), string(core.RestartPolicyNever)})}
}

func validateDNSPolicy(p core.DNSPolicy, path *field.Path) field.ErrorList {
	switch p {
	case core.DNSClusterFirstWithHostNet, core.DNSClusterFirst, core.DNSDefault, core.DNSNone:
		return nil
	case "":
		return field.ErrorList{field.Required(path, "")}
	}
	return field.ErrorList{field.NotSupported(path, string(p), []string{
		string(core.DNSClusterFirstWithHostNet), string(core.DNSClusterFirst), string(core.DNSDefault), string(core.DNSNone)})}
}

func validateDNSConfig(c *core.PodDNSConfig, policy core.DNSPolicy, p *field.Path) field.ErrorList {
	if policy == core.DNSNone {
		if c == nil {
			return field.ErrorList{field.Required(p, fmt.Sprintf("must provide `dnsConfig` when `dnsPolicy` is %s", core.DNSNone))}
		}
		if len(c.Nameservers) == 0 {
			return field.ErrorList{field.Required(p.Child("nameservers"), fmt.Sprintf("must provide at least one DNS nameserver when `dnsPolicy` is %s", core.DNSNone))}
		}
	}
	if c == nil {
		return nil
	}
	var errs field.ErrorList
	if len(c.Nameservers) > maxDNSNameservers {
		errs = append(errs, field.Invalid(p.Child("nameservers"), goSyntax(c.Nameservers), fmt.Sprintf("must not have more than %v nameservers", maxDNSNameservers)))
	}
	for i, ns := range c.Nameservers {
		errs = append(errs, validateIP(p.Child("nameservers").Index(i), ns)...)
	}
	if len(c.Searches) > maxDNSSearchPaths {
		errs = append(errs, field.Invalid(p.Child("searches"), goSyntax(c.Searches), fmt.Sprintf("must not have more than %v search paths", maxDNSSearchPaths)))
	}
	if len(strings.Join(c.Searches, " ")) > maxDNSSearchListChars {
		errs = append(errs, field.Invalid(p.Child("searches"), goSyntax(c.Searches), fmt.Sprintf("must not have more than %v characters (including spaces) in the search list", maxDNSSearchListChars)))
	}
	for i, s := range c.Searches {
		errs = append(errs, validateDNS1123Subdomain(strings.TrimSuffix(s, "."), p.Child("searches").Index(i))...)
	}
	for i, o := range c.Options {
		if o.Name == "" {
			errs = append(errs, field.Required(p.Child("options").Index(i), "must not be empty"))
		}
	}
	return errs
}

// validatePodOS checks spec.os and, for Linux pods, that no Windows options
// are set. The many Windows-pod restrictions are not modelled.
func validatePodOS(spec *core.PodSpec, fldPath *field.Path) field.ErrorList {
	if spec.OS == nil {
		return nil
	}
	p := fldPath.Child("os")
	switch spec.OS.Name {
	case "":
		return field.ErrorList{field.Required(p.Child("name"), "cannot be empty")}
	case core.Linux, core.Windows:
	default:
		return field.ErrorList{field.NotSupported(p, string(spec.OS.Name), []string{string(core.Linux), string(core.Windows)})}
	}
	if spec.OS.Name != core.Linux {
		return nil
	}
	var errs field.ErrorList
	const msg = "windows options cannot be set for a linux pod"
	if sc := spec.SecurityContext; sc != nil && sc.WindowsOptions != nil {
		errs = append(errs, field.Forbidden(fldPath.Child("securityContext", "windowsOptions"), msg))
	}
	visit := func(cs []core.Container, name string) {
		for i, c := range cs {
			if c.SecurityContext != nil && c.SecurityContext.WindowsOptions != nil {
				errs = append(errs, field.Forbidden(fldPath.Child(name).Index(i).Child("securityContext", "windowsOptions"), msg))
			}
		}
	}
	visit(spec.InitContainers, "initContainers")
	visit(spec.Containers, "containers")
	return errs
}

// validatePodAnnotations checks the annotations pods give meaning to:
// mirror pods, deletion cost, and the deprecated seccomp and AppArmor keys.
func validatePodAnnotations(annotations map[string]string, spec *core.PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if v, ok := annotations[core.MirrorPodAnnotationKey]; ok && spec.NodeName == "" {
		errs = append(errs, field.Invalid(p.Key(core.MirrorPodAnnotationKey), v, "must set spec.nodeName if mirror pod annotation is set"))
	}
	if v, ok := annotations[podDeletionCostAnnotation]; ok && !isInt32Decimal(v) {
		errs = append(errs, field.Invalid(p.Key(podDeletionCostAnnotation), v, "must be a 32bit integer"))
	}
	for _, k := range sortedKeys(annotations) {
		v := annotations[k]
		switch {
		case k == seccompPodAnnotation || strings.HasPrefix(k, seccompContainerAnnotation):
			errs = append(errs, validateSeccompAnnotation(v, p.Child(k))...)
		case strings.HasPrefix(k, appArmorContainerAnnotation):
			container := strings.TrimPrefix(k, appArmorContainerAnnotation)
			if !podHasContainer(spec, container) {
				errs = append(errs, field.Invalid(p.Key(k), container, "container not found"))
			}
			if v != "" && v != "runtime/default" && v != "unconfined" && !strings.HasPrefix(v, "localhost/") {
				errs = append(errs, field.Invalid(p.Key(k), v, fmt.Sprintf("invalid AppArmor profile name: %q", v)))
			}
		}
	}
	return errs
}

// isInt32Decimal accepts what upstream's deletion-cost parser accepts: a
// decimal int32 without a plus sign or leading zeros.
func isInt32Decimal(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || (digits[0] == '0' && len(digits) > 1) || (s[0] == '-' && digits[0] == '0') {
		return false
	}
	_, err := strconv.ParseInt(s, 10, 32)
	return err == nil
}

func validateSeccompAnnotation(v string, p *field.Path) field.ErrorList {
	switch {
	case v == "runtime/default", v == "docker/default", v == "unconfined":
		return nil
	case strings.HasPrefix(v, "localhost/"):
		return validateLocalDescendingPath(strings.TrimPrefix(v, "localhost/"), p)
	}
	return field.ErrorList{field.Invalid(p, v, "must be a valid seccomp profile")}
}

func podHasContainer(spec *core.PodSpec, name string) bool {
	for _, cs := range [][]core.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			if c.Name == name {
				return true
			}
		}
	}
	for _, ec := range spec.EphemeralContainers {
		if ec.Name == name {
			return true
		}
	}
	return false
}

// ValidateBinding checks a pods/binding request: the target must name a
// node.
func ValidateBinding(b *core.Binding) field.ErrorList {
	var errs field.ErrorList
	if b.Target.Kind != "" && b.Target.Kind != "Node" {
		errs = append(errs, field.NotSupported(field.NewPath("target", "kind"), b.Target.Kind, []string{"Node", "<empty>"}))
	}
	if b.Target.Name == "" {
		errs = append(errs, field.Required(field.NewPath("target", "name"), ""))
	}
	return errs
}
