package client

import (
	"fmt"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// ForResource returns typed access to the kind served as group/resource ("" and "pods",
// "apps" and "deployments"). It panics when the scheme has no such kind or T is not its
// type, both programming errors.
func ForResource[T meta.Object](c *Client, group, resource string) *Resource[T] {
	k, ok := c.scheme.ByResource(group, resource)
	if !ok {
		panic(fmt.Sprintf("client: the scheme serves no resource %q in group %q", resource, group))
	}
	return For[T](c, k)
}

// Pods is typed access to core/v1 pods.
func Pods(c *Client) *Resource[*core.Pod] { return ForResource[*core.Pod](c, "", "pods") }

// Nodes is typed access to core/v1 nodes.
func Nodes(c *Client) *Resource[*core.Node] { return ForResource[*core.Node](c, "", "nodes") }

// Services is typed access to core/v1 services.
func Services(c *Client) *Resource[*core.Service] {
	return ForResource[*core.Service](c, "", "services")
}

// Endpoints is typed access to core/v1 endpoints.
func Endpoints(c *Client) *Resource[*core.Endpoints] {
	return ForResource[*core.Endpoints](c, "", "endpoints")
}

// ReplicationControllers is typed access to core/v1 replication controllers.
func ReplicationControllers(c *Client) *Resource[*core.ReplicationController] {
	return ForResource[*core.ReplicationController](c, "", "replicationcontrollers")
}

// Events is typed access to core/v1 events.
func Events(c *Client) *Resource[*core.Event] { return ForResource[*core.Event](c, "", "events") }

// ConfigMaps is typed access to core/v1 config maps.
func ConfigMaps(c *Client) *Resource[*core.ConfigMap] {
	return ForResource[*core.ConfigMap](c, "", "configmaps")
}

// Secrets is typed access to core/v1 secrets.
func Secrets(c *Client) *Resource[*core.Secret] { return ForResource[*core.Secret](c, "", "secrets") }

// Namespaces is typed access to core/v1 namespaces.
func Namespaces(c *Client) *Resource[*core.Namespace] {
	return ForResource[*core.Namespace](c, "", "namespaces")
}

// ServiceAccounts is typed access to core/v1 service accounts.
func ServiceAccounts(c *Client) *Resource[*core.ServiceAccount] {
	return ForResource[*core.ServiceAccount](c, "", "serviceaccounts")
}

// LimitRanges is typed access to core/v1 limit ranges.
func LimitRanges(c *Client) *Resource[*core.LimitRange] {
	return ForResource[*core.LimitRange](c, "", "limitranges")
}

// ResourceQuotas is typed access to core/v1 resource quotas.
func ResourceQuotas(c *Client) *Resource[*core.ResourceQuota] {
	return ForResource[*core.ResourceQuota](c, "", "resourcequotas")
}

// Deployments is typed access to apps/v1 deployments.
func Deployments(c *Client) *Resource[*apps.Deployment] {
	return ForResource[*apps.Deployment](c, "apps", "deployments")
}

// ReplicaSets is typed access to apps/v1 replica sets.
func ReplicaSets(c *Client) *Resource[*apps.ReplicaSet] {
	return ForResource[*apps.ReplicaSet](c, "apps", "replicasets")
}

// DaemonSets is typed access to apps/v1 daemon sets.
func DaemonSets(c *Client) *Resource[*apps.DaemonSet] {
	return ForResource[*apps.DaemonSet](c, "apps", "daemonsets")
}

// Jobs is typed access to batch/v1 jobs.
func Jobs(c *Client) *Resource[*batch.Job] { return ForResource[*batch.Job](c, "batch", "jobs") }

// Leases is typed access to coordination.k8s.io/v1 leases.
func Leases(c *Client) *Resource[*coordination.Lease] {
	return ForResource[*coordination.Lease](c, "coordination.k8s.io", "leases")
}
