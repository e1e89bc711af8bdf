package validation

import (
	"fmt"

	"seven.dev/api/apps"
	"seven.dev/api/autoscaling"
	"seven.dev/api/batch"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/meta"
)

// Validate checks an object about to be created. Kinds without rules of
// their own beyond metadata (none today) would get only those; unknown
// kinds are accepted, since the scheme decides what is served.
func Validate(obj meta.Object) field.ErrorList {
	switch o := obj.(type) {
	case *core.Pod:
		return ValidatePod(o)
	case *core.PodTemplate:
		return ValidatePodTemplate(o)
	case *core.Binding:
		return ValidateBinding(o)
	case *core.ReplicationController:
		return ValidateReplicationController(o)
	case *core.Service:
		return ValidateService(o)
	case *core.Endpoints:
		return ValidateEndpoints(o)
	case *core.Namespace:
		return ValidateNamespace(o)
	case *core.Node:
		return ValidateNode(o)
	case *core.Event:
		return ValidateEvent(o)
	case *core.ConfigMap:
		return ValidateConfigMap(o)
	case *core.Secret:
		return ValidateSecret(o)
	case *core.ServiceAccount:
		return ValidateServiceAccount(o)
	case *core.LimitRange:
		return ValidateLimitRange(o)
	case *core.ResourceQuota:
		return ValidateResourceQuota(o)
	case *apps.Deployment:
		return ValidateDeployment(o)
	case *apps.ReplicaSet:
		return ValidateReplicaSet(o)
	case *apps.DaemonSet:
		return ValidateDaemonSet(o)
	case *batch.Job:
		return ValidateJob(o)
	case *coordination.Lease:
		return ValidateLease(o)
	case *autoscaling.Scale:
		return ValidateScale(o)
	}
	return nil
}

// ValidateUpdate checks a full update of old into obj (not a status or
// other subresource write: those have their own functions). obj and old
// must be the same kind; a mismatch is reported as an internal error.
func ValidateUpdate(obj, old meta.Object) field.ErrorList {
	switch o := obj.(type) {
	case *core.Pod:
		return withOld(o, old, ValidatePodUpdate)
	case *core.PodTemplate:
		return withOld(o, old, ValidatePodTemplateUpdate)
	case *core.ReplicationController:
		return withOld(o, old, ValidateReplicationControllerUpdate)
	case *core.Service:
		return withOld(o, old, ValidateServiceUpdate)
	case *core.Endpoints:
		return withOld(o, old, ValidateEndpointsUpdate)
	case *core.Namespace:
		return withOld(o, old, ValidateNamespaceUpdate)
	case *core.Node:
		return withOld(o, old, ValidateNodeUpdate)
	case *core.Event:
		return withOld(o, old, validateEventUpdate)
	case *core.ConfigMap:
		return withOld(o, old, ValidateConfigMapUpdate)
	case *core.Secret:
		return withOld(o, old, ValidateSecretUpdate)
	case *core.ServiceAccount:
		return withOld(o, old, ValidateServiceAccountUpdate)
	case *core.LimitRange:
		return withOld(o, old, validateLimitRangeUpdate)
	case *core.ResourceQuota:
		return withOld(o, old, ValidateResourceQuotaUpdate)
	case *apps.Deployment:
		return withOld(o, old, ValidateDeploymentUpdate)
	case *apps.ReplicaSet:
		return withOld(o, old, ValidateReplicaSetUpdate)
	case *apps.DaemonSet:
		return withOld(o, old, ValidateDaemonSetUpdate)
	case *batch.Job:
		return withOld(o, old, ValidateJobUpdate)
	case *coordination.Lease:
		return withOld(o, old, validateLeaseUpdate)
	case *autoscaling.Scale:
		return withOld(o, old, validateScaleUpdate)
	}
	return nil
}

// withOld runs an update validator once old is known to be of obj's kind.
func withOld[T meta.Object](obj T, old meta.Object, fn func(obj, old T) field.ErrorList) field.ErrorList {
	o, ok := old.(T)
	if !ok {
		return field.ErrorList{field.InternalError(field.NewPath(""), fmt.Errorf("cannot update %T with %T", old, obj))}
	}
	return fn(obj, o)
}

// validateEventUpdate: core/v1 events are validated on update as on create.
func validateEventUpdate(ev, _ *core.Event) field.ErrorList { return ValidateEvent(ev) }

func validateLimitRangeUpdate(lr, old *core.LimitRange) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&lr.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateLimitRange(lr)...)
}

func validateLeaseUpdate(l, old *coordination.Lease) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&l.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateLease(l)...)
}

func validateScaleUpdate(s, _ *autoscaling.Scale) field.ErrorList { return ValidateScale(s) }
