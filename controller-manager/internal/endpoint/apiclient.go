package endpoint

import (
	"context"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// APIClient writes Endpoints through the REST client.
type APIClient struct{ C *client.Client }

// Create implements Client.
func (a APIClient) Create(ctx context.Context, ep *core.Endpoints) error {
	_, err := client.Endpoints(a.C).Create(ctx, ep)
	return err
}

// Update implements Client.
func (a APIClient) Update(ctx context.Context, ep *core.Endpoints) error {
	_, err := client.Endpoints(a.C).Update(ctx, ep)
	return err
}

// Delete implements Client.
func (a APIClient) Delete(ctx context.Context, ns, name string) error {
	return client.Endpoints(a.C).Delete(ctx, ns, name, nil)
}
