package leaderelection

import (
	"context"

	"seven.dev/api/client"
	"seven.dev/api/coordination"
)

// LeaseClientFor adapts the REST client to LeaseClient.
func LeaseClientFor(c *client.Client) LeaseClient { return leaseClient{client.Leases(c)} }

type leaseClient struct {
	r *client.Resource[*coordination.Lease]
}

func (l leaseClient) Get(ctx context.Context, namespace, name string) (*coordination.Lease, error) {
	return l.r.Get(ctx, namespace, name)
}

func (l leaseClient) Create(ctx context.Context, lease *coordination.Lease) (*coordination.Lease, error) {
	return l.r.Create(ctx, lease)
}

func (l leaseClient) Update(ctx context.Context, lease *coordination.Lease) (*coordination.Lease, error) {
	return l.r.Update(ctx, lease)
}
