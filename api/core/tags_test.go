package core_test

import (
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/core/coretest"
)

// TestPatchTags pins the strategic-merge-patch tags the patch engine reads; they
// must match upstream's, list by list.
func TestPatchTags(t *testing.T) {
	tests := []struct {
		typ      any
		field    string
		json     string
		strategy string
		mergeKey string
	}{
		{core.PodSpec{}, "Volumes", "volumes,omitempty", "merge,retainKeys", "name"},
		{core.PodSpec{}, "InitContainers", "initContainers,omitempty", "merge", "name"},
		{core.PodSpec{}, "Containers", "containers", "merge", "name"},
		{core.PodSpec{}, "EphemeralContainers", "ephemeralContainers,omitempty", "merge", "name"},
		{core.PodSpec{}, "ImagePullSecrets", "imagePullSecrets,omitempty", "merge", "name"},
		{core.PodSpec{}, "HostAliases", "hostAliases,omitempty", "merge", "ip"},
		{core.PodSpec{}, "TopologySpreadConstraints", "topologySpreadConstraints,omitempty", "merge", "topologyKey"},
		{core.PodSpec{}, "SchedulingGates", "schedulingGates,omitempty", "merge", "name"},
		{core.PodSpec{}, "Tolerations", "tolerations,omitempty", "", ""},
		{core.PodSpec{}, "ReadinessGates", "readinessGates,omitempty", "", ""},
		{core.Container{}, "Ports", "ports,omitempty", "merge", "containerPort"},
		{core.Container{}, "Env", "env,omitempty", "merge", "name"},
		{core.Container{}, "EnvFrom", "envFrom,omitempty", "", ""},
		{core.Container{}, "VolumeMounts", "volumeMounts,omitempty", "merge", "mountPath"},
		{core.Container{}, "VolumeDevices", "volumeDevices,omitempty", "merge", "devicePath"},
		{core.Container{}, "Name", "name", "", ""},
		{core.PodStatus{}, "Conditions", "conditions,omitempty", "merge", "type"},
		{core.PodStatus{}, "PodIPs", "podIPs,omitempty", "merge", "ip"},
		{core.PodStatus{}, "HostIPs", "hostIPs,omitempty", "merge", "ip"},
		{core.ContainerStatus{}, "VolumeMounts", "volumeMounts,omitempty", "merge", "mountPath"},
		{core.NodeSpec{}, "PodCIDRs", "podCIDRs,omitempty", "merge", ""},
		{core.NodeSpec{}, "Taints", "taints,omitempty", "", ""},
		{core.NodeStatus{}, "Conditions", "conditions,omitempty", "merge", "type"},
		{core.NodeStatus{}, "Addresses", "addresses,omitempty", "merge", "type"},
		{core.ServiceSpec{}, "Ports", "ports,omitempty", "merge", "port"},
		{core.ServicePort{}, "Port", "port", "", ""},
		{core.NamespaceStatus{}, "Conditions", "conditions,omitempty", "merge", "type"},
		{core.ReplicationControllerStatus{}, "Conditions", "conditions,omitempty", "merge", "type"},
		{core.ServiceAccount{}, "Secrets", "secrets,omitempty", "merge", "name"},
		{core.ServiceAccount{}, "ImagePullSecrets", "imagePullSecrets,omitempty", "", ""},
		{core.Endpoints{}, "Subsets", "subsets,omitempty", "", ""},
		{core.Volume{}, "VolumeSource", ",inline", "", ""},
		{core.Probe{}, "ProbeHandler", ",inline", "", ""},
	}
	for _, tt := range tests {
		tag := coretest.Tag(t, tt.typ, tt.field)
		if got := tag.Get("json"); got != tt.json {
			t.Errorf("%T.%s json tag = %q, want %q", tt.typ, tt.field, got, tt.json)
		}
		if got := tag.Get("patchStrategy"); got != tt.strategy {
			t.Errorf("%T.%s patchStrategy = %q, want %q", tt.typ, tt.field, got, tt.strategy)
		}
		if got := tag.Get("patchMergeKey"); got != tt.mergeKey {
			t.Errorf("%T.%s patchMergeKey = %q, want %q", tt.typ, tt.field, got, tt.mergeKey)
		}
	}
}
