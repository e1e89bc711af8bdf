package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"seven.dev/api/autoscaling"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/fields"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/api/scheme"
	"seven.dev/apiserver/internal/registry"
	"seven.dev/apiserver/internal/storage"
)

// TableFunc renders objects of a kind as a server-side Table.
type TableFunc func(k *scheme.Kind, objs []meta.Object, now time.Time) (*meta.Table, error)

// SubresourceHandler serves a subresource the registry does not (pods/log, pods/exec).
type SubresourceHandler func(w http.ResponseWriter, r *http.Request, info RequestInfo)

// Config wires the resource handler.
type Config struct {
	Registry *registry.Registry
	Scheme   *scheme.Scheme
	Table    TableFunc
	Logger   *slog.Logger
	// MaxBody is the largest request body accepted (3 MiB upstream).
	MaxBody int64
	// RequestTimeout bounds every request except watches (60 s upstream).
	RequestTimeout time.Duration
	// MinWatchTimeout: a watch without timeoutSeconds ends after a random time in
	// [MinWatchTimeout, 2*MinWatchTimeout], so clients spread their re-watches.
	MinWatchTimeout time.Duration
	// Subresources serve proxied subresources, keyed "pods/log".
	Subresources map[string]SubresourceHandler
	Now          func() time.Time
	// Watches counts open watches, for metrics.
	// Stop, when closed, ends every open watch (graceful shutdown).
	Stop    <-chan struct{}
	Watches interface {
		Inc(group, version, kind string)
		Dec(group, version, kind string)
	}
}

// Resources serves /api/v1/... and /apis/<g>/<v>/... resource requests.
type Resources struct {
	cfg     Config
	encOnce sync.Once
	enc     *encodeCache
}

// NewResources builds the resource handler.
func NewResources(cfg Config) *Resources {
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 3 << 20
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.MinWatchTimeout == 0 {
		cfg.MinWatchTimeout = 30 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Resources{cfg: cfg}
}

// ServeResource answers one resource request described by info.
func (h *Resources) ServeResource(w http.ResponseWriter, r *http.Request, info RequestInfo) {
	k, err := h.kindFor(info)
	if err != nil {
		writeError(w, err)
		return
	}
	if !k.Namespaced {
		info.Namespace = ""
	}
	if info.Subresource != "" && !k.HasSubresource(info.Subresource) {
		writeError(w, apierrors.NewNotFound(apierrors.Resource{Group: k.Group, Resource: k.Resource + "/" + info.Subresource}, info.Name))
		return
	}
	if sh, ok := h.cfg.Subresources[k.Resource+"/"+info.Subresource]; ok && info.Subresource != "" {
		sh(w, r, info)
		return
	}
	if info.Verb != "watch" {
		ctx, cancel := context.WithTimeout(r.Context(), h.cfg.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	q := &registry.Request{Kind: k, Namespace: info.Namespace, Name: info.Name, Subresource: info.Subresource}
	query := r.URL.Query()
	if dr, ok := query["dryRun"]; ok {
		for _, v := range dr {
			if v != "All" {
				writeError(w, apierrors.NewBadRequest(fmt.Sprintf("Invalid dryRun value %q: dryRun may only be \"All\"", v)))
				return
			}
		}
		q.DryRun = len(dr) > 0
	}
	validation := query.Get("fieldValidation")
	switch validation {
	case "", "Ignore", "Warn", "Strict":
	default:
		writeError(w, apierrors.NewBadRequest(fmt.Sprintf("fieldValidation must be one of Ignore, Warn or Strict, got %q", validation)))
		return
	}
	q.Strict = validation == "Strict"
	if k.Namespaced && info.Namespace == "" && info.Verb != "list" && info.Verb != "watch" {
		writeError(w, apierrors.NewNotFound(apierrors.Resource{Group: k.Group, Resource: k.Resource}, info.Name))
		return
	}
	switch info.Verb {
	case "get":
		h.get(w, r, q)
	case "list":
		h.list(w, r, q)
	case "watch":
		h.watch(w, r, q)
	case "create":
		h.create(w, r, q, validation)
	case "update":
		h.update(w, r, q, validation)
	case "patch":
		h.patch(w, r, q)
	case "delete":
		h.delete(w, r, q)
	case "deletecollection":
		h.deleteCollection(w, r, q)
	default:
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: k.Group, Resource: k.Resource}, info.Verb))
	}
}

func (h *Resources) kindFor(info RequestInfo) (*scheme.Kind, error) {
	k, ok := h.cfg.Scheme.ByResource(info.Group, info.Resource)
	if !ok || k.Version != info.Version {
		return nil, &meta.Status{
			TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status:   meta.StatusFailure, Reason: meta.StatusReasonNotFound, Code: http.StatusNotFound,
			Message: "the server could not find the requested resource",
			Details: &meta.StatusDetails{},
		}
	}
	return k, nil
}

func (h *Resources) fail(w http.ResponseWriter, r *http.Request, err error) {
	logError(h.cfg.Logger, r, err)
	writeError(w, err)
}

func (h *Resources) get(w http.ResponseWriter, r *http.Request, q *registry.Request) {
	if q.Subresource == "scale" {
		s, err := h.cfg.Registry.GetScale(r.Context(), q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s)
		return
	}
	if q.Subresource != "" && q.Subresource != "status" {
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource + "/" + q.Subresource}, "get"))
		return
	}
	obj, err := h.cfg.Registry.Get(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, q.Kind, http.StatusOK, obj)
}

// writeObject answers with one object, as JSON or as a one-row Table.
func (h *Resources) writeObject(w http.ResponseWriter, r *http.Request, k *scheme.Kind, code int, obj meta.Object) {
	if WantsTable(r) && h.cfg.Table != nil {
		t, err := h.table(r, k, []meta.Object{obj})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		t.ResourceVersion = obj.GetObjectMeta().ResourceVersion
		writeJSON(w, code, t)
		return
	}
	writeJSON(w, code, obj)
}

func (h *Resources) listOptions(r *http.Request, q *registry.Request) (storage.ListOptions, error) {
	query := r.URL.Query()
	var opts storage.ListOptions
	pred, err := h.predicate(q.Kind, query.Get("labelSelector"), query.Get("fieldSelector"))
	if err != nil {
		return opts, err
	}
	opts.Predicate = pred
	opts.ResourceVersion = query.Get("resourceVersion")
	if err := checkResourceVersion(opts.ResourceVersion); err != nil {
		return opts, err
	}
	if l := query.Get("limit"); l != "" {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil || n < 0 {
			return opts, apierrors.NewBadRequest(fmt.Sprintf("invalid limit %q", l))
		}
		opts.Limit = n
	}
	opts.Continue = query.Get("continue")
	if opts.Continue != "" && opts.ResourceVersion != "" && opts.ResourceVersion != "0" {
		return opts, apierrors.NewBadRequest("specifying resource version is not allowed when using continue")
	}
	return opts, nil
}

// predicate builds a storage predicate from label and field selectors.
func (h *Resources) predicate(k *scheme.Kind, labelSel, fieldSel string) (storage.Predicate, error) {
	var ls labels.Selector
	var fs fields.Selector
	if labelSel != "" {
		s, err := labels.Parse(labelSel)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("unable to parse requirement: %v", err))
		}
		if !s.Empty() {
			ls = s
		}
	}
	if fieldSel != "" {
		s, err := fields.Parse(fieldSel)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid field selector: %v", err))
		}
		for _, req := range s.Requirements() {
			if !selectable(k, req.Field) {
				return nil, apierrors.NewBadRequest(fmt.Sprintf("field label not supported: %s", req.Field))
			}
		}
		if !s.Empty() {
			fs = s
		}
	}
	if ls == nil && fs == nil {
		return nil, nil
	}
	return func(a storage.Attrs) bool {
		if ls != nil && !ls.Matches(a.Labels) {
			return false
		}
		return fs == nil || fs.Matches(a.Fields)
	}, nil
}

// selectable reports whether a field selector may name f for kind k.
func selectable(k *scheme.Kind, f string) bool {
	if f == "metadata.name" || (k.Namespaced && f == "metadata.namespace") {
		return true
	}
	if k.Fields == nil {
		return false
	}
	_, ok := k.Fields(k.New())[f]
	return ok
}

func (h *Resources) list(w http.ResponseWriter, r *http.Request, q *registry.Request) {
	opts, err := h.listOptions(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.cfg.Registry.List(r.Context(), q, opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lm := meta.ListMeta{ResourceVersion: strconv.FormatInt(res.ResourceVersion, 10), Continue: res.Continue,
		RemainingItemCount: res.RemainingItemCount}
	if WantsTable(r) && h.cfg.Table != nil {
		t, err := h.table(r, q.Kind, res.Items)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		t.ListMeta = lm
		writeJSON(w, http.StatusOK, t)
		return
	}
	items := make([]any, len(res.Items))
	for i, it := range res.Items {
		items[i] = it
	}
	b, err := encodeList(q.Kind.ListKind(), q.Kind.GroupVersion(), lm, items)
	if err != nil {
		h.fail(w, r, apierrors.NewInternalError(err))
		return
	}
	writeBytes(w, http.StatusOK, b)
}

func (h *Resources) create(w http.ResponseWriter, r *http.Request, q *registry.Request, validation string) {
	body, _, err := readBody(r, h.cfg.MaxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	switch {
	case q.Kind.Resource == "pods" && q.Subresource == "binding", q.Kind.Resource == "bindings":
		h.bind(w, r, q, body)
		return
	case q.Kind.Resource == "pods" && q.Subresource == "eviction":
		h.evict(w, r, q, body)
		return
	case q.Subresource != "":
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource + "/" + q.Subresource}, "create"))
		return
	case q.Name != "":
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource}, "create"))
		return
	}
	obj, err := registry.Decode(q.Kind, body, q.Strict)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	warnUnknownFields(w, q.Kind, body, validation)
	out, err := h.cfg.Registry.Create(ctx, q, obj)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, q.Kind, http.StatusCreated, out)
}

func (h *Resources) bind(w http.ResponseWriter, r *http.Request, q *registry.Request, body []byte) {
	bk, _ := h.cfg.Scheme.ByResource("", "bindings")
	obj, err := registry.Decode(bk, body, q.Strict)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b := obj.(*core.Binding)
	bq := *q
	if q.Kind.Resource == "bindings" {
		bq.Name = b.Name
	} else if b.Name != "" && b.Name != q.Name {
		writeError(w, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", b.Name, q.Name)))
		return
	}
	if b.Namespace != "" && b.Namespace != q.Namespace {
		writeError(w, apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request"))
		return
	}
	if err := h.cfg.Registry.Bind(r.Context(), &bq, b); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, &meta.Status{TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status: meta.StatusSuccess, Code: http.StatusCreated})
}

func (h *Resources) evict(w http.ResponseWriter, r *http.Request, q *registry.Request, body []byte) {
	var e policy.Eviction
	if err := json.Unmarshal(body, &e); err != nil {
		writeError(w, apierrors.NewBadRequest(fmt.Sprintf("Eviction in version \"v1\" cannot be handled as a Eviction: %v", err)))
		return
	}
	if _, err := h.cfg.Registry.Evict(r.Context(), q, &e); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, &meta.Status{TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status: meta.StatusSuccess, Code: http.StatusCreated})
}

func (h *Resources) update(w http.ResponseWriter, r *http.Request, q *registry.Request, validation string) {
	body, _, err := readBody(r, h.cfg.MaxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	switch q.Subresource {
	case "scale":
		var s autoscaling.Scale
		if err := json.Unmarshal(body, &s); err != nil {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("Scale in version \"autoscaling/v1\" cannot be handled as a Scale: %v", err)))
			return
		}
		out, err := h.cfg.Registry.UpdateScale(ctx, q, &s)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	case "", "status", "finalize":
	default:
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource + "/" + q.Subresource}, "update"))
		return
	}
	obj, err := registry.Decode(q.Kind, body, q.Strict)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	warnUnknownFields(w, q.Kind, body, validation)
	out, created, err := h.cfg.Registry.Update(ctx, q, obj)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	h.writeObject(w, r, q.Kind, code, out)
}

func (h *Resources) patch(w http.ResponseWriter, r *http.Request, q *registry.Request) {
	body, mediaType, err := readBody(r, h.cfg.MaxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch mediaType {
	case registry.JSONPatchType, registry.MergePatchType, registry.StrategicMergePatchType:
	case registry.ApplyPatchType:
		writeError(w, apierrors.NewUnsupportedMediaType(mediaType+" (server-side apply is not supported; use client-side kubectl apply)"))
		return
	default:
		writeError(w, apierrors.NewUnsupportedMediaType(mediaType))
		return
	}
	ctx := r.Context()
	if q.Subresource == "scale" {
		out, err := h.patchScale(ctx, q, mediaType, body)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	if q.Subresource != "" && q.Subresource != "status" {
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource + "/" + q.Subresource}, "patch"))
		return
	}
	out, err := h.cfg.Registry.Patch(ctx, q, mediaType, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, q.Kind, http.StatusOK, out)
}

// patchScale applies a patch to the Scale view of an object and writes the replicas back.
func (h *Resources) patchScale(ctx context.Context, q *registry.Request, mediaType string, body []byte) (*autoscaling.Scale, error) {
	for attempt := 0; ; attempt++ {
		cur, err := h.cfg.Registry.GetScale(ctx, q)
		if err != nil {
			return nil, err
		}
		patched, err := applyPatchTo(cur, mediaType, body)
		if err != nil {
			return nil, err
		}
		var s autoscaling.Scale
		if err := json.Unmarshal(patched, &s); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		explicitRV := s.ResourceVersion != cur.ResourceVersion
		if !explicitRV {
			s.ResourceVersion = cur.ResourceVersion
		}
		out, err := h.cfg.Registry.UpdateScale(ctx, q, &s)
		if err != nil && apierrors.IsConflict(err) && !explicitRV && attempt < 5 {
			continue
		}
		return out, err
	}
}

func (h *Resources) deleteOptions(r *http.Request, q *registry.Request) (*meta.DeleteOptions, error) {
	opts := &meta.DeleteOptions{}
	body, _, err := readBody(r, h.cfg.MaxBody)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, opts); err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: %v", err))
		}
	}
	query := r.URL.Query()
	if g := query.Get("gracePeriodSeconds"); g != "" {
		n, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid gracePeriodSeconds %q", g))
		}
		opts.GracePeriodSeconds = &n
	}
	if p := query.Get("propagationPolicy"); p != "" {
		opts.PropagationPolicy = &p
	}
	if o := query.Get("orphanDependents"); o != "" {
		b := isTrue(o)
		opts.OrphanDependents = &b
	}
	if opts.PropagationPolicy != nil {
		switch *opts.PropagationPolicy {
		case meta.DeletePropagationBackground, meta.DeletePropagationForeground, meta.DeletePropagationOrphan:
		default:
			st := apierrors.NewInvalid("meta.k8s.io", "DeleteOptions", "", nil)
			st.Message = fmt.Sprintf("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: %q: supported values: \"Foreground\", \"Background\", \"Orphan\"", *opts.PropagationPolicy)
			return nil, st
		}
		if opts.OrphanDependents != nil {
			return nil, apierrors.NewBadRequest("orphanDependents and propagationPolicy cannot both be set")
		}
	}
	for _, d := range opts.DryRun {
		if d != "All" {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("Invalid dryRun value %q", d))
		}
		q.DryRun = true
	}
	return opts, nil
}

func (h *Resources) delete(w http.ResponseWriter, r *http.Request, q *registry.Request) {
	if q.Subresource != "" {
		writeError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource + "/" + q.Subresource}, "delete"))
		return
	}
	opts, err := h.deleteOptions(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.cfg.Registry.Delete(r.Context(), q, opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code := http.StatusOK
	if !res.Deleted && opts.PropagationPolicy != nil && *opts.PropagationPolicy == meta.DeletePropagationForeground {
		code = http.StatusAccepted
	}
	if !res.Deleted || registry.ReturnsObjectOnDelete(q) {
		h.writeObject(w, r, q.Kind, code, res.Object)
		return
	}
	m := res.Object.GetObjectMeta()
	writeJSON(w, code, successStatus(q.Kind.Group, q.Kind.Resource, m.Name, m.UID))
}

func (h *Resources) deleteCollection(w http.ResponseWriter, r *http.Request, q *registry.Request) {
	opts, err := h.deleteOptions(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lopts, err := h.listOptions(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.cfg.Registry.DeleteCollection(r.Context(), q, lopts, opts); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &meta.Status{TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: meta.StatusSuccess})
}

// checkResourceVersion rejects a resourceVersion that is not a revision number.
func checkResourceVersion(rv string) error {
	if rv == "" {
		return nil
	}
	if n, err := strconv.ParseUint(rv, 10, 64); err != nil || n > 1<<62 {
		return apierrors.NewBadRequest(fmt.Sprintf("invalid resource version %q: must be a non-negative integer", rv))
	}
	return nil
}
