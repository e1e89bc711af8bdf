package gc

import (
	"slices"

	"seven.dev/api/meta"
)

// OwnerState is what the collector found for one owner reference.
type OwnerState int

const (
	// Present means an owner with the referenced UID exists and is not being deleted in
	// the foreground.
	Present OwnerState = iota
	// Absent means no object with the referenced UID exists.
	Absent
	// WaitingForDependents means the owner exists and is being deleted in the foreground.
	WaitingForDependents
)

// Action is what the collector does with a dependent.
type Action struct {
	// Delete the dependent, with Policy ("Background" or "Foreground").
	Delete bool
	Policy string
	// RemoveRefs lists the UIDs of dangling owner references to strip (when the object has
	// other owners).
	RemoveRefs []string
}

// Classify decides a dependent's fate from the state of each of its owners: with no owner
// left it is deleted (in the foreground when some owner waits for its dependents), with
// some owners left only the dangling references go.
func Classify(refs []meta.OwnerReference, states []OwnerState) Action {
	var absent []string
	solid, waiting := 0, 0
	for i, s := range states {
		switch s {
		case Present:
			solid++
		case Absent:
			absent = append(absent, refs[i].UID)
		case WaitingForDependents:
			waiting++
		}
	}
	switch {
	case len(refs) == 0:
		return Action{}
	case solid > 0:
		return Action{RemoveRefs: absent}
	case waiting > 0:
		return Action{Delete: true, Policy: meta.DeletePropagationForeground}
	default:
		return Action{Delete: true, Policy: meta.DeletePropagationBackground}
	}
}

// Blocking reports whether dependent's reference to owner uid blocks the owner's
// foreground deletion.
func Blocking(dependent meta.Object, uid string) bool {
	for _, r := range dependent.GetObjectMeta().OwnerReferences {
		if r.UID == uid && r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
			return true
		}
	}
	return false
}

func hasFinalizer(o meta.Object, f string) bool {
	return slices.Contains(o.GetObjectMeta().Finalizers, f)
}
