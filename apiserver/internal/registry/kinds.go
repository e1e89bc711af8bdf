package registry

import (
	"fmt"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

func namespaceHooks() *hooks {
	return &hooks{
		prepareCreate: func(obj meta.Object) {
			ns := obj.(*core.Namespace)
			ns.Status = core.NamespaceStatus{Phase: core.NamespaceActive}
			if !hasFinalizer(ns.Spec.Finalizers, core.FinalizerKubernetes) {
				ns.Spec.Finalizers = append(ns.Spec.Finalizers, core.FinalizerKubernetes)
			}
		},
		prepareUpdate: func(obj, old meta.Object, sub string) {
			ns, o := obj.(*core.Namespace), old.(*core.Namespace)
			// spec.finalizers change only through the finalize subresource.
			if sub != "finalize" {
				ns.Spec.Finalizers = o.Spec.Finalizers
			}
			if ns.DeletionTimestamp != nil {
				ns.Status.Phase = core.NamespaceTerminating
			} else if ns.Status.Phase == "" {
				ns.Status.Phase = core.NamespaceActive
			}
		},
		beforeDelete: func(q *Request, cur meta.Object) error {
			if immortalNamespaces[cur.GetObjectMeta().Name] {
				return apierrors.NewForbidden(q.resource(), q.Name, fmt.Errorf("this namespace may not be deleted"))
			}
			return nil
		},
		markDeleting: func(obj meta.Object) {
			obj.(*core.Namespace).Status.Phase = core.NamespaceTerminating
		},
		holdsDeletion: func(obj meta.Object) bool {
			return len(obj.(*core.Namespace).Spec.Finalizers) > 0
		},
	}
}

func hasFinalizer(list []core.FinalizerName, f core.FinalizerName) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

// secretHooks fold stringData into data on every write, as upstream does.
func secretHooks() *hooks {
	fold := func(obj meta.Object) {
		s := obj.(*core.Secret)
		if len(s.StringData) == 0 {
			return
		}
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
		s.StringData = nil
	}
	return &hooks{
		prepareCreate: fold,
		prepareUpdate: func(obj, _ meta.Object, _ string) { fold(obj) },
	}
}
