package defaults

import (
	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// Default fills the defaulted fields of obj in place. Kinds without defaults
// (Lease, Event, ServiceAccount, ResourceQuota, Binding, Scale, ...) and
// unknown kinds are left untouched.
func Default(obj meta.Object) {
	switch o := obj.(type) {
	case *core.Pod:
		Pod(o)
	case *core.PodTemplate:
		PodTemplateSpec(&o.Template)
	case *core.ReplicationController:
		ReplicationController(o)
	case *core.Service:
		Service(o)
	case *core.Endpoints:
		Endpoints(o)
	case *core.Namespace:
		Namespace(o)
	case *core.Node:
		Node(o)
	case *core.Secret:
		Secret(o)
	case *core.ConfigMap:
		ConfigMap(o)
	case *core.LimitRange:
		LimitRange(o)
	case *apps.Deployment:
		Deployment(o)
	case *apps.ReplicaSet:
		ReplicaSet(o)
	case *apps.DaemonSet:
		DaemonSet(o)
	case *batch.Job:
		Job(o)
	}
}
