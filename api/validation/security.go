package validation

import (
	"fmt"
	"math"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

const (
	sysctlMaxLength = 253
	// sysctlPattern is the name format upstream quotes in its message.
	sysctlPattern = `^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$`
	// maxAppArmorProfileLength is PATH_MAX - 1.
	maxAppArmorProfileLength = 4095
)

// validateID checks a user or group ID.
func validateID(id int64, path *field.Path) field.ErrorList {
	if id < 0 || id > math.MaxInt32 {
		return field.ErrorList{field.Invalid(path, id, names.InclusiveRangeError(0, math.MaxInt32))}
	}
	return nil
}

// validateSecurityContext checks a container's security context.
func validateSecurityContext(sc *core.SecurityContext, path *field.Path, hostUsers bool) field.ErrorList {
	if sc == nil {
		return nil
	}
	var errs field.ErrorList
	if sc.RunAsUser != nil {
		errs = append(errs, validateID(*sc.RunAsUser, path.Child("runAsUser"))...)
	}
	if sc.RunAsGroup != nil {
		errs = append(errs, validateID(*sc.RunAsGroup, path.Child("runAsGroup"))...)
	}
	if sc.ProcMount != nil {
		switch *sc.ProcMount {
		case core.DefaultProcMount, core.UnmaskedProcMount:
		default:
			errs = append(errs, field.NotSupported(path.Child("procMount"), string(*sc.ProcMount),
				[]string{string(core.DefaultProcMount), string(core.UnmaskedProcMount)}))
		}
		if hostUsers && *sc.ProcMount == core.UnmaskedProcMount {
			errs = append(errs, field.Invalid(path.Child("procMount"), string(*sc.ProcMount), "`hostUsers` must be false to use `Unmasked`"))
		}
	}
	errs = append(errs, validateSeccompProfile(sc.SeccompProfile, path.Child("seccompProfile"))...)
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		if sc.Privileged != nil && *sc.Privileged {
			errs = append(errs, field.Invalid(path, goSyntax(*sc), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
		}
		if sc.Capabilities != nil {
			for _, c := range sc.Capabilities.Add {
				if c == "CAP_SYS_ADMIN" {
					errs = append(errs, field.Invalid(path, goSyntax(*sc), "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
				}
			}
		}
	}
	errs = append(errs, validateAppArmorProfile(sc.AppArmorProfile, path.Child("appArmorProfile"))...)
	return errs
}

// validatePodSecurityContext checks the pod-level security context; spec
// holds the host namespace flags that upstream keeps in it.
func validatePodSecurityContext(spec *core.PodSpec, specPath *field.Path) field.ErrorList {
	sc := spec.SecurityContext
	if sc == nil {
		return nil
	}
	path := specPath.Child("securityContext")
	var errs field.ErrorList
	if sc.FSGroup != nil {
		errs = append(errs, validateID(*sc.FSGroup, path.Child("fsGroup"))...)
	}
	if sc.RunAsUser != nil {
		errs = append(errs, validateID(*sc.RunAsUser, path.Child("runAsUser"))...)
	}
	if sc.RunAsGroup != nil {
		errs = append(errs, validateID(*sc.RunAsGroup, path.Child("runAsGroup"))...)
	}
	for i, g := range sc.SupplementalGroups {
		errs = append(errs, validateID(g, path.Child("supplementalGroups").Index(i))...)
	}
	if spec.ShareProcessNamespace != nil && spec.HostPID && *spec.ShareProcessNamespace {
		errs = append(errs, field.Invalid(specPath.Child("shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"))
	}
	errs = append(errs, validateSysctls(spec, path.Child("sysctls"))...)
	if p := sc.FSGroupChangePolicy; p != nil && *p != core.FSGroupChangeOnRootMismatch && *p != core.FSGroupChangeAlways {
		errs = append(errs, field.NotSupported(path.Child("fsGroupChangePolicy"), string(*p),
			[]string{string(core.FSGroupChangeAlways), string(core.FSGroupChangeOnRootMismatch)}))
	}
	errs = append(errs, validateSeccompProfile(sc.SeccompProfile, path.Child("seccompProfile"))...)
	errs = append(errs, validateAppArmorProfile(sc.AppArmorProfile, path.Child("appArmorProfile"))...)
	if p := sc.SupplementalGroupsPolicy; p != nil && *p != core.SupplementalGroupsPolicyMerge && *p != core.SupplementalGroupsPolicyStrict {
		errs = append(errs, field.NotSupported(path.Child("supplementalGroupsPolicy"), string(*p),
			[]string{string(core.SupplementalGroupsPolicyMerge), string(core.SupplementalGroupsPolicyStrict)}))
	}
	if p := sc.SELinuxChangePolicy; p != nil && *p != core.SELinuxChangePolicyRecursive && *p != core.SELinuxChangePolicyMountOption {
		errs = append(errs, field.NotSupported(path.Child("seLinuxChangePolicy"), string(*p),
			[]string{string(core.SELinuxChangePolicyMountOption), string(core.SELinuxChangePolicyRecursive)}))
	}
	return errs
}

func validateSysctls(spec *core.PodSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, s := range spec.SecurityContext.Sysctls {
		namePath := path.Index(i).Child("name")
		switch {
		case s.Name == "":
			errs = append(errs, field.Required(namePath, ""))
		case !isValidSysctlName(s.Name):
			errs = append(errs, field.Invalid(namePath, s.Name, fmt.Sprintf("must have at most %d characters and match regex %s", sysctlMaxLength, sysctlPattern)))
		case seen[s.Name]:
			errs = append(errs, field.Duplicate(namePath, s.Name))
		}
		// Namespaced sysctls make no sense in a namespace shared with the host.
		name := strings.ReplaceAll(s.Name, "/", ".")
		switch {
		case spec.HostNetwork && strings.HasPrefix(name, "net."):
			errs = append(errs, field.Invalid(namePath, s.Name, "may not be specified when 'hostNetwork' is true"))
		case spec.HostIPC && (strings.HasPrefix(name, "kernel.shm") || strings.HasPrefix(name, "kernel.msg") ||
			strings.HasPrefix(name, "fs.mqueue.") || name == "kernel.sem"):
			errs = append(errs, field.Invalid(namePath, s.Name, "may not be specified when 'hostIPC' is true"))
		}
		seen[s.Name] = true
	}
	return errs
}

// isValidSysctlName checks dot- or slash-separated segments of lower-case
// alphanumerics, '-' and '_', each starting and ending alphanumeric.
func isValidSysctlName(name string) bool {
	if name == "" || len(name) > sysctlMaxLength {
		return false
	}
	for _, seg := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '/' }) {
		if !isSysctlSegment(seg) {
			return false
		}
	}
	last := name[len(name)-1]
	return name[0] != '.' && name[0] != '/' && last != '.' && last != '/' &&
		!strings.Contains(name, "..") && !strings.Contains(name, "//") && !strings.Contains(name, "./") && !strings.Contains(name, "/.")
}

func isSysctlSegment(s string) bool {
	alnum := func(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
	if s == "" || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !alnum(s[i]) && s[i] != '-' && s[i] != '_' {
			return false
		}
	}
	return true
}

func validateSeccompProfile(sp *core.SeccompProfile, path *field.Path) field.ErrorList {
	if sp == nil {
		return nil
	}
	var errs field.ErrorList
	switch sp.Type {
	case core.SeccompProfileTypeLocalhost, core.SeccompProfileTypeRuntimeDefault, core.SeccompProfileTypeUnconfined:
	case "":
		errs = append(errs, field.Required(path.Child("type"), "type is required when seccompProfile is set"))
	default:
		errs = append(errs, field.NotSupported(path.Child("type"), string(sp.Type), []string{
			string(core.SeccompProfileTypeLocalhost), string(core.SeccompProfileTypeRuntimeDefault), string(core.SeccompProfileTypeUnconfined)}))
	}
	if sp.Type == core.SeccompProfileTypeLocalhost {
		if sp.LocalhostProfile == nil {
			errs = append(errs, field.Required(path.Child("localhostProfile"), "must be set when seccomp type is Localhost"))
		} else {
			errs = append(errs, validateLocalDescendingPath(*sp.LocalhostProfile, path.Child("localhostProfile"))...)
		}
	} else if sp.LocalhostProfile != nil {
		errs = append(errs, field.Invalid(path.Child("localhostProfile"), goSyntax(*sp), "can only be set when seccomp type is Localhost"))
	}
	return errs
}

func validateAppArmorProfile(p *core.AppArmorProfile, path *field.Path) field.ErrorList {
	if p == nil {
		return nil
	}
	var errs field.ErrorList
	switch p.Type {
	case core.AppArmorProfileTypeLocalhost:
		lp := path.Child("localhostProfile")
		if p.LocalhostProfile == nil {
			return append(errs, field.Required(lp, "must be set when AppArmor type is Localhost"))
		}
		trimmed := strings.TrimSpace(*p.LocalhostProfile)
		if trimmed != *p.LocalhostProfile {
			errs = append(errs, field.Invalid(lp, *p.LocalhostProfile, "must not be padded with whitespace"))
		} else if trimmed == "" {
			errs = append(errs, field.Required(lp, "must be set when AppArmor type is Localhost"))
		}
		if len(*p.LocalhostProfile) > maxAppArmorProfileLength {
			errs = append(errs, field.TooLong(lp, "", maxAppArmorProfileLength))
		}
	case core.AppArmorProfileTypeRuntimeDefault, core.AppArmorProfileTypeUnconfined:
		if p.LocalhostProfile != nil {
			errs = append(errs, field.Invalid(path.Child("localhostProfile"), *p.LocalhostProfile, "can only be set when AppArmor type is Localhost"))
		}
	case "":
		errs = append(errs, field.Required(path.Child("type"), "type is required when appArmorProfile is set"))
	default:
		errs = append(errs, field.NotSupported(path.Child("type"), string(p.Type), []string{
			string(core.AppArmorProfileTypeLocalhost), string(core.AppArmorProfileTypeRuntimeDefault), string(core.AppArmorProfileTypeUnconfined)}))
	}
	return errs
}
