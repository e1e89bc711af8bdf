package batch_test

import (
	"testing"

	"seven.dev/api/batch"
	"seven.dev/api/core/coretest"
)

const job = `{
  "apiVersion": "batch/v1", "kind": "Job",
  "metadata": {"name": "pi", "namespace": "default", "labels": {"batch.kubernetes.io/job-name": "pi"}},
  "spec": {
    "parallelism": 2, "completions": 5, "activeDeadlineSeconds": 600, "backoffLimit": 4,
    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}},
    "manualSelector": false,
    "template": {"metadata": {"labels": {"batch.kubernetes.io/controller-uid": "u1", "batch.kubernetes.io/job-name": "pi"}},
      "spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], "resources": {}}]}},
    "ttlSecondsAfterFinished": 100,
    "completionMode": "NonIndexed",
    "suspend": false,
    "podReplacementPolicy": "TerminatingOrFailed",
    "podFailurePolicy": {"rules": [
      {"action": "FailJob", "onExitCodes": {"containerName": "pi", "operator": "In", "values": [42]}},
      {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    ]}
  },
  "status": {
    "conditions": [{"type": "Complete", "status": "True", "lastProbeTime": "2024-05-01T10:02:00Z", "lastTransitionTime": "2024-05-01T10:02:00Z", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}],
    "startTime": "2024-05-01T10:00:00Z", "completionTime": "2024-05-01T10:02:00Z",
    "active": 1, "succeeded": 5, "failed": 1, "terminating": 0, "ready": 0,
    "uncountedTerminatedPods": {"succeeded": ["u9"]}
  }
}`

const indexed = `{
  "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "idx"},
  "spec": {"completions": 3, "completionMode": "Indexed", "backoffLimitPerIndex": 1, "maxFailedIndexes": 1,
    "successPolicy": {"rules": [{"succeededIndexes": "0-1", "succeededCount": 1}]},
    "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "w", "image": "busybox", "resources": {}}]}}},
  "status": {"completedIndexes": "0,2", "failedIndexes": "1", "uncountedTerminatedPods": {}}
}`

func TestRoundTrip(t *testing.T) {
	coretest.RoundTrip[batch.Job](t, job, "")
	coretest.RoundTrip[batch.Job](t, indexed, "")
	coretest.RoundTrip[batch.JobList](t, `{"apiVersion":"batch/v1","kind":"JobList","metadata":{"resourceVersion":"7"},"items":[`+indexed+`]}`, "")
}

func TestValues(t *testing.T) {
	j := coretest.RoundTrip[batch.Job](t, job, "")
	if j.Spec.ManualSelector == nil || *j.Spec.ManualSelector {
		t.Errorf("manualSelector = %v, want an explicit false", j.Spec.ManualSelector)
	}
	if j.Status.StartTime == nil || j.Status.StartTime.UTC().Hour() != 10 {
		t.Errorf("startTime = %v", j.Status.StartTime)
	}
}

func TestZeroValues(t *testing.T) {
	coretest.MarshalEqual(t, batch.Job{}, `{"spec":{"template":{"spec":{"containers":null}}},"status":{}}`)
	coretest.MarshalEqual(t, batch.JobSpec{}, `{"template":{"spec":{"containers":null}}}`)
	coretest.MarshalEqual(t, batch.JobStatus{}, `{}`)
	tag := coretest.Tag(t, batch.JobStatus{}, "Conditions")
	if tag.Get("patchStrategy") != "merge" || tag.Get("patchMergeKey") != "type" {
		t.Errorf("JobStatus.Conditions tag = %q", tag)
	}
}
