package deployment

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
)

func TestResolveFenceposts(t *testing.T) {
	p := func(s string) *intstr.IntOrString { v := intstr.Parse(s); return &v }
	tests := []struct {
		surge, unavail string
		replicas       int32
		s, u           int32
	}{
		{"25%", "25%", 10, 3, 2},
		{"1", "0", 4, 1, 0},
		{"0", "0", 4, 0, 1},
		{"50%", "50%", 3, 2, 1},
	}
	for _, tt := range tests {
		s, u, err := ResolveFenceposts(p(tt.surge), p(tt.unavail), tt.replicas)
		if err != nil || s != tt.s || u != tt.u {
			t.Errorf("%s/%s of %d: got %d,%d,%v want %d,%d", tt.surge, tt.unavail, tt.replicas, s, u, err, tt.s, tt.u)
		}
	}
}

func TestNewRSReplicas(t *testing.T) {
	tests := []struct{ replicas, surge, total, newSpec, want int32 }{
		{4, 1, 4, 0, 1}, // surge one pod
		{4, 1, 5, 1, 1}, // at the ceiling: wait
		{4, 1, 3, 1, 3}, // room for two more
		{4, 2, 4, 3, 4}, // never past replicas
		{4, 0, 4, 0, 0}, // no surge: wait for old pods to go
	}
	for _, tt := range tests {
		if got := NewRSReplicas(tt.replicas, tt.surge, tt.total, tt.newSpec); got != tt.want {
			t.Errorf("%+v: got %d", tt, got)
		}
	}
}

func TestScaleDownOld(t *testing.T) {
	tests := []struct {
		name     string
		olds     []Counts
		newRS    Counts
		replicas int32
		unavail  int32
		want     []int32
	}{
		{"new not ready yet: only maxUnavailable goes", []Counts{{4, 4}}, Counts{1, 0}, 4, 1, []int32{3}},
		{"new pod ready: one more goes", []Counts{{3, 3}}, Counts{2, 1}, 4, 1, []int32{2}},
		{"unhealthy old pods go first, within the budget", []Counts{{2, 0}, {2, 2}}, Counts{1, 0}, 4, 1, []int32{1, 2}},
		{"nothing to spare", []Counts{{3, 3}}, Counts{1, 0}, 4, 0, []int32{3}},
		{"complete", []Counts{{1, 1}}, Counts{4, 4}, 4, 1, []int32{0}},
	}
	for _, tt := range tests {
		if got := ScaleDownOld(tt.olds, tt.newRS, tt.replicas, tt.unavail); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v want %v", tt.name, got, tt.want)
		}
	}
}

type fakeAPI struct{ actions []string }

func (f *fakeAPI) CreateRS(_ context.Context, rs *apps.ReplicaSet) error {
	f.actions = append(f.actions, fmt.Sprintf("create rs replicas=%d rev=%s hash-label=%v", *rs.Spec.Replicas, rs.Annotations[apps.RevisionAnnotation], rs.Spec.Template.Labels[apps.DefaultDeploymentUniqueLabelKey] != ""))
	return nil
}
func (f *fakeAPI) UpdateRS(_ context.Context, rs *apps.ReplicaSet) error {
	f.actions = append(f.actions, fmt.Sprintf("update rs %s replicas=%d rev=%s", rs.Name, *rs.Spec.Replicas, rs.Annotations[apps.RevisionAnnotation]))
	return nil
}
func (f *fakeAPI) DeleteRS(_ context.Context, ns, name string) error {
	f.actions = append(f.actions, "delete rs "+name)
	return nil
}
func (f *fakeAPI) UpdateStatus(_ context.Context, d *apps.Deployment) error {
	f.actions = append(f.actions, fmt.Sprintf("status replicas=%d updated=%d available=%d", d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas))
	return nil
}

func deploy(image string) *apps.Deployment {
	d := &apps.Deployment{}
	d.Name, d.Namespace, d.UID = "web", "default", "d-uid"
	r := int32(4)
	d.Spec.Replicas = &r
	d.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	d.Spec.Template.Labels = map[string]string{"app": "web"}
	d.Spec.Template.Spec.Containers = []core.Container{{Name: "c", Image: image}}
	one := intstr.FromInt32(1)
	d.Spec.Strategy.RollingUpdate = &apps.RollingUpdateDeployment{MaxSurge: &one, MaxUnavailable: &one}
	return d
}

func rsFor(d *apps.Deployment, name, rev string, replicas, available int32) *apps.ReplicaSet {
	rs := &apps.ReplicaSet{}
	rs.Name, rs.Namespace, rs.UID = name, "default", "u-"+name
	rs.Annotations = map[string]string{apps.RevisionAnnotation: rev}
	rs.OwnerReferences = []meta.OwnerReference{controller.NewControllerRef(d, "apps/v1", "Deployment")}
	rs.Spec.Replicas = &replicas
	rs.Spec.Template = controller.Clone(d.Spec.Template)
	rs.Spec.Template.Labels[apps.DefaultDeploymentUniqueLabelKey] = name
	rs.Status.Replicas, rs.Status.AvailableReplicas, rs.Status.ReadyReplicas = replicas, available, available
	return rs
}

func TestSync(t *testing.T) {
	v1, v2 := deploy("v1"), deploy("v2")
	tests := []struct {
		name string
		d    *apps.Deployment
		rss  []*apps.ReplicaSet
		want []string
	}{
		{"first revision", v1, nil, []string{"create rs replicas=4 rev=1 hash-label=true", "status replicas=0 updated=0 available=0"}},
		{"new template surges one and drops one old", v2, []*apps.ReplicaSet{rsFor(v1, "old", "1", 4, 4)},
			[]string{"create rs replicas=1 rev=2 hash-label=true", "update rs old replicas=3 rev=1", "status replicas=4 updated=0 available=4"}},
		{"rollback reuses the old set under a new revision", v1, []*apps.ReplicaSet{rsFor(v1, "old", "1", 0, 0), rsFor(v2, "cur", "2", 4, 4)},
			[]string{"update rs old replicas=0 rev=3", "update rs old replicas=1 rev=3", "update rs cur replicas=3 rev=2", "status replicas=4 updated=0 available=4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := informer.NewIndexer[*apps.Deployment](nil)
			ds.Add(tt.d)
			rs := informer.NewIndexer[*apps.ReplicaSet](nil)
			for _, r := range tt.rss {
				rs.Add(r)
			}
			f := &fakeAPI{}
			c := New(ds, rs, f, nil, nil)
			c.Now = func() time.Time { return time.Unix(1e9, 0) }
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "default/web"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Errorf("got  %q\nwant %q", f.actions, tt.want)
			}
		})
	}
}
