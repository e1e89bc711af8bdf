package protobuf

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"seven.dev/api/scheme"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.json golden files")

// TestKubectlBodies decodes request bodies captured from the upstream kubectl
// v1.32 (`kubectl create deployment web --image=nginx:1.25 --replicas=2
// --port=80`, `create job j1 --image=busybox -- echo hi`, `create secret generic
// s1 --from-literal=password=s3cret`, `create configmap c1 --from-literal=a=b`,
// `create namespace team-a`, `create service nodeport ns1 --tcp=80:8080
// --node-port=30080`, `create quota q --hard=pods=10`, `create serviceaccount
// sa1`) and compares their JSON form with the golden files beside them.
func TestKubectlBodies(t *testing.T) {
	files, err := filepath.Glob("testdata/kubectl-*.pb")
	if err != nil || len(files) == 0 {
		t.Fatalf("no captured bodies: %v", err)
	}
	s := scheme.Default()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			apiVersion, kind, raw, err := DecodeEnvelope(body)
			if err != nil {
				t.Fatal(err)
			}
			k, ok := s.ByKind(apiVersion, kind)
			if !ok {
				t.Fatalf("envelope names %s %s, which is not served", apiVersion, kind)
			}
			obj := k.New()
			if err := Unmarshal(raw, obj); err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(obj, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(file, ".pb") + ".json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s decodes to\n%s\nwant\n%s", file, got, want)
			}
		})
	}
}
