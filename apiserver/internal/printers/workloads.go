package printers

import (
	"fmt"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
)

// replicasOrDefault is spec.replicas with upstream's default of 1: upstream
// defaults it when decoding, so its printers never see it unset.
func replicasOrDefault(r *int32) int64 {
	if r == nil {
		return 1
	}
	return int64(*r)
}

func replicationControllerPrinter() printer {
	return printer{
		columns: append([]meta.TableColumnDefinition{
			nameColumn(),
			column("Desired", "integer", descRCSpecReplicas),
			column("Current", "integer", descRCStatusReplicas),
			column("Ready", "integer", descRCStatusReadyReplicas),
			ageColumn(),
		}, templateColumns(descRCSelector)...),
		row: rowOf(func(rc *core.ReplicationController, now time.Time) meta.TableRow {
			var containers []core.Container
			if rc.Spec.Template != nil {
				containers = rc.Spec.Template.Spec.Containers
			}
			names, images := containerCells(containers)
			return cells(
				rc.Name,
				replicasOrDefault(rc.Spec.Replicas),
				int64(rc.Status.Replicas),
				int64(rc.Status.ReadyReplicas),
				age(&rc.ObjectMeta, now),
				names, images, formatLabels(rc.Spec.Selector),
			)
		}),
	}
}

func replicaSetPrinter() printer {
	return printer{
		columns: append([]meta.TableColumnDefinition{
			nameColumn(),
			column("Desired", "integer", descRSSpecReplicas),
			column("Current", "integer", descRSStatusReplicas),
			column("Ready", "integer", descRSStatusReadyReplicas),
			ageColumn(),
		}, templateColumns(descRSSelector)...),
		row: rowOf(func(rs *apps.ReplicaSet, now time.Time) meta.TableRow {
			names, images := containerCells(rs.Spec.Template.Spec.Containers)
			return cells(
				rs.Name,
				replicasOrDefault(rs.Spec.Replicas),
				int64(rs.Status.Replicas),
				int64(rs.Status.ReadyReplicas),
				age(&rs.ObjectMeta, now),
				names, images, formatLabelSelector(rs.Spec.Selector),
			)
		}),
	}
}

func deploymentPrinter() printer {
	return printer{
		columns: append([]meta.TableColumnDefinition{
			nameColumn(),
			column("Ready", "string", descDeploymentReady),
			column("Up-to-date", "string", descDeploymentUpdated),
			column("Available", "string", descDeploymentAvailable),
			ageColumn(),
		}, templateColumns(descDeploymentSelector)...),
		row: rowOf(func(d *apps.Deployment, now time.Time) meta.TableRow {
			names, images := containerCells(d.Spec.Template.Spec.Containers)
			return cells(
				d.Name,
				fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, replicasOrDefault(d.Spec.Replicas)),
				int64(d.Status.UpdatedReplicas),
				int64(d.Status.AvailableReplicas),
				age(&d.ObjectMeta, now),
				names, images, deploymentSelector(d.Spec.Selector),
			)
		}),
	}
}

// deploymentSelector differs from formatLabelSelector as upstream's printer
// does: "<invalid>" for a bad selector and an empty cell, not "<none>", for
// an empty or missing one.
func deploymentSelector(ls *meta.LabelSelector) string {
	sel, err := labels.SelectorFromLabelSelector(ls)
	if err != nil {
		return "<invalid>"
	}
	return sel.String()
}

func daemonSetPrinter() printer {
	return printer{
		columns: append([]meta.TableColumnDefinition{
			nameColumn(),
			column("Desired", "integer", descDSDesired),
			column("Current", "integer", descDSCurrent),
			column("Ready", "integer", descDSReady),
			column("Up-to-date", "integer", descDSUpdated),
			column("Available", "integer", descDSAvailable),
			column("Node Selector", "string", descPodNodeSelector),
			ageColumn(),
		}, templateColumns(descDSSelector)...),
		row: rowOf(func(ds *apps.DaemonSet, now time.Time) meta.TableRow {
			st := &ds.Status
			names, images := containerCells(ds.Spec.Template.Spec.Containers)
			return cells(
				ds.Name,
				int64(st.DesiredNumberScheduled),
				int64(st.CurrentNumberScheduled),
				int64(st.NumberReady),
				int64(st.UpdatedNumberScheduled),
				int64(st.NumberAvailable),
				formatLabels(ds.Spec.Template.Spec.NodeSelector),
				age(&ds.ObjectMeta, now),
				names, images, formatLabelSelector(ds.Spec.Selector),
			)
		}),
	}
}

func jobPrinter() printer {
	return printer{
		columns: append([]meta.TableColumnDefinition{
			nameColumn(),
			column("Status", "string", descJobStatus),
			column("Completions", "string", descJobSucceeded),
			column("Duration", "string", descJobDuration),
			ageColumn(),
		}, templateColumns(descJobSelector)...),
		row: rowOf(func(j *batch.Job, now time.Time) meta.TableRow {
			names, images := containerCells(j.Spec.Template.Spec.Containers)
			return cells(
				j.Name,
				jobStatus(j),
				jobCompletions(j),
				jobDuration(&j.Status, now),
				age(&j.ObjectMeta, now),
				names, images, formatLabelSelector(j.Spec.Selector),
			)
		}),
	}
}

// jobStatus is the STATUS cell: a finished job's outcome wins over its
// deletion, which wins over suspension and a pending failure.
func jobStatus(j *batch.Job) string {
	conds := j.Status.Conditions
	switch {
	case jobConditionTrue(conds, batch.JobComplete):
		return "Complete"
	case jobConditionTrue(conds, batch.JobFailed):
		return "Failed"
	case j.DeletionTimestamp != nil:
		return "Terminating"
	case jobConditionTrue(conds, batch.JobSuspended):
		return "Suspended"
	case jobConditionTrue(conds, batch.JobFailureTarget):
		return "FailureTarget"
	}
	return "Running"
}

// jobConditionTrue reports whether the first condition of type t is True.
func jobConditionTrue(conds []batch.JobCondition, t batch.JobConditionType) bool {
	for _, c := range conds {
		if c.Type == t {
			return c.Status == core.ConditionTrue
		}
	}
	return false
}

// jobCompletions is "succeeded/completions"; a job without completions (a
// work queue) is "succeeded/1", with " of parallelism" when that exceeds 1.
func jobCompletions(j *batch.Job) string {
	succeeded := j.Status.Succeeded
	if j.Spec.Completions != nil {
		return fmt.Sprintf("%d/%d", succeeded, *j.Spec.Completions)
	}
	if p := j.Spec.Parallelism; p != nil && *p > 1 {
		return fmt.Sprintf("%d/1 of %d", succeeded, *p)
	}
	return fmt.Sprintf("%d/1", succeeded)
}

// jobDuration is empty before the job starts, the time it has been running
// until it completes, and the time it took after.
func jobDuration(st *batch.JobStatus, now time.Time) string {
	switch {
	case st.StartTime == nil:
		return ""
	case st.CompletionTime == nil:
		return HumanDuration(now.Sub(st.StartTime.Time))
	}
	return HumanDuration(st.CompletionTime.Sub(st.StartTime.Time))
}
