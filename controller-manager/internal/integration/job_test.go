package integration

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/batch"
	"seven.dev/api/client"
	"seven.dev/api/core"
)

// finishPods plays kubelet for the pods of job: every new pod is bound to node-1 and ends
// in phase. It records the most pods it ever saw running at once.
func finishPods(ctx context.Context, c *client.Client, job string, phase core.PodPhase, maxActive *atomic.Int32) {
	for ctx.Err() == nil {
		if l, err := client.Pods(c).List(ctx, "default", client.ListOptions{LabelSelector: batch.JobNameLabel + "=" + job}); err == nil {
			active := int32(0)
			for _, p := range l.Items {
				if p.Status.Phase == "" || p.Status.Phase == core.PodPending || p.Status.Phase == core.PodRunning {
					active++
				}
			}
			if maxActive != nil && active > maxActive.Load() {
				maxActive.Store(active)
			}
			for _, p := range l.Items {
				if p.Status.Phase == "" || p.Status.Phase == core.PodPending {
					if err := runPod(ctx, c, p, "node-1", "10.3.0.1"); err == nil {
						_ = setPodStatus(ctx, c, "default", p.Name, phase, false, "10.3.0.1")
					}
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func newJob(name string, completions, parallelism, backoff int32) *batch.Job {
	j := &batch.Job{}
	j.Name, j.Namespace = name, "default"
	j.Spec.Completions, j.Spec.Parallelism, j.Spec.BackoffLimit = &completions, &parallelism, &backoff
	j.Spec.Template = template(name, "busybox")
	j.Spec.Template.Spec.RestartPolicy = core.RestartPolicyNever
	return j
}

func conditionTypes(j *batch.Job) []batch.JobConditionType {
	var out []batch.JobConditionType
	for _, c := range j.Status.Conditions {
		if c.Status == core.ConditionTrue {
			out = append(out, c.Type)
		}
	}
	return out
}

func TestJob(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"job"} })

	t.Run("backoff limit", func(t *testing.T) {
		if _, err := client.Jobs(c).Create(ctx, newJob("fails", 1, 1, 2)); err != nil {
			t.Fatal(err)
		}
		go finishPods(ctx, c, "fails", core.PodFailed, nil)
		var got *batch.Job
		eventually(t, 30*time.Second, func() error {
			j, err := client.Jobs(c).Get(ctx, "default", "fails")
			if err != nil {
				return err
			}
			got = j
			if f := findCondition(j, batch.JobFailed); f == nil || f.Reason != batch.JobReasonBackoffLimitExceeded || f.Message != "Job has reached the specified backoff limit" {
				return errorf("conditions %v, failed %d", conditionTypes(j), j.Status.Failed)
			}
			return nil
		})
		if got.Status.Failed != 3 || got.Status.Active != 0 || got.Status.StartTime == nil || findCondition(got, batch.JobFailureTarget) == nil {
			t.Fatalf("status %+v", got.Status)
		}
		time.Sleep(time.Second)
		l, err := client.Pods(c).List(ctx, "default", client.ListOptions{LabelSelector: batch.JobNameLabel + "=fails"})
		if err != nil || len(l.Items) != 3 {
			t.Fatalf("want exactly backoffLimit+1 = 3 pods, got %d (%v)", len(l.Items), err)
		}
		if ref := l.Items[0].OwnerReferences; len(ref) != 1 || ref[0].Kind != "Job" || l.Items[0].Labels[batch.ControllerUIDLabel] != string(got.UID) {
			t.Fatalf("pod owner %+v labels %v", ref, l.Items[0].Labels)
		}
	})

	t.Run("completions", func(t *testing.T) {
		if _, err := client.Jobs(c).Create(ctx, newJob("works", 3, 2, 6)); err != nil {
			t.Fatal(err)
		}
		var maxActive atomic.Int32
		go finishPods(ctx, c, "works", core.PodSucceeded, &maxActive)
		eventually(t, 30*time.Second, func() error {
			j, err := client.Jobs(c).Get(ctx, "default", "works")
			if err != nil {
				return err
			}
			if findCondition(j, batch.JobComplete) == nil || j.Status.CompletionTime == nil {
				return errorf("conditions %v, succeeded %d", conditionTypes(j), j.Status.Succeeded)
			}
			if j.Status.Succeeded != 3 || findCondition(j, batch.JobSuccessCriteriaMet) == nil {
				return errorf("status %+v", j.Status)
			}
			return nil
		})
		if m := maxActive.Load(); m > 2 {
			t.Fatalf("%d pods ran at once, parallelism is 2", m)
		}
	})
}

func findCondition(j *batch.Job, typ batch.JobConditionType) *batch.JobCondition {
	for i, c := range j.Status.Conditions {
		if c.Type == typ && c.Status == core.ConditionTrue {
			return &j.Status.Conditions[i]
		}
	}
	return nil
}
