package job

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"time"

	"seven.dev/api/batch"
	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/controller"
	"seven.dev/controller-manager/internal/replication"
)

// StatusWriter writes a job's status.
type StatusWriter interface {
	UpdateStatus(ctx context.Context, j *batch.Job) error
}

// Config builds a Controller.
type Config struct {
	Jobs     informer.Store[*batch.Job]
	Pods     informer.Store[*core.Pod]
	PodAPI   replication.PodClient
	Status   StatusWriter
	Recorder controller.EventRecorder
	Metrics  *controller.Metrics
	Logger   *slog.Logger
	Now      func() time.Time
}

// Controller reconciles Jobs.
type Controller struct {
	Config
	Runner       *controller.Runner
	Expectations *controller.Expectations
}

// New returns a controller; Register wires it to informers.
func New(cfg Config) *Controller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Controller{Config: cfg, Expectations: controller.NewExpectations(cfg.Now)}
	c.Runner = controller.NewRunner("job", cfg.Metrics, cfg.Logger, c.Sync)
	return c
}

// Register makes jobs enqueue themselves and pods their controlling job.
func (c *Controller) Register(jobs *informer.Informer[*batch.Job], pods *informer.Informer[*core.Pod]) {
	enq := func(j *batch.Job) { c.Runner.Queue.Add(controller.Key(j)) }
	jobs.AddEventHandler(informer.Handler[*batch.Job]{
		OnAdd:    func(j *batch.Job, _ bool) { enq(j) },
		OnUpdate: func(_, j *batch.Job) { enq(j) },
		OnDelete: func(j *batch.Job, _ bool) { c.Expectations.Delete(controller.Key(j)) },
	})
	pods.AddEventHandler(controller.OwnedPodHandler("Job", c.Expectations, c.Runner.Queue.Add))
}

// Sync reconciles job key.
func (c *Controller) Sync(ctx context.Context, key string) error {
	ns, name := informer.SplitKey(key)
	job, ok := c.Jobs.GetByName(ns, name)
	if !ok {
		c.Expectations.Delete(key)
		return nil
	}
	if job.Spec.ManagedBy != nil && *job.Spec.ManagedBy != "" && *job.Spec.ManagedBy != "kubernetes.io/job-controller" {
		return nil
	}
	if Finished(job.Status) || job.DeletionTimestamp != nil {
		return nil
	}
	sel, err := labels.SelectorFromLabelSelector(job.Spec.Selector)
	if err != nil || sel.Empty() {
		c.Runner.Logger.Warn("job has an invalid selector, skipping", "key", key, "err", err)
		return nil
	}
	if !c.Expectations.Satisfied(key) {
		return nil
	}
	var pods []*core.Pod
	for _, p := range c.Pods.ByNamespace(ns) {
		if ref := controller.ControllerOf(p); ref != nil && ref.UID == job.UID && sel.Matches(p.Labels) {
			pods = append(pods, p)
		}
	}
	slices.SortFunc(pods, func(a, b *core.Pod) int { return strings.Compare(a.Name, b.Name) })
	now := c.Now()
	plan := Decide(job, pods, now)
	if err := c.manage(ctx, key, job, plan); err != nil {
		// The counts of the plan did not happen; the retry recomputes them.
		return err
	}
	if !reflect.DeepEqual(plan.Status, job.Status) {
		out := controller.Clone(job)
		out.Status = plan.Status
		if err := c.Status.UpdateStatus(ctx, out); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("update status of job %s: %w", key, err)
		}
		c.events(job, plan.Status)
	}
	if plan.Deadline > 0 {
		c.Runner.Queue.AddAfter(key, plan.Deadline)
	}
	return nil
}

// events records the conditions the job just reached.
func (c *Controller) events(job *batch.Job, st batch.JobStatus) {
	if c.Recorder == nil {
		return
	}
	if Condition(job.Status, batch.JobFailed) == nil {
		if f := Condition(st, batch.JobFailed); f != nil {
			c.Recorder.Event(job, core.EventTypeWarning, f.Reason, f.Message)
		}
	}
	if Condition(job.Status, batch.JobComplete) == nil && Condition(st, batch.JobComplete) != nil {
		c.Recorder.Event(job, core.EventTypeNormal, "Completed", "Job completed")
	}
}

func (c *Controller) manage(ctx context.Context, key string, job *batch.Job, plan Plan) error {
	if plan.Create > 0 {
		c.Expectations.ExpectCreations(key, plan.Create)
		for i := range plan.Create {
			if _, err := c.PodAPI.Create(ctx, job.Namespace, newPod(job)); err != nil {
				for range plan.Create - i {
					c.Expectations.CreationObserved(key)
				}
				c.event(job, core.EventTypeWarning, "FailedCreate", fmt.Sprintf("Error creating: %v", err))
				return fmt.Errorf("create pod for job %s: %w", key, err)
			}
			c.event(job, core.EventTypeNormal, "SuccessfulCreate", "Created pod for job "+job.Name)
		}
		return nil
	}
	return controller.DeletePods(ctx, c.PodAPI, c.Expectations, c.Recorder, job, key, plan.Delete)
}

func (c *Controller) event(obj meta.Object, typ, reason, msg string) {
	if c.Recorder != nil {
		c.Recorder.Event(obj, typ, reason, msg)
	}
}

// newPod builds a pod from the job's template, which the API server has already labelled
// with the job's name and controller-uid.
func newPod(job *batch.Job) *core.Pod {
	t := controller.Clone(job.Spec.Template)
	p := &core.Pod{Spec: t.Spec}
	p.GenerateName = job.Name + "-"
	p.Namespace = job.Namespace
	p.Labels, p.Annotations, p.Finalizers = t.Labels, t.Annotations, t.Finalizers
	p.OwnerReferences = []meta.OwnerReference{controller.NewControllerRef(job, "batch/v1", "Job")}
	return p
}

// APIStatus is the production StatusWriter.
type APIStatus struct{ C *client.Client }

// UpdateStatus implements StatusWriter.
func (a APIStatus) UpdateStatus(ctx context.Context, j *batch.Job) error {
	_, err := client.Jobs(a.C).UpdateStatus(ctx, j)
	return err
}
