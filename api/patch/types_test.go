package patch

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Small mirrors of the API shapes the tests patch, tagged as upstream tags
// them. The real types live in api/core and api/apps; the tests must not
// depend on them.

type tTypeMeta struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}

type tOwnerReference struct {
	UID  string `json:"uid"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type tObjectMeta struct {
	Name            string            `json:"name,omitempty"`
	Namespace       string            `json:"namespace,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"`
	Annotations     map[string]string `json:"annotations,omitempty"`
	Finalizers      []string          `json:"finalizers,omitempty" patchStrategy:"merge"`
	OwnerReferences []tOwnerReference `json:"ownerReferences,omitempty" patchStrategy:"merge" patchMergeKey:"uid"`
}

// tQuantity encodes itself, like resource.Quantity.
type tQuantity struct{ s string }

func (q tQuantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.s) }

type tResources struct {
	Limits   map[string]tQuantity `json:"limits,omitempty"`
	Requests map[string]tQuantity `json:"requests,omitempty"`
}

type tEnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

type tContainerPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"`
}

type tContainer struct {
	Name      string           `json:"name"`
	Image     string           `json:"image,omitempty"`
	Args      []string         `json:"args,omitempty"`
	Ports     []tContainerPort `json:"ports,omitempty" patchStrategy:"merge" patchMergeKey:"containerPort"`
	Env       []tEnvVar        `json:"env,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Resources tResources       `json:"resources,omitempty"`
}

type tVolumeSource struct {
	EmptyDir  *struct{}         `json:"emptyDir,omitempty"`
	ConfigMap map[string]string `json:"configMap,omitempty"`
}

type tVolume struct {
	Name          string `json:"name"`
	tVolumeSource `json:",inline"`
}

type tToleration struct {
	Key    string `json:"key,omitempty"`
	Effect string `json:"effect,omitempty"`
}

type tPodSpec struct {
	Volumes        []tVolume         `json:"volumes,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name"`
	InitContainers []tContainer      `json:"initContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Containers     []tContainer      `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`
	NodeSelector   map[string]string `json:"nodeSelector,omitempty"`
	NodeName       string            `json:"nodeName,omitempty"`
	Tolerations    []tToleration     `json:"tolerations,omitempty"`
}

type tPodStatus struct {
	Phase string `json:"phase,omitempty"`
	PodIP string `json:"podIP,omitempty"`
}

type tPod struct {
	tTypeMeta `json:",inline"`
	Metadata  tObjectMeta `json:"metadata,omitempty"`
	Spec      tPodSpec    `json:"spec,omitempty"`
	Status    tPodStatus  `json:"status,omitempty"`
}

type tRollingUpdate struct {
	MaxSurge       any `json:"maxSurge,omitempty"`
	MaxUnavailable any `json:"maxUnavailable,omitempty"`
}

type tDeploymentStrategy struct {
	Type          string          `json:"type,omitempty"`
	RollingUpdate *tRollingUpdate `json:"rollingUpdate,omitempty"`
}

type tPodTemplate struct {
	Metadata tObjectMeta `json:"metadata,omitempty"`
	Spec     tPodSpec    `json:"spec,omitempty"`
}

type tDeploymentSpec struct {
	Replicas *int32              `json:"replicas,omitempty"`
	Strategy tDeploymentStrategy `json:"strategy,omitempty" patchStrategy:"retainKeys"`
	Template tPodTemplate        `json:"template"`
}

type tDeployment struct {
	tTypeMeta `json:",inline"`
	Metadata  tObjectMeta     `json:"metadata,omitempty"`
	Spec      tDeploymentSpec `json:"spec,omitempty"`
}

type tServicePort struct {
	Name     string `json:"name,omitempty"`
	Port     int32  `json:"port"`
	NodePort int32  `json:"nodePort,omitempty"`
}

type tServiceSpec struct {
	Ports     []tServicePort    `json:"ports,omitempty" patchStrategy:"merge" patchMergeKey:"port"`
	Selector  map[string]string `json:"selector,omitempty"`
	ClusterIP string            `json:"clusterIP,omitempty"`
	Type      string            `json:"type,omitempty"`
}

type tService struct {
	tTypeMeta `json:",inline"`
	Metadata  tObjectMeta  `json:"metadata,omitempty"`
	Spec      tServiceSpec `json:"spec,omitempty"`
}

var (
	podSchema        = SchemaFromType(reflect.TypeOf(tPod{}))
	deploymentSchema = SchemaFromType(reflect.TypeOf(&tDeployment{}))
	serviceSchema    = SchemaFromType(reflect.TypeOf(tService{}))
)

// canonical re-encodes a JSON document so documents compare by content with
// object keys sorted; list order still counts.
func canonical(t *testing.T, doc string) string {
	t.Helper()
	v, err := DecodeJSON([]byte(doc))
	if err != nil {
		t.Fatalf("test JSON %s: %v", doc, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertJSON(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if g, w := canonical(t, string(got)), canonical(t, want); g != w {
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}
