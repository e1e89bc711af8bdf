package controller

import (
	"context"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// APIPods writes pods through the REST client; it is the production PodClient of the
// controllers that create and delete pods.
type APIPods struct{ C *client.Client }

// Create makes pod in namespace.
func (a APIPods) Create(ctx context.Context, namespace string, pod *core.Pod) (*core.Pod, error) {
	pod.Namespace = namespace
	return client.Pods(a.C).Create(ctx, pod)
}

// Delete deletes the pod with its default grace period.
func (a APIPods) Delete(ctx context.Context, namespace, name string) error {
	return client.Pods(a.C).Delete(ctx, namespace, name, nil)
}

// Patch applies a JSON merge patch.
func (a APIPods) Patch(ctx context.Context, namespace, name string, mergePatch []byte) error {
	_, err := client.Pods(a.C).Patch(ctx, namespace, name, client.MergePatchType, mergePatch, "")
	return err
}
