package registry

import (
	"context"

	"seven.dev/api/batch"
	"seven.dev/api/defaults"

	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// hooks are the kind-specific parts of the verbs. Every field is optional.
type hooks struct {
	// generation: metadata.generation starts at 1 and bumps on spec changes.
	generation bool
	// createOnUpdate: a PUT to a missing object creates it.
	createOnUpdate bool
	// returnObjectOnDelete: DELETE answers with the object rather than a Status.
	returnObjectOnDelete bool

	prepareCreate func(obj meta.Object)
	prepareUpdate func(obj, old meta.Object, subresource string)
	// beforeCreate runs after validation; rollback undoes it if the write fails.
	beforeCreate func(ctx context.Context, r *Registry, q *Request, obj meta.Object) (rollback func(), err error)
	// beforeUpdate runs after validation; commit runs after a successful write,
	// rollback after a failed one (or a retry).
	beforeUpdate func(ctx context.Context, r *Registry, q *Request, obj, old meta.Object) (commit, rollback func(), err error)
	beforeDelete func(q *Request, cur meta.Object) error
	// gracePeriod decides whether a delete is graceful and for how long.
	gracePeriod func(cur meta.Object, opts *meta.DeleteOptions) (seconds int64, graceful bool)
	// markDeleting adjusts an object as its deletion begins (namespace phase, say).
	markDeleting func(obj meta.Object)
	// holdsDeletion keeps a marked object alive beyond its metadata finalizers.
	holdsDeletion func(obj meta.Object) bool
	afterDelete   func(ctx context.Context, r *Registry, obj meta.Object)
}

func (h *hooks) blocksDeletion(obj meta.Object) bool {
	return h.holdsDeletion != nil && h.holdsDeletion(obj)
}

// hooksFor returns the hooks of a kind (the zero hooks for plain kinds).
func hooksFor(k *scheme.Kind) *hooks {
	if h, ok := kindHooks[k.Group+"/"+k.Resource]; ok {
		return h
	}
	return &plainHooks
}

var plainHooks = hooks{}

// kindHooks is a constant table (never written after init).
var kindHooks = map[string]*hooks{
	"/pods":                      podHooks(),
	"/services":                  serviceHooks(),
	"/namespaces":                namespaceHooks(),
	"/nodes":                     {returnObjectOnDelete: false},
	"/endpoints":                 {createOnUpdate: true},
	"/events":                    {createOnUpdate: true},
	"/secrets":                   secretHooks(),
	"/replicationcontrollers":    workloadHooks(),
	"/resourcequotas":            {prepareCreate: clearStatus},
	"apps/deployments":           workloadHooks(),
	"apps/replicasets":           workloadHooks(),
	"apps/daemonsets":            workloadHooks(),
	"batch/jobs":                 jobHooks(),
	"coordination.k8s.io/leases": {createOnUpdate: true},
}

func workloadHooks() *hooks {
	return &hooks{generation: true, prepareCreate: clearStatus}
}

// jobHooks generate the job's selector and labels from its uid at create, as upstream.
func jobHooks() *hooks {
	h := workloadHooks()
	h.prepareCreate = func(obj meta.Object) {
		clearStatus(obj)
		j := obj.(*batch.Job)
		if j.Spec.ManualSelector == nil || !*j.Spec.ManualSelector {
			defaults.GenerateJobSelector(j)
		}
	}
	return h
}

func clearStatus(obj meta.Object) {
	resetField(obj, "Status")
}
