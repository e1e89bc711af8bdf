package integration

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func TestCascadingDeleteOfReplicaSet(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"replicaset", "garbagecollector"} })

	for _, policy := range []string{meta.DeletePropagationBackground, meta.DeletePropagationForeground, meta.DeletePropagationOrphan} {
		t.Run(policy, func(t *testing.T) {
			app := "gc-" + map[string]string{"Background": "bg", "Foreground": "fg", "Orphan": "or"}[policy]
			rs := &apps.ReplicaSet{}
			rs.Name, rs.Namespace = app, "default"
			rs.Spec.Replicas = ptr(int32(2))
			rs.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": app}}
			rs.Spec.Template = template(app, "nginx")
			if _, err := client.ReplicaSets(c).Create(ctx, rs); err != nil {
				t.Fatal(err)
			}
			eventually(t, 20*time.Second, countIs(ctx, c, "default", "app="+app, 2))
			if err := client.ReplicaSets(c).Delete(ctx, "default", app, &meta.DeleteOptions{PropagationPolicy: &policy}); err != nil {
				t.Fatal(err)
			}
			eventually(t, 20*time.Second, func() error {
				if _, err := client.ReplicaSets(c).Get(ctx, "default", app); err == nil {
					return errorf("replica set still there")
				}
				return nil
			})
			if policy == meta.DeletePropagationOrphan {
				eventually(t, 10*time.Second, func() error {
					ps, err := activePods(ctx, c, "default", "app="+app)
					if err != nil {
						return err
					}
					for _, p := range ps {
						if len(p.OwnerReferences) != 0 {
							return errorf("pod %s still owned", p.Name)
						}
					}
					if len(ps) != 2 {
						return errorf("%d orphans, want 2", len(ps))
					}
					return nil
				})
				return
			}
			eventually(t, 20*time.Second, countIs(ctx, c, "default", "app="+app, 0))
		})
	}
}

func TestNamespaceDeletion(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"namespace"} })
	newNamespace(ctx, t, c, "doomed")
	cm := &core.ConfigMap{}
	cm.Name, cm.Namespace = "cfg", "doomed"
	if _, err := client.ConfigMaps(c).Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	p := &core.Pod{}
	p.Name, p.Namespace = "p", "doomed"
	p.Spec = template("x", "nginx").Spec
	if _, err := client.Pods(c).Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := client.Namespaces(c).Delete(ctx, "", "doomed", nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if _, err := client.Namespaces(c).Get(ctx, "", "doomed"); err == nil {
			return errorf("namespace still there")
		}
		return nil
	})
	if l, err := client.ConfigMaps(c).List(ctx, "doomed", client.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Fatalf("config maps left: %v %v", l, err)
	}
}

// TestCascadingDeleteOfDeployment: deleting a Deployment (background, kubectl's default)
// removes its ReplicaSets and their pods.
func TestCascadingDeleteOfDeployment(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"deployment", "replicaset", "garbagecollector"} })

	d := &apps.Deployment{}
	d.Name, d.Namespace = "gc-deploy", "default"
	d.Spec.Replicas = ptr(int32(2))
	d.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "gc-deploy"}}
	d.Spec.Template = template("gc-deploy", "nginx")
	if _, err := client.Deployments(c).Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	replicaSets := func() (int, error) {
		l, err := client.ReplicaSets(c).List(ctx, "default", client.ListOptions{LabelSelector: "app=gc-deploy"})
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	}
	eventually(t, 20*time.Second, countIs(ctx, c, "default", "app=gc-deploy", 2))
	if n, err := replicaSets(); err != nil || n != 1 {
		t.Fatalf("%d replica sets (%v), want 1", n, err)
	}
	if err := client.Deployments(c).Delete(ctx, "default", "gc-deploy", nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, func() error {
		if n, err := replicaSets(); err != nil || n != 0 {
			return errorf("%d replica sets left (%v)", n, err)
		}
		return nil
	})
	eventually(t, 20*time.Second, countIs(ctx, c, "default", "app=gc-deploy", 0))
}
