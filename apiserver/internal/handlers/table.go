package handlers

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/patch"
	"seven.dev/api/scheme"
	"seven.dev/apiserver/internal/registry"
)

// WantsTable reports whether the client asked for a meta.k8s.io Table (kubectl get does).
func WantsTable(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		params := strings.Split(part, ";")
		var as, g string
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			switch k {
			case "as":
				as = v
			case "g":
				g = v
			}
		}
		if as == "Table" && (g == "" || g == "meta.k8s.io") {
			return true
		}
		// The first acceptable non-Table type wins, as in upstream's negotiation.
		mt := strings.TrimSpace(params[0])
		if as == "" && (mt == "application/json" || mt == "*/*" || mt == "application/*") {
			return false
		}
	}
	return false
}

// table renders objs, attaching each row's object as the client's includeObject asks.
func (h *Resources) table(r *http.Request, k *scheme.Kind, objs []meta.Object) (*meta.Table, error) {
	t, err := h.cfg.Table(k, objs, h.cfg.Now())
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	include := r.URL.Query().Get("includeObject")
	if include == "" {
		include = "Metadata"
	}
	for i := range t.Rows {
		if i >= len(objs) {
			break
		}
		var v any
		switch include {
		case "None":
			continue
		case "Object":
			// Objects may be shared with the watch cache: never write to them. Stored
			// objects already carry their kind and apiVersion.
			v = objs[i]
		default:
			v = &meta.PartialObjectMetadata{
				TypeMeta:   meta.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"},
				ObjectMeta: *objs[i].GetObjectMeta(),
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		t.Rows[i].Object = b
	}
	if t.Rows == nil {
		t.Rows = []meta.TableRow{}
	}
	return t, nil
}

// applyPatchTo applies a patch of any supported type to v's JSON form.
func applyPatchTo(v any, mediaType string, body []byte) ([]byte, error) {
	cur, err := json.Marshal(v)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	var out []byte
	switch mediaType {
	case registry.JSONPatchType:
		out, err = patch.ApplyJSONPatch(cur, body)
	case registry.MergePatchType:
		out, err = patch.ApplyMergePatch(cur, body)
	case registry.StrategicMergePatchType:
		out, err = patch.ApplyStrategicMergePatch(cur, body, patch.SchemaFromType(reflect.TypeOf(v)))
	default:
		return nil, apierrors.NewUnsupportedMediaType(mediaType)
	}
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	return out, nil
}

// warnUnknownFields adds upstream's Warning headers for unknown fields when the client
// asked for (or defaulted to) fieldValidation=Warn.
func warnUnknownFields(w http.ResponseWriter, k *scheme.Kind, body []byte, validation string) {
	if validation != "Warn" && validation != "" {
		return
	}
	var raw any
	if json.Unmarshal(body, &raw) != nil {
		return
	}
	for _, f := range registry.UnknownFields(raw, reflect.TypeOf(k.New())) {
		w.Header().Add("Warning", `299 - "unknown field \"`+f+`\""`)
	}
}
