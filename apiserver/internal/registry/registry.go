package registry

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
	"seven.dev/apiserver/internal/storage"
)

// Validator checks an object, and an update against the object it replaces.
type Validator interface {
	Validate(obj meta.Object) field.ErrorList
	ValidateUpdate(obj, old meta.Object) field.ErrorList
}

// Defaulter fills the fields upstream defaults.
type Defaulter func(obj meta.Object)

// Allocator hands out one kind of Service resource (cluster IPs or node ports).
type Allocator interface {
	Allocate(ctx context.Context, item, owner string) error
	AllocateNext(ctx context.Context, owner string) (string, error)
	Release(ctx context.Context, item string) error
}

// Config wires a Registry.
type Config struct {
	Scheme    *scheme.Scheme
	Stores    map[*scheme.Kind]storage.Store
	Validator Validator
	Defaulter Defaulter
	// ServiceIPs allocates ClusterIPs; ServiceNodePorts allocates NodePorts.
	ServiceIPs       Allocator
	ServiceNodePorts Allocator
	Logger           *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Registry implements the verbs of every kind.
type Registry struct {
	cfg        Config
	scheme     *scheme.Scheme
	log        *slog.Logger
	now        func() time.Time
	namespaces *namespaceCache
}

// New builds a registry. Start must run before requests are served.
func New(cfg Config) *Registry {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Registry{cfg: cfg, scheme: cfg.Scheme, log: cfg.Logger, now: cfg.Now}
	nsKind, _ := cfg.Scheme.ByResource("", "namespaces")
	r.namespaces = newNamespaceCache(cfg.Stores[nsKind], cfg.Logger)
	return r
}

// Start runs the registry's background caches until ctx ends.
func (r *Registry) Start(ctx context.Context) error {
	return r.namespaces.start(ctx)
}

// Request identifies the target of a verb.
type Request struct {
	Kind        *scheme.Kind
	Namespace   string
	Name        string
	Subresource string
	DryRun      bool
	// Strict rejects unknown and duplicate fields (fieldValidation=Strict).
	Strict bool
}

func (q *Request) resource() apierrors.Resource {
	return apierrors.Resource{Group: q.Kind.Group, Resource: q.Kind.Resource}
}

func (r *Registry) store(k *scheme.Kind) storage.Store { return r.cfg.Stores[k] }

// Store exposes the storage of a kind (for watches and metrics).
func (r *Registry) Store(k *scheme.Kind) storage.Store { return r.cfg.Stores[k] }

// Scheme is the catalogue the registry serves.
func (r *Registry) Scheme() *scheme.Scheme { return r.scheme }

// statusError maps storage errors to API errors for the object named by q.
func (q *Request) statusError(err error, name string) error {
	var st *meta.Status
	switch {
	case err == nil:
		return nil
	case errors.As(err, &st):
		return st
	case errors.Is(err, storage.ErrNotFound):
		return apierrors.NewNotFound(q.resource(), name)
	case errors.Is(err, storage.ErrAlreadyExists):
		return apierrors.NewAlreadyExists(q.resource(), name)
	case errors.Is(err, storage.ErrConflict):
		return apierrors.NewConflict(q.resource(), name, errors.New(apierrors.OptimisticLockMessage))
	case errors.Is(err, storage.ErrGone):
		return apierrors.NewResourceExpired(err.Error())
	case errors.Is(err, storage.ErrTooLarge):
		return apierrors.NewTimeout(fmt.Sprintf("Too large resource version: %v", err), 1)
	case errors.Is(err, storage.ErrInvalidContinue):
		return apierrors.NewBadRequest(err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return apierrors.NewTimeout("request did not complete within the allowed duration", 0)
	}
	return apierrors.NewInternalError(err)
}

// newUID returns a random RFC 4122 version 4 UUID.
func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// generateNameSuffix returns upstream's 5-character random suffix alphabet.
func generateNameSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	var b [5]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// deepCopy clones obj through its JSON form; objects from the store may be shared.
func (r *Registry) deepCopy(k *scheme.Kind, obj meta.Object) (meta.Object, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	out := k.New()
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

// setTypeMeta stamps kind and apiVersion on an object.
func setTypeMeta(k *scheme.Kind, obj meta.Object) {
	tm := obj.GetTypeMeta()
	tm.Kind = k.Kind
	tm.APIVersion = k.GroupVersion()
}
