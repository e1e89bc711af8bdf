package resourcequota

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/resource"
)

type fakeAPI struct{ actions []string }

func (f *fakeAPI) UpdateStatus(_ context.Context, q *core.ResourceQuota) error {
	f.actions = append(f.actions, "status "+q.Name+" hard="+render(q.Status.Hard)+" used="+render(q.Status.Used))
	return nil
}

func render(l core.ResourceList) string {
	var s []string
	for k, v := range l {
		s = append(s, fmt.Sprintf("%s:%s", k, v.String()))
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func list(kv ...string) core.ResourceList {
	out := core.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func pod(name string, phase core.PodPhase, requests, limits core.ResourceList) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace = name, "team"
	p.Status.Phase = phase
	p.Spec.Containers = []core.Container{{Name: "c", Resources: core.ResourceRequirements{Requests: requests, Limits: limits}}}
	return p
}

func TestSync(t *testing.T) {
	quota := func(status core.ResourceQuotaStatus) *core.ResourceQuota {
		q := &core.ResourceQuota{}
		q.Name, q.Namespace = "compute", "team"
		q.Spec.Hard = list("pods", "10", "count/pods", "10", "requests.cpu", "4", "cpu", "4", "limits.memory", "8Gi",
			"configmaps", "5", "count/secrets", "5", "persistentvolumeclaims", "2", "services", "3", "services.nodeports", "2", "example.com/gpus", "1")
		q.Status = status
		return q
	}
	svc := &core.Service{}
	svc.Name, svc.Namespace = "web", "team"
	svc.Spec.Type = core.ServiceTypeNodePort
	svc.Spec.Ports = []core.ServicePort{{Port: 80}, {Port: 443}}
	pods := []*core.Pod{
		pod("a", core.PodRunning, list("cpu", "500m", "memory", "1Gi"), list("memory", "2Gi")),
		pod("b", core.PodPending, list("cpu", "1"), list("memory", "512Mi")),
		pod("done", core.PodSucceeded, list("cpu", "8"), list("memory", "64Gi")),
	}
	wantUsed := "configmaps:2,count/pods:2,count/secrets:1,cpu:1500m,limits.memory:2560Mi,persistentvolumeclaims:0,pods:2,requests.cpu:1500m,services.nodeports:2,services:1"
	tests := []struct {
		name  string
		quota *core.ResourceQuota
		want  []string
	}{
		{"computes usage", quota(core.ResourceQuotaStatus{}), []string{
			"status compute hard=configmaps:5,count/pods:10,count/secrets:5,cpu:4,example.com/gpus:1,limits.memory:8Gi,persistentvolumeclaims:2,pods:10,requests.cpu:4,services.nodeports:2,services:3 used=" + wantUsed,
		}},
		{"unchanged status is not rewritten", quota(core.ResourceQuotaStatus{Hard: quota(core.ResourceQuotaStatus{}).Spec.Hard, Used: list(
			"configmaps", "2", "count/pods", "2", "count/secrets", "1", "cpu", "1.5", "limits.memory", "2560Mi", "persistentvolumeclaims", "0",
			"pods", "2", "requests.cpu", "1500m", "services.nodeports", "2", "services", "1")}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs := informer.NewIndexer[*core.ResourceQuota](nil)
			qs.Add(tt.quota)
			ps := informer.NewIndexer[*core.Pod](nil)
			for _, p := range pods {
				ps.Add(p)
			}
			ss := informer.NewIndexer[*core.Service](nil)
			ss.Add(svc)
			f := &fakeAPI{}
			c := New(Config{Quotas: qs, Pods: ps, Services: ss, API: f, Counts: map[string]func(string) int{
				"configmaps": func(string) int { return 2 }, "secrets": func(string) int { return 1 },
			}})
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "team/compute"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", f.actions, tt.want)
			}
		})
	}
}

func TestPodAmount(t *testing.T) {
	p := pod("p", core.PodRunning, list("cpu", "100m"), nil)
	p.Spec.Containers = append(p.Spec.Containers, core.Container{Name: "d", Resources: core.ResourceRequirements{Requests: list("cpu", "200m")}})
	always := core.ContainerRestartPolicyAlways
	p.Spec.InitContainers = []core.Container{
		{Name: "setup", Resources: core.ResourceRequirements{Requests: list("cpu", "1")}},
		{Name: "sidecar", RestartPolicy: &always, Resources: core.ResourceRequirements{Requests: list("cpu", "50m")}},
	}
	p.Spec.Overhead = list("cpu", "10m")
	got := PodAmount(p, core.ResourceCPU, false)
	if got.MilliValue() != 1010 {
		t.Fatalf("got %s: the largest init container (1) wins over 350m of containers and sidecar, plus 10m overhead", got.String())
	}
}
