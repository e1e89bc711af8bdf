package controller

import (
	"encoding/json"
	"fmt"

	"seven.dev/api/meta"
)

// Clone returns a deep copy of obj, so an object read from an informer cache can be changed.
// The API types have no generated DeepCopy, and a JSON round trip is exact for them.
func Clone[T any](obj T) T {
	b, err := json.Marshal(obj)
	if err != nil {
		panic(fmt.Sprintf("clone %T: %v", obj, err))
	}
	var out T
	// T is a pointer type for API objects: allocate what it points to.
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("clone %T: %v", obj, err))
	}
	return out
}

// ControllerOf returns obj's controlling owner reference, or nil.
func ControllerOf(obj meta.Object) *meta.OwnerReference {
	for i, r := range obj.GetObjectMeta().OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return &obj.GetObjectMeta().OwnerReferences[i]
		}
	}
	return nil
}

// NewControllerRef is the owner reference a controller puts on what it creates: controller
// and blockOwnerDeletion both true, so foreground deletion of the owner waits for it.
func NewControllerRef(owner meta.Object, apiVersion, kind string) meta.OwnerReference {
	t := true
	m := owner.GetObjectMeta()
	return meta.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: m.Name, UID: m.UID, Controller: &t, BlockOwnerDeletion: &t}
}

// Key returns the workqueue key of obj ("namespace/name" or "name").
func Key(obj meta.Object) string {
	m := obj.GetObjectMeta()
	if m.Namespace == "" {
		return m.Name
	}
	return m.Namespace + "/" + m.Name
}
