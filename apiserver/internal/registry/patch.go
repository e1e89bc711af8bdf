package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/patch"
	"seven.dev/api/scheme"
	"seven.dev/apiserver/internal/storage"
)

// Patch types, by Content-Type.
const (
	JSONPatchType           = "application/json-patch+json"
	MergePatchType          = "application/merge-patch+json"
	StrategicMergePatchType = "application/strategic-merge-patch+json"
	ApplyPatchType          = "application/apply-patch+yaml"
)

// schemas caches the strategic-merge schema of each kind's Go type.
var schemas sync.Map // reflect.Type -> patch.Schema; immutable once stored

func schemaOf(k *scheme.Kind) patch.Schema {
	t := reflect.TypeOf(k.New())
	if s, ok := schemas.Load(t); ok {
		return s.(patch.Schema)
	}
	s := patch.SchemaFromType(t)
	schemas.Store(t, s)
	return s
}

// Patch applies a JSON, merge or strategic-merge patch to the current object and stores
// the result through the update path. A resourceVersion inside the patch makes the write
// conditional on it.
func (r *Registry) Patch(ctx context.Context, q *Request, patchType string, body []byte) (meta.Object, error) {
	var pre *storage.Preconditions
	if rv := patchResourceVersion(patchType, body); rv != "" {
		pre = &storage.Preconditions{ResourceVersion: rv}
	}
	return r.update(ctx, q, pre, func(cur meta.Object) (meta.Object, error) {
		curJSON, err := json.Marshal(cur)
		if err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		var patched []byte
		switch patchType {
		case JSONPatchType:
			patched, err = patch.ApplyJSONPatch(curJSON, body)
		case MergePatchType:
			patched, err = patch.ApplyMergePatch(curJSON, body)
		case StrategicMergePatchType:
			patched, err = patch.ApplyStrategicMergePatch(curJSON, body, schemaOf(q.Kind))
		default:
			return nil, apierrors.NewUnsupportedMediaType(patchType)
		}
		if err != nil {
			var st *meta.Status
			if errors.As(err, &st) {
				return nil, st
			}
			return nil, patchError(q, err)
		}
		obj, err := Decode(q.Kind, patched, q.Strict)
		if err != nil {
			return nil, err
		}
		if obj.GetObjectMeta().Name != q.Name {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", obj.GetObjectMeta().Name, q.Name))
		}
		return obj, nil
	})
}

// patchError maps a patch engine failure to upstream's status: a JSON patch whose test
// operation fails or whose path is missing is a 422, a malformed patch a 400.
func patchError(q *Request, err error) error {
	if errors.Is(err, patch.ErrTooLarge) {
		return apierrors.NewRequestEntityTooLarge(err.Error())
	}
	if errors.Is(err, patch.ErrNotApplicable) {
		st := apierrors.NewInvalid(q.Kind.Group, q.Kind.Kind, q.Name, nil)
		st.Message = err.Error()
		return st
	}
	return apierrors.NewBadRequest(err.Error())
}

// patchResourceVersion extracts metadata.resourceVersion from a merge-style patch body.
func patchResourceVersion(patchType string, body []byte) string {
	if patchType != MergePatchType && patchType != StrategicMergePatchType {
		return ""
	}
	var p struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return p.Metadata.ResourceVersion
}
