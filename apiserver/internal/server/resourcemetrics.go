package server

import (
	"context"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/metricsapi"
	"seven.dev/apiserver/internal/registry"
	"seven.dev/apiserver/internal/storage"
)

// newResourceMetrics builds the metrics.k8s.io handler over the registry's nodes and pods.
func (s *Server) newResourceMetrics() *metricsapi.Handler {
	return metricsapi.New(metricsapi.Config{
		Cluster:    registryCluster{s.registry},
		KubeletURL: s.nodeKubeletURL,
		Logger:     s.log,
	})
}

// registryCluster reads nodes and pods for the metrics API. Lists are consistent reads,
// so a pod or node created just before `kubectl top` is in its answer (the watch cache
// may not have seen it yet); top is rare enough for that cost.
type registryCluster struct{ reg *registry.Registry }

func (c registryCluster) request(resource, namespace, name string) *registry.Request {
	k, _ := c.reg.Scheme().ByResource("", resource)
	return &registry.Request{Kind: k, Namespace: namespace, Name: name}
}

func (c registryCluster) GetNode(ctx context.Context, name string) (*core.Node, error) {
	return getAs[*core.Node](ctx, c.reg, c.request("nodes", "", name))
}

func (c registryCluster) ListNodes(ctx context.Context) ([]*core.Node, error) {
	return listAs[*core.Node](ctx, c.reg, c.request("nodes", "", ""))
}

func (c registryCluster) GetPod(ctx context.Context, namespace, name string) (*core.Pod, error) {
	return getAs[*core.Pod](ctx, c.reg, c.request("pods", namespace, name))
}

func (c registryCluster) ListPods(ctx context.Context, namespace string) ([]*core.Pod, error) {
	return listAs[*core.Pod](ctx, c.reg, c.request("pods", namespace, ""))
}

func getAs[T meta.Object](ctx context.Context, reg *registry.Registry, q *registry.Request) (T, error) {
	obj, err := reg.Get(ctx, q)
	if err != nil {
		var zero T
		return zero, err
	}
	return obj.(T), nil
}

func listAs[T meta.Object](ctx context.Context, reg *registry.Registry, q *registry.Request) ([]T, error) {
	res, err := reg.List(ctx, q, storage.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(res.Items))
	for _, o := range res.Items {
		out = append(out, o.(T))
	}
	return out, nil
}
