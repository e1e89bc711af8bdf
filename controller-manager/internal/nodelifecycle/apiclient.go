package nodelifecycle

import (
	"context"
	"encoding/json"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// APIClient is the production API.
type APIClient struct{ C *client.Client }

// UpdateNodeStatus implements API.
func (a APIClient) UpdateNodeStatus(ctx context.Context, n *core.Node) (*core.Node, error) {
	return client.Nodes(a.C).UpdateStatus(ctx, n)
}

// SetTaints implements API with a JSON merge patch guarded by resourceVersion, so a
// concurrent change makes it fail rather than be lost.
func (a APIClient) SetTaints(ctx context.Context, name, rv string, taints []core.Taint) error {
	if taints == nil {
		taints = []core.Taint{}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"resourceVersion": rv}, "spec": map[string]any{"taints": taints}})
	if err != nil {
		return err
	}
	_, err = client.Nodes(a.C).Patch(ctx, "", name, client.MergePatchType, patch, "")
	return err
}

// UpdatePodStatus implements API.
func (a APIClient) UpdatePodStatus(ctx context.Context, p *core.Pod) error {
	_, err := client.Pods(a.C).UpdateStatus(ctx, p)
	return err
}

// DeletePod implements API.
func (a APIClient) DeletePod(ctx context.Context, ns, name string) error {
	return client.Pods(a.C).Delete(ctx, ns, name, nil)
}
