package validation

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// decodeManifest reads a YAML manifest into a new object of its kind,
// rejecting fields the kind does not have.
func decodeManifest(t testing.TB, s *scheme.Scheme, data []byte) (meta.Object, *scheme.Kind) {
	t.Helper()
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	var tm meta.TypeMeta
	if err := json.Unmarshal(js, &tm); err != nil {
		t.Fatalf("type meta: %v", err)
	}
	k, ok := s.ByKind(tm.APIVersion, tm.Kind)
	if !ok {
		t.Fatalf("kind %s %s is not served", tm.APIVersion, tm.Kind)
	}
	obj := k.New()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		t.Fatalf("decode %s: %v", tm.Kind, err)
	}
	return obj, k
}

// TestSeedManifests checks that every sample manifest of the seeds, created
// the way the API server creates objects, defaults and validates cleanly,
// and that storing it again unchanged is a valid update.
func TestSeedManifests(t *testing.T) {
	files, err := filepath.Glob("testdata/seeds/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed manifests: %v", err)
	}
	s := scheme.Default()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			obj, k := decodeManifest(t, s, data)
			m := obj.GetObjectMeta()
			if k.Namespaced && m.Namespace == "" {
				m.Namespace = core.NamespaceDefault
			}
			m.UID = "3c1d2b4e-5f60-4718-9a2b-3c4d5e6f7a8b"
			prepare(obj)
			if errs := Validate(obj); len(errs) != 0 {
				t.Fatalf("create: %v", errs.ToAggregate())
			}
			m.ResourceVersion = "42"
			old, _ := decodeManifest(t, s, data)
			*old.GetObjectMeta() = *m
			prepare(old)
			if j, ok := old.(*batch.Job); ok {
				j.Spec.Selector = obj.(*batch.Job).Spec.Selector
			}
			if errs := ValidateUpdate(obj, old); len(errs) != 0 {
				t.Fatalf("update: %v", errs.ToAggregate())
			}
		})
	}
}

// TestSeedDefaults spot-checks what the seeds' objects look like once
// defaulted, where users see it (kubectl get -o yaml).
func TestSeedDefaults(t *testing.T) {
	s := scheme.Default()
	load := func(name string) meta.Object {
		data, err := os.ReadFile(filepath.Join("testdata/seeds", name))
		if err != nil {
			t.Fatal(err)
		}
		obj, _ := decodeManifest(t, s, data)
		return prepare(obj)
	}

	svc := load("frontend-service.yaml").(*core.Service)
	if p := svc.Spec.Ports[0]; p.Protocol != core.ProtocolTCP || p.TargetPort.IntValue() != 80 || p.NodePort != 30001 {
		t.Errorf("frontend service port %+v", p)
	}
	if svc.Spec.ExternalTrafficPolicy != core.ServiceExternalTrafficPolicyCluster {
		t.Errorf("externalTrafficPolicy %q", svc.Spec.ExternalTrafficPolicy)
	}

	rc := load("redis-master-limits.yaml").(*core.ReplicationController)
	c := rc.Spec.Template.Spec.Containers[0]
	if q := c.Resources.Limits[core.ResourceCPU]; q.String() != "500m" {
		t.Errorf("cpu limit %s, want 500m", q.String())
	}
	if c.ImagePullPolicy != core.PullAlways || c.Resources.Requests != nil {
		t.Errorf("template container %+v", c)
	}

	nginx := load("nginx-pod.yaml").(*core.Pod)
	if nginx.Spec.RestartPolicy != core.RestartPolicyNever || nginx.Spec.Containers[0].ImagePullPolicy != core.PullAlways {
		t.Errorf("nginx pod %+v", nginx.Spec)
	}
}
