package app

import (
	"context"
	"fmt"
	"slices"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
	"seven.dev/controller-manager/internal/controller"
	"seven.dev/controller-manager/internal/daemonset"
	"seven.dev/controller-manager/internal/deployment"
	"seven.dev/controller-manager/internal/endpoint"
	"seven.dev/controller-manager/internal/gc"
	"seven.dev/controller-manager/internal/job"
	"seven.dev/controller-manager/internal/namespace"
	"seven.dev/controller-manager/internal/nodelifecycle"
	"seven.dev/controller-manager/internal/replication"
	"seven.dev/controller-manager/internal/resourcequota"
	"seven.dev/controller-manager/internal/serviceaccount"
)

// controllers maps upstream's controller names to their starters.
var controllers = map[string]Starter{
	"replicationcontroller": startRC,
	"replicaset":            startRS,
	"endpoint":              startEndpoint,
	"garbagecollector":      startGC,
	"namespace":             startNamespace,
	"deployment":            startDeployment,
	"nodelifecycle":         startNodeLifecycle,
	"serviceaccount":        startServiceAccount,
	"job":                   startJob,
	"daemonset":             startDaemonSet,
	"resourcequota":         startResourceQuota,
}

// KnownControllers lists the controller names --controllers accepts, sorted.
func KnownControllers() []string {
	var out []string
	for n := range controllers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func startRC(cc *Context) (func(context.Context), error) {
	c := replication.New(replication.Config[*core.ReplicationController]{
		Name: "replicationcontroller", Adapter: replication.RCAdapter(cc.Client),
		Owners: cc.Factory.ReplicationControllers().Store(), Pods: cc.Factory.Pods().Store(),
		Client: controller.APIPods{C: cc.Client}, Recorder: cc.Recorder, Metrics: cc.Metrics, Logger: cc.Logger,
	})
	c.Register(cc.Factory.ReplicationControllers(), cc.Factory.Pods())
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentRCSyncs) }, nil
}

func startRS(cc *Context) (func(context.Context), error) {
	c := replication.New(replication.Config[*apps.ReplicaSet]{
		Name: "replicaset", Adapter: replication.RSAdapter(cc.Client),
		Owners: cc.Factory.ReplicaSets().Store(), Pods: cc.Factory.Pods().Store(),
		Client: controller.APIPods{C: cc.Client}, Recorder: cc.Recorder, Metrics: cc.Metrics, Logger: cc.Logger,
	})
	c.Register(cc.Factory.ReplicaSets(), cc.Factory.Pods())
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentRSSyncs) }, nil
}

func startEndpoint(cc *Context) (func(context.Context), error) {
	f := cc.Factory
	c := endpoint.New(f.Services().Store(), f.Pods().Store(), f.Endpoints().Store(), endpoint.APIClient{C: cc.Client}, cc.Metrics, cc.Logger)
	c.Register(f.Services(), f.Pods(), f.Endpoints())
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentEndpointSyncs) }, nil
}

func startGC(cc *Context) (func(context.Context), error) {
	s := cc.Client.Scheme()
	c := gc.New(nil, s, controller.Dynamic{C: cc.Client}, cc.Metrics, cc.Logger)
	f := cc.Factory
	for _, w := range []func() error{
		func() error { return watch(c, s, "", "pods", f.Pods()) },
		func() error { return watch(c, s, "apps", "replicasets", f.ReplicaSets()) },
		func() error { return watch(c, s, "apps", "deployments", f.Deployments()) },
		func() error { return watch(c, s, "", "replicationcontrollers", f.ReplicationControllers()) },
		func() error { return watch(c, s, "apps", "daemonsets", f.DaemonSets()) },
		func() error { return watch(c, s, "batch", "jobs", f.Jobs()) },
	} {
		if err := w(); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentGCSyncs) }, nil
}

func watch[T meta.Object](c *gc.Collector, s *scheme.Scheme, group, resource string, inf *informer.Informer[T]) error {
	k, ok := s.ByResource(group, resource)
	if !ok {
		return fmt.Errorf("scheme has no %s.%s", resource, group)
	}
	_, err := gc.Watch(c, k, inf)
	return err
}

func startNamespace(cc *Context) (func(context.Context), error) {
	inf := cc.Factory.Namespaces()
	c := namespace.New(inf.Store(), namespace.NamespacedKinds(cc.Client.Scheme()), namespace.APIClient{Dynamic: controller.Dynamic{C: cc.Client}}, cc.Metrics, cc.Logger)
	c.Register(inf)
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentNamespaceSyncs) }, nil
}

func startDeployment(cc *Context) (func(context.Context), error) {
	f := cc.Factory
	c := deployment.New(f.Deployments().Store(), f.ReplicaSets().Store(), deployment.APIClient{C: cc.Client}, cc.Metrics, cc.Logger)
	c.Register(f.Deployments(), f.ReplicaSets())
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentDeploymentSyncs) }, nil
}

func startNodeLifecycle(cc *Context) (func(context.Context), error) {
	f, o := cc.Factory, cc.Options
	c := nodelifecycle.New(nodelifecycle.Config{
		Nodes: f.Nodes().Store(), Leases: f.Leases().Store(), Pods: f.Pods().Store(),
		API: nodelifecycle.APIClient{C: cc.Client}, Recorder: cc.Recorder, Metrics: cc.Metrics, Logger: cc.Logger,
		GracePeriod: o.NodeMonitorGracePeriod, MonitorPeriod: o.NodeMonitorPeriod, EvictionTimeout: o.PodEvictionTimeout,
	})
	c.Register(f.Nodes(), f.Leases(), f.Pods())
	return func(ctx context.Context) { c.Run(ctx, 1) }, nil
}

// shared returns the factory's informer for group/resource, for kinds the factory has no
// named accessor for.
func shared[T meta.Object](cc *Context, group, resource string) (*informer.Informer[T], error) {
	k, ok := cc.Client.Scheme().ByResource(group, resource)
	if !ok {
		return nil, fmt.Errorf("scheme has no %s.%s", resource, group)
	}
	return informer.ForKind[T](cc.Factory, k), nil
}

func startServiceAccount(cc *Context) (func(context.Context), error) {
	sas, err := shared[*core.ServiceAccount](cc, "", "serviceaccounts")
	if err != nil {
		return nil, err
	}
	nss := cc.Factory.Namespaces()
	c := serviceaccount.New(nss.Store(), sas.Store(), serviceaccount.APIClient{C: cc.Client}, cc.Metrics, cc.Logger)
	c.Register(nss, sas)
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentSASyncs) }, nil
}

func startJob(cc *Context) (func(context.Context), error) {
	f := cc.Factory
	c := job.New(job.Config{
		Jobs: f.Jobs().Store(), Pods: f.Pods().Store(), PodAPI: controller.APIPods{C: cc.Client}, Status: job.APIStatus{C: cc.Client},
		Recorder: cc.Recorder, Metrics: cc.Metrics, Logger: cc.Logger,
	})
	c.Register(f.Jobs(), f.Pods())
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentJobSyncs) }, nil
}

func startDaemonSet(cc *Context) (func(context.Context), error) {
	f := cc.Factory
	c := daemonset.New(daemonset.Config{
		DaemonSets: f.DaemonSets().Store(), Nodes: f.Nodes().Store(), Pods: f.Pods().Store(),
		PodAPI: controller.APIPods{C: cc.Client}, Status: daemonset.APIStatus{C: cc.Client},
		Recorder: cc.Recorder, Metrics: cc.Metrics, Logger: cc.Logger,
	})
	c.Register(f.DaemonSets(), f.Nodes(), f.Pods())
	return func(ctx context.Context) { c.Runner.Run(ctx, cc.Options.ConcurrentDaemonSetSyncs) }, nil
}

func startResourceQuota(cc *Context) (func(context.Context), error) {
	f := cc.Factory
	quotas, err := shared[*core.ResourceQuota](cc, "", "resourcequotas")
	if err != nil {
		return nil, err
	}
	cms, err := shared[*core.ConfigMap](cc, "", "configmaps")
	if err != nil {
		return nil, err
	}
	secrets, err := shared[*core.Secret](cc, "", "secrets")
	if err != nil {
		return nil, err
	}
	rcs := f.ReplicationControllers()
	c := resourcequota.New(resourcequota.Config{
		Quotas: quotas.Store(), Pods: f.Pods().Store(), Services: f.Services().Store(),
		Counts: map[string]func(string) int{
			"configmaps":             func(ns string) int { return len(cms.Store().ByNamespace(ns)) },
			"secrets":                func(ns string) int { return len(secrets.Store().ByNamespace(ns)) },
			"replicationcontrollers": func(ns string) int { return len(rcs.Store().ByNamespace(ns)) },
			"resourcequotas":         func(ns string) int { return len(quotas.Store().ByNamespace(ns)) },
		},
		API: resourcequota.APIStatus{C: cc.Client}, ResyncPeriod: cc.Options.ResourceQuotaSyncPeriod,
		Metrics: cc.Metrics, Logger: cc.Logger,
	})
	c.Register(quotas)
	resourcequota.Watch(c, f.Pods())
	resourcequota.Watch(c, f.Services())
	resourcequota.Watch(c, cms)
	resourcequota.Watch(c, secrets)
	resourcequota.Watch(c, rcs)
	return func(ctx context.Context) { c.Run(ctx, cc.Options.ConcurrentQuotaSyncs) }, nil
}
