package integration

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/resource"
)

func TestResourceQuotaStatus(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"resourcequota"} })
	newNamespace(ctx, t, c, "team")

	q := &core.ResourceQuota{}
	q.Name, q.Namespace = "quota", "team"
	q.Spec.Hard = core.ResourceList{
		"pods": resource.MustParse("10"), "requests.cpu": resource.MustParse("2"), "limits.memory": resource.MustParse("4Gi"),
		"configmaps": resource.MustParse("5"), "count/services": resource.MustParse("2"), "persistentvolumeclaims": resource.MustParse("1"),
	}
	if _, err := client.ResourceQuotas(c).Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	cm := &core.ConfigMap{}
	cm.Name, cm.Namespace = "cfg", "team"
	if _, err := client.ConfigMaps(c).Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		p := &core.Pod{}
		p.Name, p.Namespace = name, "team"
		p.Spec = template("x", "nginx").Spec
		p.Spec.Containers[0].Resources = core.ResourceRequirements{
			Requests: core.ResourceList{"cpu": resource.MustParse("250m")},
			Limits:   core.ResourceList{"memory": resource.MustParse("512Mi")},
		}
		if _, err := client.Pods(c).Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	used := func(want map[string]string) func() error {
		return func() error {
			got, err := client.ResourceQuotas(c).Get(ctx, "team", "quota")
			if err != nil {
				return err
			}
			if len(got.Status.Hard) != len(q.Spec.Hard) {
				return errorf("status.hard %v", got.Status.Hard)
			}
			for k, v := range want {
				have, ok := got.Status.Used[core.ResourceName(k)]
				if !ok || have.Cmp(resource.MustParse(v)) != 0 {
					return errorf("used %s = %s, want %s (all: %v)", k, have.String(), v, got.Status.Used)
				}
			}
			return nil
		}
	}
	eventually(t, 10*time.Second, used(map[string]string{
		"pods": "2", "requests.cpu": "500m", "limits.memory": "1Gi", "configmaps": "1", "count/services": "0", "persistentvolumeclaims": "0",
	}))
	// A finished pod no longer counts.
	if err := runPod(ctx, c, mustGetPod(ctx, t, c, "team", "a"), "node-1", "10.5.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := setPodStatus(ctx, c, "team", "a", core.PodSucceeded, false, "10.5.0.1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, used(map[string]string{"pods": "1", "requests.cpu": "250m", "limits.memory": "512Mi"}))
}

func mustGetPod(ctx context.Context, t *testing.T, c *client.Client, ns, name string) *core.Pod {
	t.Helper()
	p, err := client.Pods(c).Get(ctx, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
