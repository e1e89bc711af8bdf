package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

// The upstream kubectl's generators (create deployment, create job, create secret,
// run, expose...) go through typed clients that send protobuf bodies; each must
// be accepted and the object must read back as kubectl built it.
func TestUpstreamKubectlProtobufBodies(t *testing.T) {
	bin := upstreamKubectlOrSkip(t)
	s := startAPIServer(t)
	k := newKubectl(t, bin, s.URL)

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "--port=80"}, "deployment.apps/web created"},
		{[]string{"create", "job", "j1", "--image=busybox", "--", "echo", "hi"}, "job.batch/j1 created"},
		{[]string{"create", "secret", "generic", "s1", "--from-literal=password=s3cret"}, "secret/s1 created"},
		{[]string{"create", "configmap", "c1", "--from-literal=a=b"}, "configmap/c1 created"},
		{[]string{"create", "namespace", "team-a"}, "namespace/team-a created"},
		{[]string{"create", "service", "nodeport", "ns1", "--tcp=80:8080", "--node-port=30080"}, "service/ns1 created"},
		{[]string{"create", "service", "clusterip", "cip", "--tcp=8443:https"}, "service/cip created"},
		{[]string{"run", "nginx-pod", "--image=nginx", "--labels=app=nginx", "--env=MODE=prod"}, "pod/nginx-pod created"},
		{[]string{"expose", "deployment", "web", "--port=80", "--target-port=8080"}, "service/web exposed"},
		{[]string{"create", "quota", "q", "--hard=pods=10,requests.cpu=500m"}, "resourcequota/q created"},
		{[]string{"create", "serviceaccount", "sa1"}, "serviceaccount/sa1 created"},
		{[]string{"create", "deployment", "team-web", "-n", "team-a", "--image=nginx"}, "deployment.apps/team-web created"},
	} {
		out := k.must(tt.args...)
		contains(t, strings.Join(tt.args, " "), out, tt.want)
	}

	var d apps.Deployment
	getJSON(t, k, &d, "deployment", "web")
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("deployment replicas = %v, want 2", d.Spec.Replicas)
	}
	if got := d.Spec.Selector.MatchLabels; !reflect.DeepEqual(got, map[string]string{"app": "web"}) {
		t.Errorf("deployment selector = %v", got)
	}
	c := d.Spec.Template.Spec.Containers
	if len(c) != 1 || c[0].Image != "nginx:1.25" || len(c[0].Ports) != 1 || c[0].Ports[0].ContainerPort != 80 {
		t.Errorf("deployment containers = %+v", c)
	}

	var j batch.Job
	getJSON(t, k, &j, "job", "j1")
	c = j.Spec.Template.Spec.Containers
	if len(c) != 1 || c[0].Image != "busybox" || !reflect.DeepEqual(c[0].Command, []string{"echo", "hi"}) {
		t.Errorf("job containers = %+v", c)
	}
	if j.Spec.Template.Spec.RestartPolicy != core.RestartPolicyNever {
		t.Errorf("job restartPolicy = %q", j.Spec.Template.Spec.RestartPolicy)
	}

	var raw map[string]any
	getJSON(t, k, &raw, "secret", "s1")
	if got := raw["data"]; !reflect.DeepEqual(got, map[string]any{"password": "czNjcmV0"}) {
		t.Errorf("secret data = %v, want password: base64(s3cret)", got)
	}
	if raw["type"] != "Opaque" {
		t.Errorf("secret type = %v", raw["type"])
	}

	var cm core.ConfigMap
	getJSON(t, k, &cm, "configmap", "c1")
	if !reflect.DeepEqual(cm.Data, map[string]string{"a": "b"}) {
		t.Errorf("configmap data = %v", cm.Data)
	}

	var ns core.Namespace
	getJSON(t, k, &ns, "namespace", "team-a")
	if ns.Status.Phase != core.NamespaceActive {
		t.Errorf("namespace phase = %q", ns.Status.Phase)
	}

	var svc core.Service
	getJSON(t, k, &svc, "service", "ns1")
	want := core.ServicePort{Name: "80-8080", Protocol: core.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080}
	if svc.Spec.Type != core.ServiceTypeNodePort || len(svc.Spec.Ports) != 1 || !reflect.DeepEqual(svc.Spec.Ports[0], want) {
		t.Errorf("nodeport service spec = %+v", svc.Spec)
	}
	var cip core.Service
	getJSON(t, k, &cip, "service", "cip")
	if len(cip.Spec.Ports) != 1 || cip.Spec.Ports[0].TargetPort != intstr.FromString("https") {
		t.Errorf("clusterip service ports = %+v, want targetPort https", cip.Spec.Ports)
	}
	var exposed core.Service
	getJSON(t, k, &exposed, "service", "web")
	if len(exposed.Spec.Ports) != 1 || exposed.Spec.Ports[0].Port != 80 || exposed.Spec.Ports[0].TargetPort != intstr.FromInt32(8080) ||
		!reflect.DeepEqual(exposed.Spec.Selector, map[string]string{"app": "web"}) {
		t.Errorf("exposed service spec = %+v", exposed.Spec)
	}

	var pod core.Pod
	getJSON(t, k, &pod, "pod", "nginx-pod")
	c = pod.Spec.Containers
	if len(c) != 1 || c[0].Image != "nginx" || !reflect.DeepEqual(c[0].Env, []core.EnvVar{{Name: "MODE", Value: "prod"}}) ||
		pod.Labels["app"] != "nginx" {
		t.Errorf("run pod = labels %v, containers %+v", pod.Labels, c)
	}

	var q core.ResourceQuota
	getJSON(t, k, &q, "quota", "q")
	if pods, cpu := q.Spec.Hard["pods"], q.Spec.Hard["requests.cpu"]; pods.String() != "10" || cpu.String() != "500m" {
		t.Errorf("quota hard = %v", q.Spec.Hard)
	}

	var sa core.ServiceAccount
	getJSON(t, k, &sa, "serviceaccount", "sa1")
	if sa.Name != "sa1" || sa.Namespace != "default" {
		t.Errorf("serviceaccount = %s/%s", sa.Namespace, sa.Name)
	}
	var teamWeb apps.Deployment
	getJSON(t, k, &teamWeb, "deployment", "team-web", "-n", "team-a")
	if teamWeb.Namespace != "team-a" {
		t.Errorf("deployment namespace = %q", teamWeb.Namespace)
	}

	// Creating an existing object fails the way upstream's does.
	out, err := k.run("create", "configmap", "c1", "--from-literal=a=b")
	if err == nil || !strings.Contains(out, `configmaps "c1" already exists`) {
		t.Errorf("second create configmap: %v %s", err, out)
	}
}

// getJSON reads an object with kubectl get -o json into v.
func getJSON(t *testing.T, k *kubectl, v any, args ...string) {
	t.Helper()
	out := k.must(append(append([]string{"get"}, args...), "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("get %s -o json: %v\n%s", strings.Join(args, " "), err, out)
	}
}
