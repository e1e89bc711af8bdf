package scheme

import (
	"strconv"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// Default is the catalogue of every kind Seven serves.
func Default() *Scheme {
	return New(
		&Kind{Version: "v1", Kind: "Namespace", Resource: "namespaces", Singular: "namespace",
			ShortNames: []string{"ns"}, Subresources: []string{"status", "finalize"},
			New: func() meta.Object { return &core.Namespace{} },
			Fields: func(o meta.Object) map[string]string {
				return map[string]string{"status.phase": string(o.(*core.Namespace).Status.Phase)}
			}},
		&Kind{Version: "v1", Kind: "Pod", Resource: "pods", Singular: "pod", Namespaced: true,
			ShortNames: []string{"po"}, Categories: []string{"all"},
			Subresources: []string{"status", "binding", "log", "exec", "eviction", "attach", "portforward"},
			New:          func() meta.Object { return &core.Pod{} },
			Fields:       podFields},
		&Kind{Version: "v1", Kind: "Binding", Resource: "bindings", Singular: "binding", Namespaced: true,
			New: func() meta.Object { return &core.Binding{} }},
		&Kind{Version: "v1", Kind: "Node", Resource: "nodes", Singular: "node",
			ShortNames: []string{"no"}, Subresources: []string{"status", "proxy"},
			New: func() meta.Object { return &core.Node{} },
			Fields: func(o meta.Object) map[string]string {
				return map[string]string{"spec.unschedulable": strconv.FormatBool(o.(*core.Node).Spec.Unschedulable)}
			}},
		&Kind{Version: "v1", Kind: "Service", Resource: "services", Singular: "service", Namespaced: true,
			ShortNames: []string{"svc"}, Categories: []string{"all"}, Subresources: []string{"status", "proxy"},
			New: func() meta.Object { return &core.Service{} },
			Fields: func(o meta.Object) map[string]string {
				s := o.(*core.Service)
				return map[string]string{"spec.clusterIP": s.Spec.ClusterIP, "spec.type": string(s.Spec.Type)}
			}},
		&Kind{Version: "v1", Kind: "Endpoints", Resource: "endpoints", Singular: "endpoints", Namespaced: true,
			ShortNames: []string{"ep"},
			New:        func() meta.Object { return &core.Endpoints{} }},
		&Kind{Version: "v1", Kind: "ReplicationController", Resource: "replicationcontrollers",
			Singular: "replicationcontroller", Namespaced: true, ShortNames: []string{"rc"},
			Categories: []string{"all"}, Subresources: []string{"status", "scale"},
			New: func() meta.Object { return &core.ReplicationController{} },
			Fields: func(o meta.Object) map[string]string {
				return map[string]string{"status.replicas": strconv.Itoa(int(o.(*core.ReplicationController).Status.Replicas))}
			}},
		&Kind{Version: "v1", Kind: "Event", Resource: "events", Singular: "event", Namespaced: true,
			ShortNames: []string{"ev"},
			New:        func() meta.Object { return &core.Event{} },
			Fields:     eventFields},
		&Kind{Version: "v1", Kind: "ConfigMap", Resource: "configmaps", Singular: "configmap", Namespaced: true,
			ShortNames: []string{"cm"},
			New:        func() meta.Object { return &core.ConfigMap{} }},
		&Kind{Version: "v1", Kind: "Secret", Resource: "secrets", Singular: "secret", Namespaced: true,
			New: func() meta.Object { return &core.Secret{} },
			Fields: func(o meta.Object) map[string]string {
				return map[string]string{"type": string(o.(*core.Secret).Type)}
			}},
		&Kind{Version: "v1", Kind: "ServiceAccount", Resource: "serviceaccounts", Singular: "serviceaccount",
			Namespaced: true, ShortNames: []string{"sa"},
			New: func() meta.Object { return &core.ServiceAccount{} }},
		&Kind{Version: "v1", Kind: "LimitRange", Resource: "limitranges", Singular: "limitrange",
			Namespaced: true, ShortNames: []string{"limits"},
			New: func() meta.Object { return &core.LimitRange{} }},
		&Kind{Version: "v1", Kind: "ResourceQuota", Resource: "resourcequotas", Singular: "resourcequota",
			Namespaced: true, ShortNames: []string{"quota"}, Subresources: []string{"status"},
			New: func() meta.Object { return &core.ResourceQuota{} }},
		&Kind{Group: "apps", Version: "v1", Kind: "Deployment", Resource: "deployments", Singular: "deployment",
			Namespaced: true, ShortNames: []string{"deploy"}, Categories: []string{"all"},
			Subresources: []string{"status", "scale"},
			New:          func() meta.Object { return &apps.Deployment{} }},
		&Kind{Group: "apps", Version: "v1", Kind: "ReplicaSet", Resource: "replicasets", Singular: "replicaset",
			Namespaced: true, ShortNames: []string{"rs"}, Categories: []string{"all"},
			Subresources: []string{"status", "scale"},
			New:          func() meta.Object { return &apps.ReplicaSet{} }},
		&Kind{Group: "apps", Version: "v1", Kind: "DaemonSet", Resource: "daemonsets", Singular: "daemonset",
			Namespaced: true, ShortNames: []string{"ds"}, Categories: []string{"all"},
			Subresources: []string{"status"},
			New:          func() meta.Object { return &apps.DaemonSet{} }},
		&Kind{Group: "batch", Version: "v1", Kind: "Job", Resource: "jobs", Singular: "job",
			Namespaced: true, Categories: []string{"all"}, Subresources: []string{"status"},
			New: func() meta.Object { return &batch.Job{} },
			Fields: func(o meta.Object) map[string]string {
				return map[string]string{"status.successful": strconv.Itoa(int(o.(*batch.Job).Status.Succeeded))}
			}},
		&Kind{Group: "coordination.k8s.io", Version: "v1", Kind: "Lease", Resource: "leases", Singular: "lease",
			Namespaced: true,
			New:        func() meta.Object { return &coordination.Lease{} }},
	)
}

func podFields(o meta.Object) map[string]string {
	p := o.(*core.Pod)
	return map[string]string{
		"spec.nodeName":            p.Spec.NodeName,
		"spec.restartPolicy":       string(p.Spec.RestartPolicy),
		"spec.schedulerName":       p.Spec.SchedulerName,
		"spec.serviceAccountName":  p.Spec.ServiceAccountName,
		"spec.hostNetwork":         strconv.FormatBool(p.Spec.HostNetwork),
		"status.phase":             string(p.Status.Phase),
		"status.podIP":             p.Status.PodIP,
		"status.nominatedNodeName": p.Status.NominatedNodeName,
	}
}

func eventFields(o meta.Object) map[string]string {
	e := o.(*core.Event)
	return map[string]string{
		"involvedObject.kind":            e.InvolvedObject.Kind,
		"involvedObject.namespace":       e.InvolvedObject.Namespace,
		"involvedObject.name":            e.InvolvedObject.Name,
		"involvedObject.uid":             string(e.InvolvedObject.UID),
		"involvedObject.apiVersion":      e.InvolvedObject.APIVersion,
		"involvedObject.resourceVersion": e.InvolvedObject.ResourceVersion,
		"involvedObject.fieldPath":       e.InvolvedObject.FieldPath,
		"reason":                         e.Reason,
		"reportingComponent":             e.ReportingController,
		"source":                         e.Source.Component,
		"type":                           e.Type,
	}
}
