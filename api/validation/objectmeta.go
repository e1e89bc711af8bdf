package validation

import (
	"fmt"
	"slices"
	"strings"

	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/api/names"
)

// totalAnnotationSizeLimit is the most bytes of keys and values an object's
// annotations may hold (256 KiB).
const totalAnnotationSizeLimit = 256 << 10

// standardFinalizers are the finalizers the API server understands without
// a domain prefix.
func standardFinalizers() []string {
	return []string{"kubernetes", meta.FinalizerOrphanDependents, meta.FinalizerDeleteDependents}
}

// ValidateObjectMeta checks the metadata of an object being created: name
// (or generateName) in the kind's format, namespace present exactly when
// the kind is namespaced, labels, annotations, owner references and
// finalizers. fldPath is normally "metadata".
func ValidateObjectMeta(m *meta.ObjectMeta, namespaced bool, nameFn func(name string, prefix bool) []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.GenerateName != "" {
		errs = append(errs, invalidEach(fldPath.Child("generateName"), m.GenerateName, nameFn(m.GenerateName, true))...)
	}
	if m.Name == "" {
		errs = append(errs, field.Required(fldPath.Child("name"), "name or generateName is required"))
	} else {
		errs = append(errs, invalidEach(fldPath.Child("name"), m.Name, nameFn(m.Name, false))...)
	}
	if namespaced {
		if m.Namespace == "" {
			errs = append(errs, field.Required(fldPath.Child("namespace"), ""))
		} else {
			errs = append(errs, invalidEach(fldPath.Child("namespace"), m.Namespace, nameIsDNSLabel(m.Namespace, false))...)
		}
	} else if m.Namespace != "" {
		errs = append(errs, field.Forbidden(fldPath.Child("namespace"), "not allowed on this type"))
	}
	errs = append(errs, validateNonnegative(m.Generation, fldPath.Child("generation"))...)
	errs = append(errs, ValidateLabels(m.Labels, fldPath.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(m.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, fldPath.Child("ownerReferences"))...)
	errs = append(errs, validateFinalizers(m.Finalizers, fldPath.Child("finalizers"))...)
	return append(errs, validateKubeFinalizerNames(m.Finalizers, fldPath.Child("finalizers"))...)
}

// ValidateObjectMetaUpdate checks the metadata of an update against the
// stored object: a resourceVersion must be given (the registry fills it for
// unconditional updates before validating), generation may not go back,
// and name, namespace, uid, creationTimestamp and the deletion fields are
// immutable.
func ValidateObjectMetaUpdate(newMeta, oldMeta *meta.ObjectMeta, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if oldMeta.DeletionTimestamp != nil {
		var added []string
		for _, f := range newMeta.Finalizers {
			if !slices.Contains(oldMeta.Finalizers, f) && !slices.Contains(added, f) {
				added = append(added, f)
			}
		}
		if len(added) > 0 {
			slices.Sort(added)
			errs = append(errs, field.Forbidden(fldPath.Child("finalizers"),
				fmt.Sprintf("no new finalizers can be added if the object is being deleted, found new finalizers %#v", added)))
		}
	}
	if newMeta.ResourceVersion == "" {
		errs = append(errs, field.Invalid(fldPath.Child("resourceVersion"), newMeta.ResourceVersion, "must be specified for an update"))
	}
	if newMeta.Generation < oldMeta.Generation {
		errs = append(errs, field.Invalid(fldPath.Child("generation"), newMeta.Generation, "must not be decremented"))
	}
	errs = append(errs, validateImmutable(newMeta.Name, oldMeta.Name, fldPath.Child("name"))...)
	errs = append(errs, validateImmutable(newMeta.Namespace, oldMeta.Namespace, fldPath.Child("namespace"))...)
	errs = append(errs, validateImmutable(newMeta.UID, oldMeta.UID, fldPath.Child("uid"))...)
	errs = append(errs, validateImmutable(newMeta.CreationTimestamp, oldMeta.CreationTimestamp, fldPath.Child("creationTimestamp"))...)
	errs = append(errs, validateImmutable(newMeta.DeletionTimestamp, oldMeta.DeletionTimestamp, fldPath.Child("deletionTimestamp"))...)
	errs = append(errs, validateImmutable(newMeta.DeletionGracePeriodSeconds, oldMeta.DeletionGracePeriodSeconds, fldPath.Child("deletionGracePeriodSeconds"))...)
	errs = append(errs, ValidateLabels(newMeta.Labels, fldPath.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(newMeta.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(newMeta.OwnerReferences, fldPath.Child("ownerReferences"))...)
	return append(errs, validateKubeFinalizerNames(newMeta.Finalizers, fldPath.Child("finalizers"))...)
}

// ValidateLabels checks label keys (qualified names) and values; every
// error is reported at fldPath itself, as upstream does.
func ValidateLabels(labels map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedKeys(labels) {
		errs = append(errs, validateLabelName(k, fldPath)...)
		errs = append(errs, invalidEach(fldPath, labels[k], names.IsValidLabelValue(labels[k]))...)
	}
	return errs
}

func validateLabelName(name string, fldPath *field.Path) field.ErrorList {
	return invalidEach(fldPath, name, names.IsQualifiedName(name))
}

// ValidateAnnotations checks annotation keys (qualified names, case
// insensitively) and their total size.
func ValidateAnnotations(annotations map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	total := 0
	for _, k := range sortedKeys(annotations) {
		errs = append(errs, invalidEach(fldPath, k, names.IsQualifiedName(strings.ToLower(k)))...)
		total += len(k) + len(annotations[k])
	}
	if total > totalAnnotationSizeLimit {
		errs = append(errs, field.TooLong(fldPath, "", totalAnnotationSizeLimit))
	}
	return errs
}

func validateOwnerReferences(refs []meta.OwnerReference, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	firstController := ""
	for _, ref := range refs {
		group, version := splitAPIVersion(ref.APIVersion)
		if version == "" {
			errs = append(errs, field.Invalid(fldPath.Child("apiVersion"), ref.APIVersion, "version must not be empty"))
		}
		if ref.Kind == "" {
			errs = append(errs, field.Invalid(fldPath.Child("kind"), ref.Kind, "must not be empty"))
		}
		if ref.Name == "" {
			errs = append(errs, field.Invalid(fldPath.Child("name"), ref.Name, "must not be empty"))
		}
		if ref.UID == "" {
			errs = append(errs, field.Invalid(fldPath.Child("uid"), ref.UID, "must not be empty"))
		}
		if group == "" && version == "v1" && ref.Kind == "Event" {
			errs = append(errs, field.Invalid(fldPath, goSyntax(ref), "/v1, Kind=Event is disallowed from being an owner"))
		}
		if ref.Controller != nil && *ref.Controller {
			name := ref.Kind + "/" + ref.Name
			if firstController != "" {
				errs = append(errs, field.Invalid(fldPath, goSyntax(refs), fmt.Sprintf(
					"Only one reference can have Controller set to true. Found \"true\" in references for %v and %v", firstController, name)))
			} else {
				firstController = name
			}
		}
	}
	return errs
}

// splitAPIVersion splits "group/version" (or the core group's "version");
// anything unparsable has no version.
func splitAPIVersion(apiVersion string) (group, version string) {
	switch strings.Count(apiVersion, "/") {
	case 0:
		return "", apiVersion
	case 1:
		group, version, _ = strings.Cut(apiVersion, "/")
		if group == "" || version == "" {
			return "", ""
		}
		return group, version
	}
	return "", ""
}

func validateFinalizers(finalizers []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	orphan, foreground := false, false
	for _, f := range finalizers {
		errs = append(errs, validateQualifiedName(f, fldPath)...)
		orphan = orphan || f == meta.FinalizerOrphanDependents
		foreground = foreground || f == meta.FinalizerDeleteDependents
	}
	if orphan && foreground {
		errs = append(errs, field.Invalid(fldPath, goSyntax(finalizers), fmt.Sprintf("finalizer %s and %s cannot be both set",
			meta.FinalizerOrphanDependents, meta.FinalizerDeleteDependents)))
	}
	return errs
}

// validateKubeFinalizerNames requires every unprefixed finalizer to be one
// the API server knows.
func validateKubeFinalizerNames(finalizers []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, f := range finalizers {
		errs = append(errs, validateKubeFinalizerName(f, fldPath.Index(i))...)
	}
	return errs
}

func validateKubeFinalizerName(name string, fldPath *field.Path) field.ErrorList {
	if !strings.Contains(name, "/") && !slices.Contains(standardFinalizers(), name) {
		return field.ErrorList{field.Invalid(fldPath, name, "name is neither a standard finalizer name nor is it fully qualified")}
	}
	return nil
}

// ValidateLabelSelector checks a structured selector: operators and their
// values, keys, and (unless allowInvalidValues) the values' format.
func ValidateLabelSelector(s *meta.LabelSelector, allowInvalidValues bool, fldPath *field.Path) field.ErrorList {
	if s == nil {
		return nil
	}
	errs := ValidateLabels(s.MatchLabels, fldPath.Child("matchLabels"))
	for i, r := range s.MatchExpressions {
		p := fldPath.Child("matchExpressions").Index(i)
		switch r.Operator {
		case meta.LabelSelectorOpIn, meta.LabelSelectorOpNotIn:
			if len(r.Values) == 0 {
				errs = append(errs, field.Required(p.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case meta.LabelSelectorOpExists, meta.LabelSelectorOpDoesNotExist:
			if len(r.Values) > 0 {
				errs = append(errs, field.Forbidden(p.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		default:
			errs = append(errs, field.Invalid(p.Child("operator"), r.Operator, "not a valid selector operator"))
		}
		errs = append(errs, validateLabelName(r.Key, p.Child("key"))...)
		if !allowInvalidValues {
			for j, v := range r.Values {
				errs = append(errs, invalidEach(p.Child("values").Index(j), v, names.IsValidLabelValue(v))...)
			}
		}
	}
	return errs
}

// sortedKeys returns m's keys in order, so that errors come out in a stable
// order (upstream's follow map iteration).
func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
