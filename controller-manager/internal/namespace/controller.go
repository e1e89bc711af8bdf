package namespace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
	"seven.dev/controller-manager/internal/controller"
)

// FinalizerKubernetes is the finalizer this controller owns in spec.finalizers.
const FinalizerKubernetes core.FinalizerName = "kubernetes"

// RecheckInterval is how soon a namespace still holding objects is looked at again.
const RecheckInterval = 2 * time.Second

// API is what the controller needs from the server.
type API interface {
	DeleteCollection(ctx context.Context, k *scheme.Kind, ns string) error
	List(ctx context.Context, k *scheme.Kind, ns string) ([]meta.PartialObjectMetadata, error)
	Finalize(ctx context.Context, ns *core.Namespace) error
}

// Controller empties and finalizes deleted namespaces.
type Controller struct {
	Namespaces informer.Store[*core.Namespace]
	Kinds      []*scheme.Kind
	API        API
	Runner     *controller.Runner
}

// NamespacedKinds returns the kinds of s that live in namespaces and can be listed
// (bindings cannot).
func NamespacedKinds(s *scheme.Scheme) []*scheme.Kind {
	var out []*scheme.Kind
	for _, k := range s.Kinds() {
		if k.Namespaced && k.Resource != "bindings" {
			out = append(out, k)
		}
	}
	return out
}

// New returns a controller.
func New(nss informer.Store[*core.Namespace], kinds []*scheme.Kind, api API, m *controller.Metrics, logger *slog.Logger) *Controller {
	c := &Controller{Namespaces: nss, Kinds: kinds, API: api}
	c.Runner = controller.NewRunner("namespace", m, logger, c.Sync)
	return c
}

// Register wires the namespace informer to the queue.
func (c *Controller) Register(inf *informer.Informer[*core.Namespace]) {
	inf.AddEventHandler(informer.Handler[*core.Namespace]{
		OnAdd:    func(n *core.Namespace, _ bool) { c.Runner.Queue.Add(n.Name) },
		OnUpdate: func(_, n *core.Namespace) { c.Runner.Queue.Add(n.Name) },
	})
}

// Sync empties namespace key if it is being deleted, and finalizes it once empty.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, ok := c.Namespaces.GetByName("", key)
	if !ok || (ns.DeletionTimestamp == nil && ns.Status.Phase != core.NamespaceTerminating) {
		return nil
	}
	if !slices.Contains(ns.Spec.Finalizers, FinalizerKubernetes) {
		return nil
	}
	remaining := 0
	for _, k := range c.Kinds {
		if err := c.API.DeleteCollection(ctx, k, key); err != nil && !ignorable(err) {
			return fmt.Errorf("delete %s in namespace %s: %w", k.Resource, key, err)
		}
		items, err := c.API.List(ctx, k, key)
		if err != nil && !ignorable(err) {
			return fmt.Errorf("list %s in namespace %s: %w", k.Resource, key, err)
		}
		remaining += len(items)
	}
	if remaining > 0 {
		c.Runner.Queue.AddAfter(key, RecheckInterval)
		return nil
	}
	out := controller.Clone(ns)
	out.Spec.Finalizers = slices.DeleteFunc(out.Spec.Finalizers, func(f core.FinalizerName) bool { return f == FinalizerKubernetes })
	if err := c.API.Finalize(ctx, out); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("finalize namespace %s: %w", key, err)
	}
	return nil
}

func ignorable(err error) bool {
	return apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err)
}

// APIClient is the production API.
type APIClient struct {
	controller.Dynamic
}

// Finalize PUTs the namespace to its finalize subresource.
func (a APIClient) Finalize(ctx context.Context, ns *core.Namespace) error {
	body, err := json.Marshal(ns)
	if err != nil {
		return err
	}
	resp, err := a.C.Do(ctx, "PUT", "/api/v1/namespaces/"+ns.Name+"/finalize", nil, body, client.ContentTypeJSON, "")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.Body.Close()
}
