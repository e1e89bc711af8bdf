package job

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
)

var now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// fakeAPI records the pod and status writes of a sync.
type fakeAPI struct {
	mu      sync.Mutex
	actions []string
	n       int
}

func (f *fakeAPI) Create(_ context.Context, ns string, p *core.Pod) (*core.Pod, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.actions = append(f.actions, fmt.Sprintf("create %s/%s* owner=%s uid=%s restart=%s", ns, p.GenerateName, p.OwnerReferences[0].Name, p.Labels[batch.ControllerUIDLabel], p.Spec.RestartPolicy))
	out := *p
	out.Name = fmt.Sprintf("%s%d", p.GenerateName, f.n)
	return &out, nil
}

func (f *fakeAPI) Delete(_ context.Context, ns, name string) error {
	f.actions = append(f.actions, "delete "+ns+"/"+name)
	return nil
}

func (f *fakeAPI) Patch(_ context.Context, ns, name string, patch []byte) error {
	f.actions = append(f.actions, "patch "+ns+"/"+name+" "+string(patch))
	return nil
}

func (f *fakeAPI) UpdateStatus(_ context.Context, j *batch.Job) error {
	s := j.Status
	var conds []string
	for _, c := range s.Conditions {
		conds = append(conds, string(c.Type)+"/"+c.Reason)
	}
	f.actions = append(f.actions, fmt.Sprintf("status active=%d succeeded=%d failed=%d ready=%d terminating=%d start=%v done=%v [%s]",
		s.Active, s.Succeeded, s.Failed, *s.Ready, *s.Terminating, s.StartTime != nil, s.CompletionTime != nil, strings.Join(conds, " ")))
	return nil
}

func ptr[T any](v T) *T { return &v }

type jobOpt func(*batch.Job)

func completions(n int32) jobOpt { return func(j *batch.Job) { j.Spec.Completions = &n } }
func parallelism(n int32) jobOpt { return func(j *batch.Job) { j.Spec.Parallelism = &n } }
func backoff(n int32) jobOpt     { return func(j *batch.Job) { j.Spec.BackoffLimit = &n } }
func deadline(secs int64) jobOpt { return func(j *batch.Job) { j.Spec.ActiveDeadlineSeconds = &secs } }
func started(ago time.Duration) jobOpt {
	return func(j *batch.Job) { t := meta.NewTime(now.Add(-ago)); j.Status.StartTime = &t }
}
func withCondition(typ batch.JobConditionType, reason string) jobOpt {
	return func(j *batch.Job) {
		j.Status.Conditions = append(j.Status.Conditions, batch.JobCondition{Type: typ, Status: core.ConditionTrue, Reason: reason})
	}
}

func job(opts ...jobOpt) *batch.Job {
	j := &batch.Job{}
	j.Name, j.Namespace, j.UID = "pi", "default", "uid-pi"
	j.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{batch.ControllerUIDLabel: "uid-pi"}}
	j.Spec.Template.Labels = map[string]string{batch.ControllerUIDLabel: "uid-pi", batch.JobNameLabel: "pi"}
	j.Spec.Template.Spec.RestartPolicy = core.RestartPolicyNever
	j.Spec.Template.Spec.Containers = []core.Container{{Name: "c", Image: "perl"}}
	j.Spec.Completions, j.Spec.Parallelism, j.Spec.BackoffLimit = ptr(int32(1)), ptr(int32(1)), ptr(int32(6))
	for _, o := range opts {
		o(j)
	}
	return j
}

func pod(name string, phase core.PodPhase) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace, p.UID = name, "default", "uid-"+name
	p.Labels = map[string]string{batch.ControllerUIDLabel: "uid-pi"}
	t := true
	p.OwnerReferences = []meta.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: "pi", UID: "uid-pi", Controller: &t}}
	p.Status.Phase = phase
	return p
}

func TestSync(t *testing.T) {
	tests := []struct {
		name string
		job  *batch.Job
		pods []*core.Pod
		want []string
	}{
		{
			name: "starts parallelism pods",
			job:  job(completions(3), parallelism(2)),
			want: []string{
				"create default/pi-* owner=pi uid=uid-pi restart=Never", "create default/pi-* owner=pi uid=uid-pi restart=Never",
				"status active=2 succeeded=0 failed=0 ready=0 terminating=0 start=true done=false []",
			},
		},
		{
			name: "no more than the remaining completions",
			job:  job(completions(3), parallelism(2), started(time.Minute)),
			pods: []*core.Pod{pod("a", core.PodSucceeded), pod("b", core.PodSucceeded), pod("c", core.PodRunning)},
			want: []string{"status active=1 succeeded=2 failed=0 ready=0 terminating=0 start=true done=false []"},
		},
		{
			name: "completions reached: SuccessCriteriaMet then Complete",
			job:  job(completions(2), parallelism(2), started(time.Minute)),
			pods: []*core.Pod{pod("a", core.PodSucceeded), pod("b", core.PodSucceeded)},
			want: []string{"status active=0 succeeded=2 failed=0 ready=0 terminating=0 start=true done=true [SuccessCriteriaMet/CompletionsReached Complete/CompletionsReached]"},
		},
		{
			name: "a failed pod is replaced",
			job:  job(backoff(2), started(time.Minute)),
			pods: []*core.Pod{pod("a", core.PodFailed)},
			want: []string{"create default/pi-* owner=pi uid=uid-pi restart=Never", "status active=1 succeeded=0 failed=1 ready=0 terminating=0 start=true done=false []"},
		},
		{
			name: "backoff limit exceeded: active pods deleted, FailureTarget",
			job:  job(parallelism(2), completions(5), backoff(1), started(time.Minute)),
			pods: []*core.Pod{pod("a", core.PodFailed), pod("b", core.PodFailed), pod("c", core.PodRunning)},
			want: []string{"delete default/c", "status active=0 succeeded=0 failed=2 ready=0 terminating=1 start=true done=false [FailureTarget/BackoffLimitExceeded]"},
		},
		{
			name: "backoff limit exceeded and nothing running: Failed",
			job:  job(backoff(1), started(time.Minute)),
			pods: []*core.Pod{pod("a", core.PodFailed), pod("b", core.PodFailed)},
			want: []string{"status active=0 succeeded=0 failed=2 ready=0 terminating=0 start=true done=false [FailureTarget/BackoffLimitExceeded Failed/BackoffLimitExceeded]"},
		},
		{
			name: "active deadline",
			job:  job(deadline(30), started(time.Minute)),
			pods: []*core.Pod{pod("a", core.PodRunning)},
			want: []string{"delete default/a", "status active=0 succeeded=0 failed=0 ready=0 terminating=1 start=true done=false [FailureTarget/DeadlineExceeded]"},
		},
		{
			name: "finished job is left alone",
			job:  job(withCondition(batch.JobComplete, "CompletionsReached")),
			pods: []*core.Pod{pod("a", core.PodSucceeded)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := informer.NewIndexer[*batch.Job](nil)
			js.Add(tt.job)
			ps := informer.NewIndexer[*core.Pod](nil)
			for _, p := range tt.pods {
				ps.Add(p)
			}
			f := &fakeAPI{}
			c := New(Config{Jobs: js, Pods: ps, PodAPI: f, Status: f, Now: func() time.Time { return now }})
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "default/pi"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", f.actions, tt.want)
			}
		})
	}
}

func TestExpectationsPreventDoubleCreate(t *testing.T) {
	js := informer.NewIndexer[*batch.Job](nil)
	js.Add(job(parallelism(2), completions(2)))
	f := &fakeAPI{}
	c := New(Config{Jobs: js, Pods: informer.NewIndexer[*core.Pod](nil), PodAPI: f, Status: f, Now: func() time.Time { return now }})
	defer c.Runner.Queue.ShutDown()
	for range 2 {
		if err := c.Sync(context.Background(), "default/pi"); err != nil {
			t.Fatal(err)
		}
	}
	creates := 0
	for _, a := range f.actions {
		if strings.HasPrefix(a, "create") {
			creates++
		}
	}
	if creates != 2 {
		t.Fatalf("%d creates while expectations are pending: %q", creates, f.actions)
	}
}

func TestDecideWorkQueue(t *testing.T) {
	j := job(parallelism(3))
	j.Spec.Completions = nil
	p := Decide(j, []*core.Pod{pod("a", core.PodSucceeded), pod("b", core.PodRunning)}, now)
	if p.Create != 0 || len(p.Delete) != 0 || Condition(p.Status, batch.JobSuccessCriteriaMet) != nil {
		t.Fatalf("one success with one still running: wait, got %+v", p)
	}
	p = Decide(j, []*core.Pod{pod("a", core.PodSucceeded)}, now)
	if Condition(p.Status, batch.JobComplete) == nil {
		t.Fatalf("one success and nothing running: complete, got %+v", p.Status.Conditions)
	}
}

func TestDecideRestartsOnFailure(t *testing.T) {
	j := job(backoff(2))
	j.Spec.Template.Spec.RestartPolicy = core.RestartPolicyOnFailure
	p := pod("a", core.PodRunning)
	p.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", RestartCount: 2}}
	if c := Condition(Decide(j, []*core.Pod{p}, now).Status, batch.JobFailureTarget); c == nil || c.Reason != batch.JobReasonBackoffLimitExceeded {
		t.Fatal("restarts reaching the backoff limit must fail an OnFailure job")
	}
}
