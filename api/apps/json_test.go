package apps_test

import (
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/core/coretest"
	"seven.dev/api/intstr"
)

const deployment = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "nginx", "namespace": "default", "generation": 3,
    "annotations": {"deployment.kubernetes.io/revision": "2"}},
  "spec": {
    "replicas": 3,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {
      "metadata": {"labels": {"app": "nginx"}},
      "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}], "resources": {}}]}
    },
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
    "minReadySeconds": 5,
    "revisionHistoryLimit": 10,
    "paused": true,
    "progressDeadlineSeconds": 600
  },
  "status": {
    "observedGeneration": 3, "replicas": 3, "updatedReplicas": 2, "readyReplicas": 3, "availableReplicas": 3, "unavailableReplicas": 1,
    "collisionCount": 1,
    "conditions": [
      {"type": "Available", "status": "True", "lastUpdateTime": "2024-05-01T10:00:00Z", "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
      {"type": "Progressing", "status": "True", "lastUpdateTime": "2024-05-01T10:01:00Z", "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"nginx-7c5ddbdf54\" has successfully progressed."}
    ]
  }
}`

const recreate = `{
  "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "db"},
  "spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["db"]}]},
    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres", "resources": {}}]}},
    "strategy": {"type": "Recreate"}},
  "status": {}
}`

const replicaSet = `{
  "apiVersion": "apps/v1", "kind": "ReplicaSet",
  "metadata": {"name": "nginx-7c5ddbdf54", "namespace": "default", "labels": {"app": "nginx", "pod-template-hash": "7c5ddbdf54"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx", "uid": "u1", "controller": true, "blockOwnerDeletion": true}]},
  "spec": {"replicas": 0, "minReadySeconds": 5, "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": "7c5ddbdf54"}},
    "template": {"metadata": {"labels": {"app": "nginx", "pod-template-hash": "7c5ddbdf54"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}},
  "status": {"replicas": 0, "observedGeneration": 4,
    "conditions": [{"type": "ReplicaFailure", "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "FailedCreate"}]}
}`

const daemonSet = `{
  "apiVersion": "apps/v1", "kind": "DaemonSet",
  "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
  "spec": {
    "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
    "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
      "spec": {"hostNetwork": true, "containers": [{"name": "kube-proxy", "image": "kube-proxy", "resources": {}}], "tolerations": [{"operator": "Exists"}]}},
    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%", "maxSurge": 0}},
    "minReadySeconds": 1,
    "revisionHistoryLimit": 10
  },
  "status": {"currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3, "numberReady": 2,
    "observedGeneration": 1, "updatedNumberScheduled": 3, "numberAvailable": 2, "numberUnavailable": 1}
}`

const onDelete = `{
  "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
  "spec": {"selector": {"matchLabels": {"app": "agent"}},
    "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "agent", "image": "agent", "resources": {}}]}},
    "updateStrategy": {"type": "OnDelete"}},
  "status": {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0}
}`

const revision = `{
  "apiVersion": "apps/v1", "kind": "ControllerRevision",
  "metadata": {"name": "kube-proxy-5d8f7c9b6", "namespace": "kube-system", "labels": {"controller-revision-hash": "5d8f7c9b6"}},
  "data": {"spec": {"template": {"$patch": "replace", "spec": {"containers": [{"name": "kube-proxy", "image": "kube-proxy:v2"}]}}}},
  "revision": 2
}`

const deploymentList = `{
  "apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {"resourceVersion": "99"},
  "items": [` + recreate + `]
}`

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		run  func(*testing.T)
	}{
		{"deployment", func(t *testing.T) { coretest.RoundTrip[apps.Deployment](t, deployment, "") }},
		{"recreate", func(t *testing.T) { coretest.RoundTrip[apps.Deployment](t, recreate, "") }},
		{"deployment list", func(t *testing.T) { coretest.RoundTrip[apps.DeploymentList](t, deploymentList, "") }},
		{"replicaset", func(t *testing.T) { coretest.RoundTrip[apps.ReplicaSet](t, replicaSet, "") }},
		{"daemonset", func(t *testing.T) { coretest.RoundTrip[apps.DaemonSet](t, daemonSet, "") }},
		{"daemonset on delete", func(t *testing.T) { coretest.RoundTrip[apps.DaemonSet](t, onDelete, "") }},
		{"controller revision", func(t *testing.T) { coretest.RoundTrip[apps.ControllerRevision](t, revision, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestRollingUpdateValues(t *testing.T) {
	d := coretest.RoundTrip[apps.Deployment](t, deployment, "")
	ru := d.Spec.Strategy.RollingUpdate
	if ru == nil || ru.MaxSurge == nil || ru.MaxUnavailable == nil {
		t.Fatalf("rollingUpdate = %+v, want both bounds", ru)
	}
	if *ru.MaxSurge != intstr.FromString("25%") || *ru.MaxUnavailable != intstr.FromInt32(1) {
		t.Errorf("rollingUpdate = %v/%v, want 25%%/1", *ru.MaxSurge, *ru.MaxUnavailable)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
		t.Errorf("replicas = %v, want 3", d.Spec.Replicas)
	}
	rs := coretest.RoundTrip[apps.ReplicaSet](t, replicaSet, "")
	if rs.Spec.Replicas == nil || *rs.Spec.Replicas != 0 {
		t.Errorf("replicas = %v, want an explicit 0", rs.Spec.Replicas)
	}
}

func TestZeroValues(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"deployment", apps.Deployment{}, `{"spec":{"selector":null,"template":{"spec":{"containers":null}},"strategy":{}},"status":{}}`},
		{"deployment spec", apps.DeploymentSpec{}, `{"selector":null,"template":{"spec":{"containers":null}},"strategy":{}}`},
		{"replicaset", apps.ReplicaSet{}, `{"spec":{"selector":null,"template":{"spec":{"containers":null}}},"status":{"replicas":0}}`},
		{"replicaset status", apps.ReplicaSetStatus{}, `{"replicas":0}`},
		{"daemonset", apps.DaemonSet{}, `{"spec":{"selector":null,"template":{"spec":{"containers":null}},"updateStrategy":{}},"status":{"currentNumberScheduled":0,"numberMisscheduled":0,"desiredNumberScheduled":0,"numberReady":0}}`},
		{"daemonset status", apps.DaemonSetStatus{}, `{"currentNumberScheduled":0,"numberMisscheduled":0,"desiredNumberScheduled":0,"numberReady":0}`},
		{"controller revision", apps.ControllerRevision{}, `{"revision":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { coretest.MarshalEqual(t, tt.v, tt.want) })
	}
}

func TestPatchTags(t *testing.T) {
	tests := []struct {
		typ      any
		field    string
		strategy string
		mergeKey string
	}{
		{apps.DeploymentSpec{}, "Strategy", "retainKeys", ""},
		{apps.DeploymentStatus{}, "Conditions", "merge", "type"},
		{apps.ReplicaSetStatus{}, "Conditions", "merge", "type"},
		{apps.DaemonSetStatus{}, "Conditions", "merge", "type"},
		{apps.DaemonSetSpec{}, "UpdateStrategy", "", ""},
	}
	for _, tt := range tests {
		tag := coretest.Tag(t, tt.typ, tt.field)
		if got := tag.Get("patchStrategy"); got != tt.strategy {
			t.Errorf("%T.%s patchStrategy = %q, want %q", tt.typ, tt.field, got, tt.strategy)
		}
		if got := tag.Get("patchMergeKey"); got != tt.mergeKey {
			t.Errorf("%T.%s patchMergeKey = %q, want %q", tt.typ, tt.field, got, tt.mergeKey)
		}
	}
}
