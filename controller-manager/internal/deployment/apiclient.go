package deployment

import (
	"context"

	"seven.dev/api/apps"
	"seven.dev/api/client"
)

// APIClient is the production API.
type APIClient struct{ C *client.Client }

// CreateRS implements API.
func (a APIClient) CreateRS(ctx context.Context, rs *apps.ReplicaSet) error {
	_, err := client.ReplicaSets(a.C).Create(ctx, rs)
	return err
}

// UpdateRS implements API.
func (a APIClient) UpdateRS(ctx context.Context, rs *apps.ReplicaSet) error {
	_, err := client.ReplicaSets(a.C).Update(ctx, rs)
	return err
}

// DeleteRS implements API.
func (a APIClient) DeleteRS(ctx context.Context, ns, name string) error {
	return client.ReplicaSets(a.C).Delete(ctx, ns, name, nil)
}

// UpdateStatus implements API.
func (a APIClient) UpdateStatus(ctx context.Context, d *apps.Deployment) error {
	_, err := client.Deployments(a.C).UpdateStatus(ctx, d)
	return err
}
