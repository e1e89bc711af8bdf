package serviceaccount

import (
	"context"
	"fmt"
	"log/slog"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/controller-manager/internal/controller"
)

// DefaultName is the service account every namespace gets.
const DefaultName = "default"

// API is how the controller creates service accounts.
type API interface {
	Create(ctx context.Context, sa *core.ServiceAccount) error
}

// Controller ensures the default service account of each namespace.
type Controller struct {
	Namespaces      informer.Store[*core.Namespace]
	ServiceAccounts informer.Store[*core.ServiceAccount]
	API             API
	Runner          *controller.Runner
}

// New returns a controller.
func New(nss informer.Store[*core.Namespace], sas informer.Store[*core.ServiceAccount], api API, m *controller.Metrics, logger *slog.Logger) *Controller {
	c := &Controller{Namespaces: nss, ServiceAccounts: sas, API: api}
	c.Runner = controller.NewRunner("serviceaccount", m, logger, c.Sync)
	return c
}

// Register makes namespaces enqueue themselves and a deleted default service account
// enqueue its namespace.
func (c *Controller) Register(nss *informer.Informer[*core.Namespace], sas *informer.Informer[*core.ServiceAccount]) {
	q := c.Runner.Queue
	nss.AddEventHandler(informer.Handler[*core.Namespace]{
		OnAdd:    func(n *core.Namespace, _ bool) { q.Add(n.Name) },
		OnUpdate: func(_, n *core.Namespace) { q.Add(n.Name) },
	})
	sas.AddEventHandler(informer.Handler[*core.ServiceAccount]{
		OnDelete: func(sa *core.ServiceAccount, _ bool) {
			if sa.Name == DefaultName {
				q.Add(sa.Namespace)
			}
		},
	})
}

// Sync creates the default service account of namespace key when it is missing.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, ok := c.Namespaces.GetByName("", key)
	if !ok || ns.DeletionTimestamp != nil || (ns.Status.Phase != "" && ns.Status.Phase != core.NamespaceActive) {
		return nil
	}
	if _, ok := c.ServiceAccounts.GetByName(key, DefaultName); ok {
		return nil
	}
	sa := &core.ServiceAccount{}
	sa.Name, sa.Namespace = DefaultName, key
	if err := c.API.Create(ctx, sa); err != nil && !apierrors.IsAlreadyExists(err) {
		// A namespace that started terminating refuses new objects: nothing to do.
		if apierrors.IsForbidden(err) && ns.Status.Phase == core.NamespaceTerminating {
			return nil
		}
		return fmt.Errorf("create service account %s/%s: %w", key, DefaultName, err)
	}
	return nil
}

// APIClient is the production API.
type APIClient struct{ C *client.Client }

// Create implements API.
func (a APIClient) Create(ctx context.Context, sa *core.ServiceAccount) error {
	_, err := client.ServiceAccounts(a.C).Create(ctx, sa)
	return err
}
