package validation

import (
	"slices"
	"strings"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/defaults"
	"seven.dev/api/field"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// Upstream's format messages, spelled out once.
const (
	subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	labelMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	dns1035Msg   = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)

func objectMeta(name string) meta.ObjectMeta {
	return meta.ObjectMeta{Name: name, Namespace: "default"}
}

func podSpec() core.PodSpec {
	return core.PodSpec{Containers: []core.Container{{Name: "nginx", Image: "nginx", Ports: []core.ContainerPort{{ContainerPort: 80}}}}}
}

func pod(mut func(*core.Pod)) *core.Pod {
	p := &core.Pod{ObjectMeta: objectMeta("web"), Spec: podSpec()}
	if mut != nil {
		mut(p)
	}
	return p
}

func rc(mut func(*core.ReplicationController)) *core.ReplicationController {
	spec := podSpec()
	r := &core.ReplicationController{
		ObjectMeta: objectMeta("frontend"),
		Spec: core.ReplicationControllerSpec{
			Replicas: new(int32(3)),
			Selector: map[string]string{"name": "frontend"},
			Template: &core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"name": "frontend"}}, Spec: spec},
		},
	}
	if mut != nil {
		mut(r)
	}
	return r
}

func service(mut func(*core.Service)) *core.Service {
	s := &core.Service{ObjectMeta: objectMeta("frontend"), Spec: core.ServiceSpec{
		Ports: []core.ServicePort{{Port: 80}}, Selector: map[string]string{"name": "frontend"}}}
	if mut != nil {
		mut(s)
	}
	return s
}

func deployment(mut func(*apps.Deployment)) *apps.Deployment {
	d := &apps.Deployment{ObjectMeta: objectMeta("web"), Spec: apps.DeploymentSpec{
		Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: podSpec()},
	}}
	if mut != nil {
		mut(d)
	}
	return d
}

func job(mut func(*batch.Job)) *batch.Job {
	j := &batch.Job{ObjectMeta: objectMeta("pi"), Spec: batch.JobSpec{Template: core.PodTemplateSpec{Spec: podSpec()}}}
	j.Spec.Template.Spec.RestartPolicy = core.RestartPolicyNever
	j.UID = "8f1e3c52-0d0b-4b59-9f43-8b9f3a1c2d7e"
	if mut != nil {
		mut(j)
	}
	return j
}

// prepare defaults obj as the API server would before validating it.
func prepare(obj meta.Object) meta.Object {
	defaults.Default(obj)
	if j, ok := obj.(*batch.Job); ok {
		defaults.GenerateJobSelector(j)
	}
	return obj
}

func messages(errs field.ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		obj  meta.Object
		want []string
	}{
		{"valid pod", pod(nil), nil},
		{"upper-case pod name", pod(func(p *core.Pod) { p.Name = "MyPod" }),
			[]string{`metadata.name: Invalid value: "MyPod": ` + subdomainMsg}},
		{"missing name", pod(func(p *core.Pod) { p.Name = "" }),
			[]string{`metadata.name: Required value: name or generateName is required`}},
		{"generateName only is fine once a name was generated", pod(func(p *core.Pod) { p.GenerateName = "web-"; p.Name = "web-x7k2p" }), nil},
		{"bad generateName", pod(func(p *core.Pod) { p.GenerateName = "Web-"; p.Name = "web-x7k2p" }),
			[]string{`metadata.generateName: Invalid value: "Web-": ` + subdomainMsg}},
		{"missing namespace", pod(func(p *core.Pod) { p.Namespace = "" }),
			[]string{`metadata.namespace: Required value`}},
		{"upper-case service name", service(func(s *core.Service) { s.Name = "MyService" }),
			[]string{`metadata.name: Invalid value: "MyService": ` + dns1035Msg}},
		{"service name starting with a digit", service(func(s *core.Service) { s.Name = "1web" }),
			[]string{`metadata.name: Invalid value: "1web": ` + dns1035Msg}},
		{"upper-case namespace", &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "Dev"}},
			[]string{`metadata.name: Invalid value: "Dev": ` + labelMsg}},
		{"namespace name with dots", &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "a.b"}},
			[]string{`metadata.name: Invalid value: "a.b": must not contain dots`}},
		{"bad label value", pod(func(p *core.Pod) { p.Labels = map[string]string{"app": "-web"} }),
			[]string{`metadata.labels: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
		{"bad label key", pod(func(p *core.Pod) { p.Labels = map[string]string{"a/b/c": "x"} }),
			[]string{`metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`}},
		{"two controller owners", pod(func(p *core.Pod) {
			p.OwnerReferences = []meta.OwnerReference{
				{APIVersion: "v1", Kind: "ReplicationController", Name: "a", UID: "1", Controller: new(true)},
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "b", UID: "2", Controller: new(true)},
			}
		}), []string{`metadata.ownerReferences: Invalid value: []meta.OwnerReference{meta.OwnerReference{APIVersion:"v1", Kind:"ReplicationController", Name:"a", UID:"1", Controller:(*bool)(`}},
		{"owner without uid", pod(func(p *core.Pod) {
			p.OwnerReferences = []meta.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n"}}
		}), []string{`metadata.ownerReferences.uid: Invalid value: "": must not be empty`}},
		{"unknown finalizer", pod(func(p *core.Pod) { p.Finalizers = []string{"cleanup"} }),
			[]string{`metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified`}},
		{"missing image", pod(func(p *core.Pod) { p.Spec.Containers[0].Image = "" }),
			[]string{`spec.containers[0].image: Required value`}},
		{"no containers", pod(func(p *core.Pod) { p.Spec.Containers = nil }),
			[]string{`spec.containers: Required value`}},
		{"duplicate container name", pod(func(p *core.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, core.Container{Name: "nginx", Image: "redis"})
		}), []string{`spec.containers[1].name: Duplicate value: "nginx"`}},
		{"upper-case container name", pod(func(p *core.Pod) { p.Spec.Containers[0].Name = "Web" }),
			[]string{`spec.containers[0].name: Invalid value: "Web": ` + labelMsg}},
		{"port out of range", pod(func(p *core.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 }),
			[]string{`spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive`}},
		{"missing container port", pod(func(p *core.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 0 }),
			[]string{`spec.containers[0].ports[0].containerPort: Required value`}},
		{"bad protocol", pod(func(p *core.Pod) { p.Spec.Containers[0].Ports[0].Protocol = "HTTP" }),
			[]string{`spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`}},
		{"bad port name", pod(func(p *core.Pod) { p.Spec.Containers[0].Ports[0].Name = "http_port" }),
			[]string{`spec.containers[0].ports[0].name: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`}},
		{"host port clash", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Ports = []core.ContainerPort{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 81, HostPort: 8080}}
		}), []string{`spec.containers[0].ports[1].hostPort: Duplicate value: "TCP//8080"`}},
		{"host network port mismatch", pod(func(p *core.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.Containers[0].Ports[0].HostPort = 8080
		}), []string{"spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"}},
		{"env name starting with a digit", pod(func(p *core.Pod) { p.Spec.Containers[0].Env = []core.EnvVar{{Name: "1FOO"}} }),
			[]string{`spec.containers[0].env[0].name: Invalid value: "1FOO": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`}},
		{"env with value and valueFrom", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Env = []core.EnvVar{{Name: "A", Value: "x", ValueFrom: &core.EnvVarSource{
				SecretKeyRef: &core.SecretKeySelector{LocalObjectReference: core.LocalObjectReference{Name: "s"}, Key: "k"}}}}
		}), []string{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"}},
		{"env valueFrom with no source", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Env = []core.EnvVar{{Name: "A", ValueFrom: &core.EnvVarSource{}}}
		}), []string{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"}},
		{"unsupported downward API field", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Env = []core.EnvVar{{Name: "A", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "status.phase"}}}}
		}), []string{`spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"`}},
		{"mount of a missing volume", pod(func(p *core.Pod) {
			p.Spec.Containers[0].VolumeMounts = []core.VolumeMount{{Name: "data", MountPath: "/data"}}
		}), []string{`spec.containers[0].volumeMounts[0].name: Not found: "data"`}},
		{"duplicate volume", pod(func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "data"}, {Name: "data"}}
		}), []string{`spec.volumes[1].name: Duplicate value: "data"`}},
		{"volume with two sources", pod(func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "data", VolumeSource: core.VolumeSource{
				EmptyDir: &core.EmptyDirVolumeSource{}, HostPath: &core.HostPathVolumeSource{Path: "/data"}}}}
		}), []string{`spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type`}},
		{"bad config map volume mode", pod(func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "cfg", VolumeSource: core.VolumeSource{
				ConfigMap: &core.ConfigMapVolumeSource{LocalObjectReference: core.LocalObjectReference{Name: "cfg"}, DefaultMode: new(int32(01000))}}}}
		}), []string{`spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive`}},
		{"requests above limits", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Resources = core.ResourceRequirements{
				Limits:   core.ResourceList{"cpu": resource.MustParse("100m")},
				Requests: core.ResourceList{"cpu": resource.MustParse("200m")},
			}
		}), []string{`spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m`}},
		{"negative memory", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Resources = core.ResourceRequirements{Limits: core.ResourceList{"memory": resource.MustParse("-1Mi")}}
		}), []string{
			`spec.containers[0].resources.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`,
			`spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`,
		}},
		{"unknown resource", pod(func(p *core.Pod) {
			p.Spec.Containers[0].Resources = core.ResourceRequirements{Requests: core.ResourceList{"gpu": resource.MustParse("1")}}
		}), []string{
			`spec.containers[0].resources.requests[gpu]: Invalid value: gpu: must be a standard resource type or fully qualified`,
			`spec.containers[0].resources.requests[gpu]: Invalid value: gpu: must be a standard resource for containers`,
		}},
		{"bad restart policy", pod(func(p *core.Pod) { p.Spec.RestartPolicy = "Sometimes" }),
			[]string{`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`}},
		{"bad dns policy", pod(func(p *core.Pod) { p.Spec.DNSPolicy = "Google" }),
			[]string{`spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`}},
		{"probe without handler", pod(func(p *core.Pod) { p.Spec.Containers[0].LivenessProbe = &core.Probe{} }),
			[]string{`spec.containers[0].livenessProbe: Required value: must specify a handler type`}},
		{"probe with two handlers", pod(func(p *core.Pod) {
			p.Spec.Containers[0].ReadinessProbe = &core.Probe{ProbeHandler: core.ProbeHandler{
				Exec: &core.ExecAction{Command: []string{"true"}}, TCPSocket: &core.TCPSocketAction{Port: intstr.FromInt32(80)}}}
		}), []string{`spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type`}},
		{"liveness probe success threshold", pod(func(p *core.Pod) {
			p.Spec.Containers[0].LivenessProbe = &core.Probe{SuccessThreshold: 2, ProbeHandler: core.ProbeHandler{
				HTTPGet: &core.HTTPGetAction{Port: intstr.FromString("http")}}}
		}), []string{`spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1`}},
		{"negative grace period", pod(func(p *core.Pod) { p.Spec.ActiveDeadlineSeconds = new(int64(0)) }),
			[]string{`spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive`}},
		{"bad node selector", pod(func(p *core.Pod) { p.Spec.NodeSelector = map[string]string{"zone": "us east"} }),
			[]string{`spec.nodeSelector: Invalid value: "us east": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
		{"toleration without key", pod(func(p *core.Pod) {
			p.Spec.Tolerations = []core.Toleration{{Operator: core.TolerationOpEqual, Value: "x"}}
		}), []string{"spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""}},
		{"toleration bad effect", pod(func(p *core.Pod) {
			p.Spec.Tolerations = []core.Toleration{{Key: "k", Operator: core.TolerationOpExists, Effect: "Evict"}}
		}), []string{`spec.tolerations[0].effect: Unsupported value: "Evict": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`}},
		{"ephemeral containers on create", pod(func(p *core.Pod) {
			p.Spec.EphemeralContainers = []core.EphemeralContainer{{Container: core.Container{Name: "debug", Image: "busybox"}}}
		}), []string{`spec.ephemeralContainers: Forbidden: cannot be set on create`}},
		{"image with whitespace", pod(func(p *core.Pod) { p.Spec.Containers[0].Image = " nginx" }),
			[]string{`spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace`}},

		{"valid controller", rc(nil), nil},
		{"controller selector does not match template", rc(func(r *core.ReplicationController) {
			r.Spec.Selector = map[string]string{"name": "backend"}
		}), []string{"spec.template.metadata.labels: Invalid value: map[string]string{\"name\":\"frontend\"}: `selector` does not match template `labels`"}},
		{"controller with OnFailure template", rc(func(r *core.ReplicationController) {
			r.Spec.Template.Spec.RestartPolicy = core.RestartPolicyOnFailure
		}), []string{`spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`}},
		{"controller with negative replicas", rc(func(r *core.ReplicationController) { r.Spec.Replicas = new(int32(-1)) }),
			[]string{`spec.replicas: Invalid value: -1: must be greater than or equal to 0`}},
		{"controller without template", rc(func(r *core.ReplicationController) { r.Spec.Template = nil }),
			[]string{`spec.template: Required value`}},
		{"controller template label", rc(func(r *core.ReplicationController) {
			r.Spec.Selector = map[string]string{"name": "frontend"}
			r.Spec.Template.Labels["tier"] = "-x"
		}), []string{
			// Defaulting copied the template labels to the controller.
			`metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
			`spec.template.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},

		{"valid service", service(nil), nil},
		{"node port on a ClusterIP service", service(func(s *core.Service) { s.Spec.Ports[0].NodePort = 30001 }),
			[]string{"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"}},
		{"service port 0", service(func(s *core.Service) { s.Spec.Ports[0].Port = 0; s.Spec.Ports[0].TargetPort = intstr.FromInt32(80) }),
			[]string{`spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`}},
		{"service without ports", service(func(s *core.Service) { s.Spec.Ports = nil }),
			[]string{`spec.ports: Required value`}},
		{"unnamed ports", service(func(s *core.Service) { s.Spec.Ports = append(s.Spec.Ports, core.ServicePort{Port: 443}) }),
			[]string{`spec.ports[0].name: Required value`, `spec.ports[1].name: Required value`}},
		{"bad target port name", service(func(s *core.Service) { s.Spec.Ports[0].TargetPort = intstr.FromString("HTTP") }),
			[]string{
				`spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
				`spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)`,
			}},
		{"bad service type", service(func(s *core.Service) { s.Spec.Type = "Internal" }),
			[]string{`spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`}},
		{"bad cluster IP", service(func(s *core.Service) { s.Spec.ClusterIP = "10.0.0.300" }),
			[]string{`spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`}},
		{"external name without name", service(func(s *core.Service) { s.Spec.Type = core.ServiceTypeExternalName; s.Spec.Ports = nil }),
			[]string{`spec.externalName: Required value`}},
		{"external traffic policy on ClusterIP", service(func(s *core.Service) { s.Spec.ExternalTrafficPolicy = "Local" }),
			[]string{`spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`}},
		{"bad session affinity", service(func(s *core.Service) { s.Spec.SessionAffinity = "Cookie" }),
			[]string{`spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"`}},

		{"valid deployment", deployment(nil), nil},
		{"deployment with both surges 0", deployment(func(d *apps.Deployment) {
			d.Spec.Strategy.RollingUpdate = &apps.RollingUpdateDeployment{MaxSurge: new(intstr.FromInt32(0)), MaxUnavailable: new(intstr.FromInt32(0))}
		}), []string{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"}},
		{"deployment with 150%", deployment(func(d *apps.Deployment) {
			d.Spec.Strategy.RollingUpdate = &apps.RollingUpdateDeployment{MaxUnavailable: new(intstr.FromString("150%"))}
		}), []string{`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%`}},
		{"deployment Recreate with rolling update", deployment(func(d *apps.Deployment) {
			d.Spec.Strategy = apps.DeploymentStrategy{Type: apps.RecreateDeploymentStrategyType, RollingUpdate: &apps.RollingUpdateDeployment{}}
		}), []string{"spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"}},
		{"deployment without selector", deployment(func(d *apps.Deployment) { d.Spec.Selector = nil }),
			[]string{
				`spec.selector: Required value`,
				// A nil selector selects nothing, so it cannot match either.
				"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
			}},
		{"deployment selector mismatch", deployment(func(d *apps.Deployment) {
			d.Spec.Selector.MatchLabels = map[string]string{"app": "api"}
		}), []string{"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"}},
		{"deployment with Never template", deployment(func(d *apps.Deployment) { d.Spec.Template.Spec.RestartPolicy = core.RestartPolicyNever }),
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`}},
		{"negative revision history", deployment(func(d *apps.Deployment) { d.Spec.RevisionHistoryLimit = new(int32(-1)) }),
			[]string{`spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0`}},

		{"valid job", job(nil), nil},
		{"job with default restart policy", job(func(j *batch.Job) { j.Spec.Template.Spec.RestartPolicy = "" }),
			[]string{`spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`}},
		{"job with negative backoff", job(func(j *batch.Job) { j.Spec.BackoffLimit = new(int32(-1)) }),
			[]string{`spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0`}},
		{"job without uid", job(func(j *batch.Job) { j.UID = "" }),
			[]string{`metadata.uid: Required value`}},

		{"bad config map key", &core.ConfigMap{ObjectMeta: objectMeta("cfg"), Data: map[string]string{"a b": "x"}},
			[]string{`data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`}},
		{"too big config map", &core.ConfigMap{ObjectMeta: objectMeta("cfg"), Data: map[string]string{"a": strings.Repeat("x", 1<<20+1)}},
			[]string{`: Too long: may not be more than 1048576 bytes`}},
		{"tls secret without key", &core.Secret{ObjectMeta: objectMeta("tls"), Type: core.SecretTypeTLS, Data: map[string][]byte{"tls.crt": nil}},
			[]string{`data[tls.key]: Required value`}},
		{"endpoints with bad address", &core.Endpoints{ObjectMeta: objectMeta("web"), Subsets: []core.EndpointSubset{{
			Addresses: []core.EndpointAddress{{IP: "300.1.1.1"}}, Ports: []core.EndpointPort{{Port: 80}}}}},
			[]string{
				`subsets[0].addresses[0].ip: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
				`subsets[0].addresses[0].ip: Invalid value: "300.1.1.1": must be a valid IP address`,
			}},
		{"endpoints on loopback", &core.Endpoints{ObjectMeta: objectMeta("web"), Subsets: []core.EndpointSubset{{
			Addresses: []core.EndpointAddress{{IP: "127.0.0.1"}}}}},
			[]string{`subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)`}},
		{"binding without target", &core.Binding{ObjectMeta: objectMeta("web")}, []string{`target.name: Required value`}},
		{"event namespace mismatch", &core.Event{ObjectMeta: objectMeta("web.1"), InvolvedObject: core.ObjectReference{Namespace: "other"}},
			[]string{`involvedObject.namespace: Invalid value: "other": does not match event.namespace`}},
		{"node with namespace", &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1", Namespace: "default"}},
			[]string{`metadata.namespace: Forbidden: not allowed on this type`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := messages(Validate(prepare(tt.obj)))
			if !slices.Equal(got, tt.want) && !prefixMatch(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// prefixMatch lets a wanted message end early where the rest is long Go
// syntax of an object.
func prefixMatch(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			return false
		}
	}
	return true
}

// with changes an already defaulted object, as a user editing the stored
// object does.
func with[T meta.Object](obj meta.Object, mut func(T)) meta.Object {
	mut(obj.(T))
	return obj
}

func TestValidateUpdate(t *testing.T) {
	withRV := func(obj meta.Object) meta.Object {
		prepare(obj)
		obj.GetObjectMeta().ResourceVersion = "7"
		return obj
	}
	tests := []struct {
		name     string
		obj, old meta.Object
		want     []string
	}{
		{"unchanged pod", withRV(pod(nil)), withRV(pod(nil)), nil},
		{"pod image change", with(withRV(pod(nil)), func(p *core.Pod) { p.Spec.Containers[0].Image = "nginx:2" }), withRV(pod(nil)), nil},
		{"pod name change", withRV(pod(func(p *core.Pod) { p.Name = "web2" })), withRV(pod(nil)),
			[]string{`metadata.name: Invalid value: "web2": field is immutable`}},
		{"missing resourceVersion", prepare(pod(nil)), withRV(pod(nil)),
			[]string{`metadata.resourceVersion: Invalid value: "": must be specified for an update`}},
		{"pod restart policy change", withRV(pod(func(p *core.Pod) { p.Spec.RestartPolicy = core.RestartPolicyNever })), withRV(pod(nil)),
			[]string{"spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n- \tRestartPolicy: \"Always\",\n+ \tRestartPolicy: \"Never\",\n  }\n"}},
		{"pod binding by update", withRV(pod(func(p *core.Pod) { p.Spec.NodeName = "node-1" })), withRV(pod(nil)),
			[]string{"spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"}},
		{"pod container added", withRV(pod(func(p *core.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, core.Container{Name: "b", Image: "b"})
		})), withRV(pod(nil)), []string{`spec.containers: Forbidden: pod updates may not add or remove containers`}},
		{"pod deadline raised", withRV(pod(func(p *core.Pod) { p.Spec.ActiveDeadlineSeconds = new(int64(20)) })),
			withRV(pod(func(p *core.Pod) { p.Spec.ActiveDeadlineSeconds = new(int64(10)) })),
			[]string{`spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value`}},
		{"toleration added", withRV(pod(func(p *core.Pod) {
			p.Spec.Tolerations = []core.Toleration{{Key: "k", Operator: core.TolerationOpExists}}
		})), withRV(pod(nil)), nil},
		{"deployment selector change", withRV(deployment(func(d *apps.Deployment) {
			d.Spec.Selector.MatchLabels["tier"] = "web"
			d.Spec.Template.Labels["tier"] = "web"
		})), withRV(deployment(nil)),
			[]string{`spec.selector: Invalid value: meta.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"web"}, MatchExpressions:[]meta.LabelSelectorRequirement(nil)}: field is immutable`}},
		{"controller selector change is allowed", withRV(rc(func(r *core.ReplicationController) {
			r.Spec.Selector = map[string]string{"name": "frontend", "tier": "web"}
			r.Spec.Template.Labels["tier"] = "web"
		})), withRV(rc(nil)), nil},
		{"service cluster IP change", withRV(service(func(s *core.Service) { s.Spec.ClusterIP = "10.0.0.6" })),
			withRV(service(func(s *core.Service) { s.Spec.ClusterIP = "10.0.0.5" })),
			[]string{`spec.clusterIPs[0]: Invalid value: []string{"10.0.0.6"}: may not change once set`}},
		{"job template change", withRV(job(func(j *batch.Job) { j.Spec.Template.Spec.Containers[0].Image = "perl" })), withRV(job(nil)),
			[]string{`spec.template: Invalid value: core.PodTemplateSpec{`}},
		{"secret type change", withRV(&core.Secret{ObjectMeta: objectMeta("s"), Type: core.SecretTypeTLS,
			Data: map[string][]byte{"tls.crt": nil, "tls.key": nil}}), withRV(&core.Secret{ObjectMeta: objectMeta("s")}),
			[]string{`type: Invalid value: "kubernetes.io/tls": field is immutable`}},
		{"immutable config map", withRV(&core.ConfigMap{ObjectMeta: objectMeta("c"), Immutable: new(true), Data: map[string]string{"a": "2"}}),
			withRV(&core.ConfigMap{ObjectMeta: objectMeta("c"), Immutable: new(true), Data: map[string]string{"a": "1"}}),
			[]string{"data: Forbidden: field is immutable when `immutable` is set"}},
		{"kind mismatch", withRV(pod(nil)), withRV(service(nil)),
			[]string{`: Internal error: cannot update *core.Service with *core.Pod`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := messages(ValidateUpdate(tt.obj, tt.old))
			if !slices.Equal(got, tt.want) && !prefixMatch(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPodStatusUpdate(t *testing.T) {
	old := prepare(pod(nil)).(*core.Pod)
	old.ResourceVersion = "3"
	updated := *old
	updated.Spec.NodeName = "node-1"
	updated.Status.PodIPs = []core.PodIP{{IP: "10.244.1.5"}, {IP: "10.244.1.6"}}
	got := messages(ValidatePodStatusUpdate(&updated, old))
	want := []string{
		`status.nodeName: Forbidden: may not be changed directly`,
		`status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.244.1.5"}, core.PodIP{IP:"10.244.1.6"}}: may specify no more than one IP for each IP family`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSemanticEqual(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{resource.MustParse("1"), resource.MustParse("1000m"), true},
		{resource.MustParse("1"), resource.MustParse("2"), false},
		{map[string]string{}, map[string]string(nil), true},
		{[]string{}, []string(nil), true},
		{core.PodSpec{NodeSelector: map[string]string{}}, core.PodSpec{}, true},
		{core.ResourceList{"cpu": resource.MustParse("0.5")}, core.ResourceList{"cpu": resource.MustParse("500m")}, true},
		{new(int32(1)), new(int32(1)), true},
		{new(int32(1)), (*int32)(nil), false},
		{"a", 1, false},
	}
	for _, tt := range tests {
		if got := semanticEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("semanticEqual(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestStatusUpdates(t *testing.T) {
	old := prepare(deployment(nil)).(*apps.Deployment)
	old.ResourceVersion = "5"
	old.Status.CollisionCount = new(int32(2))
	d := *old
	d.Status = apps.DeploymentStatus{Replicas: 1, ReadyReplicas: 2, CollisionCount: new(int32(1))}
	got := messages(ValidateDeploymentStatusUpdate(&d, old))
	want := []string{
		`status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas`,
		`status.collisionCount: Invalid value: 1: cannot be decremented`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	ns := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "dev", ResourceVersion: "1"}, Status: core.NamespaceStatus{Phase: core.NamespaceTerminating}}
	got = messages(ValidateNamespaceStatusUpdate(ns, ns))
	want = []string{"status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
