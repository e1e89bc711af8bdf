package validation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"seven.dev/api/apps"
	"seven.dev/api/autoscaling"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/defaults"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// fuzzKinds lists constructors for every kind Validate knows: the served
// ones plus those only reached through subresources.
func fuzzKinds() []func() meta.Object {
	var kinds []func() meta.Object
	for _, k := range scheme.Default().Kinds() {
		kinds = append(kinds, k.New)
	}
	return append(kinds,
		func() meta.Object { return &core.PodTemplate{} },
		func() meta.Object { return &autoscaling.Scale{} },
	)
}

// FuzzDecodeAndValidate decodes arbitrary JSON into each kind and runs
// defaulting, validation, update validation (against a second decoding and
// against an empty object) and the status validators. None may panic,
// whatever a client sends.
func FuzzDecodeAndValidate(f *testing.F) {
	files, _ := filepath.Glob("testdata/seeds/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js, js)
	}
	for _, doc := range []string{
		`{"metadata":{"name":"a","namespace":"b","ownerReferences":[{"controller":true},{"controller":true}],"finalizers":["orphan","foregroundDeletion"]}}`,
		`{"spec":{"containers":[{"name":"a","image":"a","ports":[{"containerPort":80,"hostPort":80}],"livenessProbe":{"grpc":{"port":1}},"lifecycle":{"preStop":{"sleep":{"seconds":5}}}}],"hostNetwork":true,"volumes":[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"path":"t"}},{"downwardAPI":{"items":[{"path":"p","fieldRef":{"fieldPath":"metadata.labels['x']"}}]}}]}}]}}`,
		`{"spec":{"type":"LoadBalancer","clusterIP":"None","clusterIPs":["None","::1"],"ipFamilies":["IPv6","IPv6"],"externalIPs":["0.0.0.0"],"sessionAffinity":"ClientIP","sessionAffinityConfig":{}}}`,
		`{"spec":{"selector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"x%","maxUnavailable":"200%"}},"template":{"spec":{"containers":[]}}}}`,
		`{"spec":{"completionMode":"Indexed","podFailurePolicy":{"rules":[{"action":"FailIndex","onExitCodes":{"operator":"In","values":[3,1,1,0]}}]},"successPolicy":{"rules":[{}]}}}`,
		`{"subsets":[{"addresses":[{"ip":"fe80::1"}],"ports":[{"port":0},{"port":1}]}]}`,
		`{"spec":{"limits":[{"type":"Container","max":{"cpu":"1"},"min":{"cpu":"2"},"maxLimitRequestRatio":{"cpu":"0.5"}}]}}`,
	} {
		f.Add([]byte(doc), []byte(`{}`))
	}
	kinds := fuzzKinds()
	f.Fuzz(func(t *testing.T, doc, oldDoc []byte) {
		for _, newObj := range kinds {
			obj, old, empty := newObj(), newObj(), newObj()
			if json.Unmarshal(doc, obj) != nil {
				continue
			}
			_ = json.Unmarshal(oldDoc, old)
			defaults.Default(obj)
			defaults.Default(old)
			if j, ok := obj.(*batch.Job); ok {
				defaults.GenerateJobSelector(j)
			}
			_ = Validate(obj)
			_ = ValidateUpdate(obj, old)
			_ = ValidateUpdate(obj, empty)
			_ = ValidateUpdate(empty, obj)
			_ = messages(Validate(obj))
			validateStatus(obj, old)
		}
	})
}

// validateStatus runs the subresource validators of obj's kind.
func validateStatus(obj, old meta.Object) {
	switch o := obj.(type) {
	case *core.Pod:
		_ = ValidatePodStatusUpdate(o, old.(*core.Pod))
	case *core.Service:
		_ = ValidateServiceStatusUpdate(o, old.(*core.Service))
	case *core.Namespace:
		_ = ValidateNamespaceStatusUpdate(o, old.(*core.Namespace))
		_ = ValidateNamespaceFinalizeUpdate(o, old.(*core.Namespace))
	case *core.ReplicationController:
		_ = ValidateReplicationControllerStatusUpdate(o, old.(*core.ReplicationController))
	case *core.ResourceQuota:
		_ = ValidateResourceQuotaStatusUpdate(o, old.(*core.ResourceQuota))
	case *apps.Deployment:
		_ = ValidateDeploymentStatusUpdate(o, old.(*apps.Deployment))
	case *apps.ReplicaSet:
		_ = ValidateReplicaSetStatusUpdate(o, old.(*apps.ReplicaSet))
	case *apps.DaemonSet:
		_ = ValidateDaemonSetStatusUpdate(o, old.(*apps.DaemonSet))
	case *batch.Job:
		_ = ValidateJobStatusUpdate(o, old.(*batch.Job))
	}
}
