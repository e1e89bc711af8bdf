package core_test

import (
	"os"
	"path/filepath"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/core/coretest"
)

// roundTrip runs coretest.RoundTrip for the type T; the table below maps each
// testdata file to the kind it holds.
func roundTrip[T any](t *testing.T, doc string) { coretest.RoundTrip[T](t, doc, "") }

// TestRoundTrip decodes upstream-shaped documents (as kubectl posts them and as the
// upstream API server returns them) and checks that encoding gives the same document
// back. The documents hold what upstream's Go types write when they re-encode them
// ("resources": {}, "status": {} and so on), minus the null timestamps Seven omits.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		file string
		run  func(*testing.T, string)
	}{
		{"pod-apply.json", roundTrip[core.Pod]},
		{"pod-server.json", roundTrip[core.Pod]},
		{"podlist.json", roundTrip[core.PodList]},
		{"service-nodeport.json", roundTrip[core.Service]},
		{"node.json", roundTrip[core.Node]},
		{"endpoints.json", roundTrip[core.Endpoints]},
		{"rc.json", roundTrip[core.ReplicationController]},
		{"event.json", roundTrip[core.Event]},
		{"configmap.json", roundTrip[core.ConfigMap]},
		{"secret.json", roundTrip[core.Secret]},
		{"namespace.json", roundTrip[core.Namespace]},
		{"serviceaccount.json", roundTrip[core.ServiceAccount]},
		{"limitrange.json", roundTrip[core.LimitRange]},
		{"resourcequota.json", roundTrip[core.ResourceQuota]},
		{"binding.json", roundTrip[core.Binding]},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			tt.run(t, string(doc))
		})
	}
}

// TestDecodedValues spot-checks that round-tripped documents land in the right fields.
func TestDecodedValues(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "pod-apply.json"))
	if err != nil {
		t.Fatal(err)
	}
	pod := coretest.RoundTrip[core.Pod](t, string(doc), "")
	c := pod.Spec.Containers[0]
	if got := c.Resources.Limits[core.ResourceMemory]; got.String() != "256Mi" {
		t.Errorf("memory limit = %s, want 256Mi", got.String())
	}
	if c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Port.IntValue() != 80 {
		t.Errorf("liveness probe = %+v, want httpGet on port 80", c.LivenessProbe)
	}
	if p := c.ReadinessProbe.TCPSocket.Port; p.String() != "http" {
		t.Errorf("readiness port = %v, want the name http", p)
	}
	if pod.Spec.TerminationGracePeriodSeconds == nil || *pod.Spec.TerminationGracePeriodSeconds != 30 {
		t.Errorf("terminationGracePeriodSeconds = %v, want 30", pod.Spec.TerminationGracePeriodSeconds)
	}
	if v := pod.Spec.Volumes[0]; v.EmptyDir == nil || v.Name != "data" {
		t.Errorf("volume 0 = %+v, want the emptyDir data", v)
	}
	if pod.GetObjectMeta().Labels["tier"] != "frontend" {
		t.Error("Pod does not expose its metadata through meta.Object")
	}

	doc, err = os.ReadFile(filepath.Join("testdata", "secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	secret := coretest.RoundTrip[core.Secret](t, string(doc), "")
	if got := string(secret.Data["password"]); got != "s3cr3t" {
		t.Errorf("secret data = %q, want the base64-decoded s3cr3t", got)
	}
}

// TestNormalisation pins the one place where Seven deliberately writes less than
// upstream: nulls for unset timestamps are omitted. Struct fields that upstream
// always writes ({} when empty) are kept, as upstream keeps them.
func TestNormalisation(t *testing.T) {
	in := `{
	  "apiVersion": "v1", "kind": "Pod",
	  "metadata": {"name": "x", "creationTimestamp": null},
	  "spec": {"containers": [{"name": "c", "image": "busybox", "resources": {}}]},
	  "status": {"conditions": [{"type": "PodScheduled", "status": "False", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:00Z"}],
	             "containerStatuses": [{"name": "c", "state": {}, "lastState": {}, "ready": false, "restartCount": 0, "image": "busybox", "imageID": ""}]}
	}`
	want := `{
	  "apiVersion": "v1", "kind": "Pod",
	  "metadata": {"name": "x"},
	  "spec": {"containers": [{"name": "c", "image": "busybox", "resources": {}}]},
	  "status": {"conditions": [{"type": "PodScheduled", "status": "False", "lastTransitionTime": "2024-05-01T10:00:00Z"}],
	             "containerStatuses": [{"name": "c", "state": {}, "lastState": {}, "ready": false, "restartCount": 0, "image": "busybox", "imageID": ""}]}
	}`
	coretest.RoundTrip[core.Pod](t, in, want)
}

// TestZeroValues checks that empty objects carry no spurious fields, and that the
// fields upstream always writes (struct fields, whatever their tag, and fields
// without omitempty) are written as upstream's encoding/json writes them.
func TestZeroValues(t *testing.T) {
	one := int32(1)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"pod", core.Pod{}, `{"spec":{"containers":null},"status":{}}`},
		{"pod with name", core.Pod{ObjectMeta: metaName("x")}, `{"metadata":{"name":"x"},"spec":{"containers":null},"status":{}}`},
		{"container", core.Container{}, `{"name":"","resources":{}}`},
		{"container port", core.ContainerPort{}, `{"containerPort":0}`},
		{"service", core.Service{}, `{"spec":{},"status":{"loadBalancer":{}}}`},
		{"service port", core.ServicePort{Port: 80}, `{"port":80,"targetPort":0}`},
		{"node", core.Node{}, `{"spec":{},"status":{"daemonEndpoints":{"kubeletEndpoint":{"Port":0}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}`},
		{"node status", core.NodeStatus{DaemonEndpoints: core.NodeDaemonEndpoints{KubeletEndpoint: core.DaemonEndpoint{Port: 10250}}},
			`{"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}`},
		{"namespace", core.Namespace{}, `{"spec":{},"status":{}}`},
		{"endpoints", core.Endpoints{}, `{}`},
		{"configmap", core.ConfigMap{}, `{}`},
		{"secret", core.Secret{}, `{}`},
		{"event", core.Event{}, `{"involvedObject":{},"source":{},"reportingComponent":"","reportingInstance":""}`},
		{"binding", core.Binding{}, `{"target":{}}`},
		{"rc", core.ReplicationController{Spec: core.ReplicationControllerSpec{Replicas: &one}}, `{"spec":{"replicas":1},"status":{"replicas":0}}`},
		{"rc status", core.ReplicationControllerStatus{}, `{"replicas":0}`},
		{"rc spec without template", core.ReplicationControllerSpec{}, `{}`},
		{"pod template", core.PodTemplate{}, `{"template":{"spec":{"containers":null}}}`},
		{"resource field selector", core.ResourceFieldSelector{Resource: "limits.cpu"}, `{"resource":"limits.cpu","divisor":"0"}`},
		{"limit range", core.LimitRange{}, `{"spec":{"limits":null}}`},
		{"pod list", core.PodList{Items: []core.Pod{}}, `{"metadata":{},"items":[]}`},
		{"emptyDir volume", core.Volume{Name: "v", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}}, `{"name":"v","emptyDir":{}}`},
		{"projected volume", core.ProjectedVolumeSource{}, `{"sources":null}`},
		{"container status", core.ContainerStatus{}, `{"name":"","state":{},"lastState":{},"ready":false,"restartCount":0,"image":"","imageID":""}`},
		{"running state", core.ContainerState{Running: &core.ContainerStateRunning{}}, `{"running":{}}`},
		{"terminated state", core.ContainerStateTerminated{}, `{"exitCode":0}`},
		{"grpc action", core.GRPCAction{Port: 9000}, `{"port":9000,"service":null}`},
		{"http get", core.HTTPGetAction{}, `{"port":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { coretest.MarshalEqual(t, tt.v, tt.want) })
	}
}
