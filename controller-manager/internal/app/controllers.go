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
	"seven.dev/controller-manager/internal/deployment"
	"seven.dev/controller-manager/internal/endpoint"
	"seven.dev/controller-manager/internal/gc"
	"seven.dev/controller-manager/internal/namespace"
	"seven.dev/controller-manager/internal/replication"
)

// controllers maps upstream's controller names to their starters.
var controllers = map[string]Starter{
	"replicationcontroller": startRC,
	"replicaset":            startRS,
	"endpoint":              startEndpoint,
	"garbagecollector":      startGC,
	"namespace":             startNamespace,
	"deployment":            startDeployment,
}

// notYet are upstream controller names --controllers accepts that Seven does not run yet, so
// command lines written for upstream keep working.
var notYet = []string{"nodelifecycle", "daemonset", "job", "serviceaccount", "resourcequota"}

// KnownControllers lists the controller names --controllers accepts, sorted.
func KnownControllers() []string {
	out := slices.Clone(notYet)
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
