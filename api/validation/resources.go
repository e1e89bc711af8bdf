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

// standardContainerResources and the lists below are resource names by
// role, as upstream's core helper lists them.
func standardContainerResources() []string { return []string{"cpu", "memory", "ephemeral-storage"} }

func standardResources() []string {
	return []string{
		"cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
		"limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
		"resourcequotas", "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports",
		"services.loadbalancers", "storage", "requests.storage",
	}
}

func standardQuotaResources() []string {
	return []string{
		"cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
		"requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
		"services", "replicationcontrollers", "resourcequotas", "secrets", "persistentvolumeclaims",
		"configmaps", "services.nodeports", "services.loadbalancers",
	}
}

func integerResources() []string {
	return []string{
		"pods", "services", "replicationcontrollers", "resourcequotas", "services.nodeports",
		"services.loadbalancers", "secrets", "configmaps", "persistentvolumeclaims",
	}
}

func standardLimitRangeTypes() []core.LimitType {
	return []core.LimitType{core.LimitTypePod, core.LimitTypeContainer, core.LimitTypePersistentVolumeClaim}
}

func isHugePageResourceName(n core.ResourceName) bool {
	return strings.HasPrefix(string(n), core.ResourceHugePagesPrefix)
}

func isQuotaHugePageResourceName(n core.ResourceName) bool {
	return isHugePageResourceName(n) || strings.HasPrefix(string(n), core.ResourceRequestsPrefix+core.ResourceHugePagesPrefix)
}

func isNativeResource(n core.ResourceName) bool {
	return !strings.Contains(string(n), "/") || strings.Contains(string(n), core.ResourceDefaultNamespacePrefix)
}

func isExtendedResourceName(n core.ResourceName) bool {
	if isNativeResource(n) || strings.HasPrefix(string(n), core.ResourceRequestsPrefix) {
		return false
	}
	return len(names.IsQualifiedName(core.ResourceRequestsPrefix+string(n))) == 0
}

func isOvercommitAllowed(n core.ResourceName) bool {
	return isNativeResource(n) && !isHugePageResourceName(n)
}

func isIntegerResourceName(n core.ResourceName) bool {
	return slices.Contains(integerResources(), string(n)) || isExtendedResourceName(n)
}

// validateResourceName accepts a standard resource or a qualified one.
func validateResourceName(n core.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := invalidEach(fldPath, n, names.IsQualifiedName(string(n)))
	if len(errs) != 0 {
		return errs
	}
	if !strings.Contains(string(n), "/") && !slices.Contains(standardResources(), string(n)) && !isQuotaHugePageResourceName(n) {
		return field.ErrorList{field.Invalid(fldPath, n, "must be a standard resource type or fully qualified")}
	}
	return nil
}

// validateContainerResourceName accepts cpu, memory, ephemeral storage,
// huge pages and extended resources.
func validateContainerResourceName(n core.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := validateResourceName(n, fldPath)
	if !strings.Contains(string(n), "/") {
		if !slices.Contains(standardContainerResources(), string(n)) && !isHugePageResourceName(n) {
			return append(errs, field.Invalid(fldPath, n, "must be a standard resource for containers"))
		}
	} else if !isNativeResource(n) && !isExtendedResourceName(n) {
		return append(errs, field.Invalid(fldPath, n, "doesn't follow extended resource name standard"))
	}
	return errs
}

// validateQuotaResourceName accepts the resources a quota can count.
func validateQuotaResourceName(n core.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := validateResourceName(n, fldPath)
	if !strings.Contains(string(n), "/") && !slices.Contains(standardQuotaResources(), string(n)) && !isQuotaHugePageResourceName(n) {
		return append(errs, field.Invalid(fldPath, n, isInvalidQuotaResource))
	}
	return errs
}

// validateResourceQuantity requires a non-negative quantity, and a whole
// one for countable resources.
func validateResourceQuantity(n core.ResourceName, q resource.Quantity, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if q.Sign() < 0 {
		errs = append(errs, field.Invalid(fldPath, q.String(), isNegativeErrorMsg))
	}
	if isIntegerResourceName(n) && q.MilliValue()%1000 != 0 {
		errs = append(errs, field.Invalid(fldPath, rendered(q.String()), isNotIntegerErrorMsg))
	}
	return errs
}

// hugePageDivisible reports whether q is a whole number of the page size
// named by n ("hugepages-2Mi").
func hugePageDivisible(n core.ResourceName, q resource.Quantity) bool {
	size, err := resource.ParseQuantity(strings.TrimPrefix(string(n), core.ResourceHugePagesPrefix))
	if err != nil || size.Value() <= 0 {
		return false
	}
	return q.Value()%size.Value() == 0
}

// ValidateResourceRequirements checks a container's limits and requests:
// resource names, quantities, request <= limit (== for resources that
// cannot be overcommitted), huge pages with cpu or memory, and claim names
// against the pod's resource claims (Seven models none, so any claim is
// unknown).
func ValidateResourceRequirements(r *core.ResourceRequirements, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	limPath, reqPath := fldPath.Child("limits"), fldPath.Child("requests")
	cpuOrMemory, hugePages := false, false
	for _, n := range sortedKeys(r.Limits) {
		q, name := r.Limits[n], string(n)
		p := limPath.Key(name)
		errs = append(errs, validateContainerResourceName(n, p)...)
		errs = append(errs, validateResourceQuantity(n, q, p)...)
		if isHugePageResourceName(n) {
			hugePages = true
			if !hugePageDivisible(n, q) {
				errs = append(errs, field.Invalid(p, q.String(), fmt.Sprintf("%s is not positive integer multiple of %s", q.String(), name)))
			}
		}
		cpuOrMemory = cpuOrMemory || n == core.ResourceCPU || n == core.ResourceMemory
	}
	for _, n := range sortedKeys(r.Requests) {
		q, name := r.Requests[n], string(n)
		p := reqPath.Key(name)
		errs = append(errs, validateContainerResourceName(n, p)...)
		errs = append(errs, validateResourceQuantity(n, q, p)...)
		if limit, ok := r.Limits[n]; ok {
			if q.Cmp(limit) != 0 && !isOvercommitAllowed(n) {
				errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
			} else if q.Cmp(limit) > 0 {
				errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
			}
		} else if !isOvercommitAllowed(n) {
			errs = append(errs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
		if isHugePageResourceName(n) {
			hugePages = true
			if !hugePageDivisible(n, q) {
				errs = append(errs, field.Invalid(p, q.String(), fmt.Sprintf("%s is not positive integer multiple of %s", q.String(), name)))
			}
		}
		cpuOrMemory = cpuOrMemory || n == core.ResourceCPU || n == core.ResourceMemory
	}
	if hugePages && !cpuOrMemory {
		errs = append(errs, field.Forbidden(fldPath, "HugePages require cpu or memory"))
	}
	seen := map[string]bool{}
	for i, c := range r.Claims {
		p := fldPath.Child("claims").Index(i)
		switch {
		case c.Name == "":
			errs = append(errs, field.Required(p, ""))
		case seen[c.Name]:
			errs = append(errs, field.Duplicate(p, c.Name))
		default:
			seen[c.Name] = true
			e := field.NotFound(p, c.Name)
			e.Detail = "must be one of the names in pod.spec.resourceClaims which is empty"
			errs = append(errs, e)
		}
	}
	return errs
}
