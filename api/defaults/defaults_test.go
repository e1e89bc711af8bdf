package defaults

import (
	"encoding/json"
	"reflect"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

func TestImageTag(t *testing.T) {
	for image, want := range map[string]string{
		"nginx":                                  "latest",
		"nginx:latest":                           "latest",
		"docker.io/nginx:latest":                 "latest",
		"nginx:1.25":                             "1.25",
		"kubeguide/tomcat-app:v1":                "v1",
		"localhost:5000/pause":                   "latest",
		"192.168.131.134:5000/google_containers": "latest",
		"192.168.131.134:5000/pause:3.1":         "3.1",
		"nginx@sha256:" + sha:                    "",
		"nginx:latest@sha256:" + sha:             "latest",
		"Nginx":                                  "",
		"":                                       "",
		"nginx:-bad":                             "",
		"a__b/c--d.e_f":                          "latest",
		"nginx@sha256:abc":                       "",
	} {
		if got := imageTag(image); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", image, got, want)
		}
	}
}

const sha = "4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"

func TestPullPolicy(t *testing.T) {
	for image, want := range map[string]core.PullPolicy{
		"nginx":                  core.PullAlways,
		"nginx:latest":           core.PullAlways,
		"nginx:1.25":             core.PullIfNotPresent,
		"nginx@sha256:" + sha:    core.PullIfNotPresent,
		"kubeguide/redis-master": core.PullAlways,
	} {
		c := core.Container{Image: image}
		Container(&c)
		if c.ImagePullPolicy != want {
			t.Errorf("%q: imagePullPolicy %q, want %q", image, c.ImagePullPolicy, want)
		}
	}
}

// TestPodJSON compares a defaulted pod with what upstream stores for the
// nginx pod of the seeds (less what admission plugins add).
func TestPodJSON(t *testing.T) {
	pod := &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: "nginx-2"},
		Spec: core.PodSpec{
			RestartPolicy: core.RestartPolicyNever,
			Containers: []core.Container{{
				Name: "nginx", Image: "docker.io/nginx:latest",
				Resources: core.ResourceRequirements{Limits: core.ResourceList{"cpu": resource.MustParse("500m")}},
				Ports:     []core.ContainerPort{{ContainerPort: 80}},
				Env:       []core.EnvVar{{Name: "POD_IP", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "status.podIP"}}}},
				LivenessProbe: &core.Probe{ProbeHandler: core.ProbeHandler{
					HTTPGet: &core.HTTPGetAction{Port: intstr.FromInt32(80)}}},
			}},
			Volumes: []core.Volume{{Name: "scratch"}, {Name: "cfg", VolumeSource: core.VolumeSource{
				ConfigMap: &core.ConfigMapVolumeSource{LocalObjectReference: core.LocalObjectReference{Name: "cfg"}}}}},
			DeprecatedServiceAccount: "robot",
		},
	}
	Default(pod)
	assertJSON(t, pod.Spec, `{
		"volumes": [{"name": "scratch", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}}],
		"containers": [{
			"name": "nginx", "image": "docker.io/nginx:latest",
			"ports": [{"containerPort": 80, "protocol": "TCP"}],
			"env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
			"resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "500m"}},
			"livenessProbe": {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
				"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
			"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
			"imagePullPolicy": "Always"
		}],
		"restartPolicy": "Never", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
		"serviceAccountName": "robot", "serviceAccount": "robot",
		"securityContext": {}, "schedulerName": "default-scheduler",
		"priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority"
	}`)
}

// TestTemplateGetsNoPodOnlyDefaults checks that controller templates get
// PodSpec defaults but not those upstream applies to pods alone.
func TestTemplateGetsNoPodOnlyDefaults(t *testing.T) {
	rc := &core.ReplicationController{Spec: core.ReplicationControllerSpec{Template: &core.PodTemplateSpec{
		ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"name": "web"}},
		Spec: core.PodSpec{Containers: []core.Container{{Name: "web", Image: "nginx:1",
			Resources: core.ResourceRequirements{Limits: core.ResourceList{"memory": resource.MustParse("128Mi")}}}}},
	}}}
	Default(rc)
	spec := rc.Spec.Template.Spec
	if spec.EnableServiceLinks != nil || spec.Priority != nil || spec.PreemptionPolicy != nil {
		t.Errorf("template got pod-only defaults: %+v", spec)
	}
	if spec.Containers[0].Resources.Requests != nil {
		t.Errorf("template requests defaulted from limits: %v", spec.Containers[0].Resources.Requests)
	}
	if spec.RestartPolicy != core.RestartPolicyAlways || spec.Containers[0].ImagePullPolicy != core.PullIfNotPresent {
		t.Errorf("template not defaulted: %+v", spec)
	}
	if *rc.Spec.Replicas != 1 || !reflect.DeepEqual(rc.Spec.Selector, map[string]string{"name": "web"}) ||
		!reflect.DeepEqual(rc.Labels, map[string]string{"name": "web"}) {
		t.Errorf("rc replicas/selector/labels = %v/%v/%v", *rc.Spec.Replicas, rc.Spec.Selector, rc.Labels)
	}
	// The selector is a copy: adding a template label must not change it.
	rc.Spec.Template.Labels["extra"] = "x"
	if len(rc.Spec.Selector) != 1 {
		t.Error("selector shares storage with template labels")
	}
}

func TestServiceDefaults(t *testing.T) {
	tests := []struct {
		name string
		spec core.ServiceSpec
		want string
	}{{
		name: "cluster IP",
		spec: core.ServiceSpec{Ports: []core.ServicePort{{Port: 6379}}, Selector: map[string]string{"name": "redis"}},
		want: `{"ports":[{"protocol":"TCP","port":6379,"targetPort":6379}],"selector":{"name":"redis"},"type":"ClusterIP",
			"sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"}`,
	}, {
		name: "node port",
		spec: core.ServiceSpec{Type: core.ServiceTypeNodePort, Ports: []core.ServicePort{{Port: 80, NodePort: 30001}}},
		want: `{"ports":[{"protocol":"TCP","port":80,"targetPort":80,"nodePort":30001}],"type":"NodePort",
			"sessionAffinity":"None","externalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
			"internalTrafficPolicy":"Cluster"}`,
	}, {
		name: "load balancer with client IP affinity",
		spec: core.ServiceSpec{Type: core.ServiceTypeLoadBalancer, SessionAffinity: core.ServiceAffinityClientIP,
			Ports: []core.ServicePort{{Port: 443, TargetPort: intstr.FromString("https")}}},
		want: `{"ports":[{"protocol":"TCP","port":443,"targetPort":"https"}],"type":"LoadBalancer",
			"sessionAffinity":"ClientIP","externalTrafficPolicy":"Cluster",
			"sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10800}},"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
			"allocateLoadBalancerNodePorts":true,"internalTrafficPolicy":"Cluster"}`,
	}, {
		name: "headless without selector",
		spec: core.ServiceSpec{ClusterIP: "None"},
		want: `{"clusterIP":"None","clusterIPs":["None"],"type":"ClusterIP","sessionAffinity":"None",
			"ipFamilies":["IPv4"],"ipFamilyPolicy":"RequireDualStack","internalTrafficPolicy":"Cluster"}`,
	}, {
		name: "requested IPv6 cluster IP",
		spec: core.ServiceSpec{ClusterIP: "fd00::10", Ports: []core.ServicePort{{Port: 53, Protocol: core.ProtocolUDP}}},
		want: `{"ports":[{"protocol":"UDP","port":53,"targetPort":53}],"clusterIP":"fd00::10","clusterIPs":["fd00::10"],
			"type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv6"],"ipFamilyPolicy":"SingleStack",
			"internalTrafficPolicy":"Cluster"}`,
	}, {
		name: "external name",
		spec: core.ServiceSpec{Type: core.ServiceTypeExternalName, ExternalName: "db.example.com"},
		want: `{"type":"ExternalName","sessionAffinity":"None","externalName":"db.example.com"}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &core.Service{Spec: tt.spec}
			Default(svc)
			assertJSON(t, svc.Spec, tt.want)
		})
	}
}

func TestWorkloadDefaults(t *testing.T) {
	d := &apps.Deployment{}
	Default(d)
	assertJSON(t, d.Spec, `{"replicas":1,"selector":null,"template":{"spec":{"containers":null,"restartPolicy":"Always",
		"terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},
		"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
		"revisionHistoryLimit":10,"progressDeadlineSeconds":600}`)

	ds := &apps.DaemonSet{}
	Default(ds)
	assertJSON(t, ds.Spec.UpdateStrategy, `{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}}`)

	rs := &apps.ReplicaSet{}
	Default(rs)
	if *rs.Spec.Replicas != 1 {
		t.Errorf("replica set replicas %d", *rs.Spec.Replicas)
	}
}

func TestJobDefaults(t *testing.T) {
	tests := []struct {
		name string
		spec batch.JobSpec
		want string
	}{{
		name: "nothing set",
		want: `{"parallelism":1,"completions":1,"backoffLimit":6,"manualSelector":false,"completionMode":"NonIndexed",
			"suspend":false,"podReplacementPolicy":"TerminatingOrFailed"}`,
	}, {
		name: "only parallelism",
		spec: batch.JobSpec{Parallelism: new(int32(3))},
		want: `{"parallelism":3,"backoffLimit":6,"manualSelector":false,"completionMode":"NonIndexed",
			"suspend":false,"podReplacementPolicy":"TerminatingOrFailed"}`,
	}, {
		name: "per-index backoff and failure policy",
		spec: batch.JobSpec{Completions: new(int32(4)), BackoffLimitPerIndex: new(int32(1)),
			PodFailurePolicy: &batch.PodFailurePolicy{Rules: []batch.PodFailurePolicyRule{{Action: batch.PodFailurePolicyActionIgnore,
				OnPodConditions: []batch.PodFailurePolicyOnPodConditionsPattern{{Type: core.DisruptionTarget}}}}}},
		want: `{"parallelism":1,"completions":4,"podFailurePolicy":{"rules":[{"action":"Ignore",
			"onPodConditions":[{"type":"DisruptionTarget","status":"True"}]}]},"backoffLimit":2147483647,
			"backoffLimitPerIndex":1,"manualSelector":false,"completionMode":"NonIndexed","suspend":false,
			"podReplacementPolicy":"Failed"}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &batch.Job{Spec: tt.spec}
			Default(job)
			job.Spec.Template = core.PodTemplateSpec{}
			assertJSON(t, job.Spec, `{"template":{"spec":{"containers":null}}}`, tt.want)
		})
	}
}

func TestGenerateJobSelector(t *testing.T) {
	job := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "pi", UID: "u-1"}}
	job.Spec.Template.Labels = map[string]string{"app": "pi", "job-name": "mine"}
	GenerateJobSelector(job)
	want := map[string]string{"app": "pi", "job-name": "mine", "batch.kubernetes.io/job-name": "pi",
		"controller-uid": "u-1", "batch.kubernetes.io/controller-uid": "u-1"}
	if !reflect.DeepEqual(job.Spec.Template.Labels, want) {
		t.Errorf("template labels %v, want %v", job.Spec.Template.Labels, want)
	}
	if !reflect.DeepEqual(job.Spec.Selector.MatchLabels, map[string]string{"batch.kubernetes.io/controller-uid": "u-1"}) {
		t.Errorf("selector %v", job.Spec.Selector)
	}

	manual := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "pi", UID: "u-1"}, Spec: batch.JobSpec{ManualSelector: new(true)}}
	GenerateJobSelector(manual)
	if manual.Spec.Selector != nil || manual.Spec.Template.Labels != nil {
		t.Errorf("manual selector job was changed: %+v", manual.Spec)
	}
}

func TestClusterDefaults(t *testing.T) {
	ns := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "dev"}}
	Default(ns)
	if ns.Labels[core.LabelMetadataName] != "dev" || ns.Status.Phase != core.NamespaceActive {
		t.Errorf("namespace %+v", ns)
	}
	s := &core.Secret{}
	Default(s)
	if s.Type != core.SecretTypeOpaque {
		t.Errorf("secret type %q", s.Type)
	}
	node := &core.Node{Status: core.NodeStatus{Capacity: core.ResourceList{"cpu": resource.MustParse("2")}}}
	Default(node)
	if q := node.Status.Allocatable["cpu"]; q.Cmp(resource.MustParse("2")) != 0 {
		t.Errorf("allocatable %v", node.Status.Allocatable)
	}
	ep := &core.Endpoints{Subsets: []core.EndpointSubset{{Ports: []core.EndpointPort{{Port: 80}}}}}
	Default(ep)
	if ep.Subsets[0].Ports[0].Protocol != core.ProtocolTCP {
		t.Errorf("endpoint protocol %q", ep.Subsets[0].Ports[0].Protocol)
	}
	lr := &core.LimitRange{Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{{
		Type: core.LimitTypeContainer,
		Max:  core.ResourceList{"cpu": resource.MustParse("2")},
		Min:  core.ResourceList{"memory": resource.MustParse("64Mi")},
	}}}}
	Default(lr)
	assertJSON(t, lr.Spec, `{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"64Mi"},
		"default":{"cpu":"2"},"defaultRequest":{"cpu":"2","memory":"64Mi"}}]}`)
}

// TestDefaultIsIdempotent checks that defaulting twice changes nothing.
func TestDefaultIsIdempotent(t *testing.T) {
	objs := []meta.Object{
		&core.Pod{Spec: core.PodSpec{Containers: []core.Container{{Name: "a", Image: "a"}}, HostNetwork: true}},
		&core.Service{Spec: core.ServiceSpec{Type: core.ServiceTypeLoadBalancer, Ports: []core.ServicePort{{Port: 1}}}},
		&batch.Job{}, &apps.Deployment{}, &apps.DaemonSet{},
	}
	for _, o := range objs {
		Default(o)
		first, _ := json.Marshal(o)
		Default(o)
		second, _ := json.Marshal(o)
		if string(first) != string(second) {
			t.Errorf("%T changed on second defaulting:\n%s\n%s", o, first, second)
		}
	}
}

// assertJSON compares v, encoded, with the union of the wanted JSON
// objects.
func assertJSON(t *testing.T, v any, wants ...string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{}
	for _, w := range wants {
		if err := json.Unmarshal([]byte(w), &want); err != nil {
			t.Fatalf("bad want %s: %v", w, err)
		}
	}
	var g map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, want) {
		w, _ := json.Marshal(want)
		t.Errorf("got  %s\nwant %s", got, w)
	}
}
