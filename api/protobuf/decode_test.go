package protobuf

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// Hand-built wire bytes: field numbers are upstream's, written out by number.
func fields(fs ...[]byte) []byte         { return bytes.Join(fs, nil) }
func str(num int, s string) []byte       { return appendBytesField(nil, num, []byte(s)) }
func raw(num int, b []byte) []byte       { return appendBytesField(nil, num, b) }
func vint(num int, v int64) []byte       { return appendVarintField(nil, num, uint64(v)) }
func sub(num int, fs ...[]byte) []byte   { return appendBytesField(nil, num, fields(fs...)) }
func entry(num int, k, v string) []byte  { return sub(num, str(1, k), str(2, v)) }
func qty(num int, k, q string) []byte    { return sub(num, str(1, k), sub(2, str(1, q))) }
func intOrStr(num int, v int32) []byte   { return sub(num, vint(1, 0), vint(2, int64(v)), str(3, "")) }
func strOrInt(num int, s string) []byte  { return sub(num, vint(1, 1), vint(2, 0), str(3, s)) }
func objectMeta(fs ...[]byte) []byte     { return sub(1, fs...) }
func ptr[T any](v T) *T                  { return &v }
func mustQty(s string) resource.Quantity { return resource.MustParse(s) }

func TestUnmarshal(t *testing.T) {
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		data []byte
		into any
		want any
	}{{
		name: "namespace, literal bytes",
		// metadata{name: "team-a"}, spec{finalizers: ["kubernetes"]}
		data: []byte("\x0a\x08\x0a\x06team-a\x12\x0c\x0a\x0akubernetes"),
		into: &core.Namespace{},
		want: &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team-a"},
			Spec: core.NamespaceSpec{Finalizers: []core.FinalizerName{"kubernetes"}}},
	}, {
		name: "deployment",
		data: fields(
			objectMeta(str(1, "web"), str(3, "default"), sub(8, vint(1, created.Unix()), vint(2, 0)), entry(11, "app", "web")),
			sub(2,
				vint(1, 2),
				sub(2, entry(1, "app", "web")),
				sub(3,
					objectMeta(entry(11, "app", "web")),
					sub(2, sub(2,
						str(1, "nginx"), str(2, "nginx:1.25"),
						sub(6, vint(3, 80), str(4, "TCP")),
						sub(7, str(1, "MODE"), str(2, "prod")),
						sub(8, qty(1, "cpu", "500m"), qty(1, "memory", "128Mi"), qty(2, "cpu", "250m")),
					)),
				),
				sub(4, str(1, "RollingUpdate"), sub(2, intOrStr(1, 1), strOrInt(2, "25%"))),
				vint(5, 0),
			),
		),
		into: &apps.Deployment{},
		want: &apps.Deployment{
			ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default", CreationTimestamp: meta.NewTime(created.Local()),
				Labels: map[string]string{"app": "web"}},
			Spec: apps.DeploymentSpec{
				Replicas: ptr(int32(2)),
				Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
				Template: core.PodTemplateSpec{
					ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "web"}},
					Spec: core.PodSpec{Containers: []core.Container{{
						Name: "nginx", Image: "nginx:1.25",
						Ports: []core.ContainerPort{{ContainerPort: 80, Protocol: core.ProtocolTCP}},
						Env:   []core.EnvVar{{Name: "MODE", Value: "prod"}},
						Resources: core.ResourceRequirements{
							Limits:   core.ResourceList{"cpu": mustQty("500m"), "memory": mustQty("128Mi")},
							Requests: core.ResourceList{"cpu": mustQty("250m")},
						},
					}}},
				},
				Strategy: apps.DeploymentStrategy{Type: "RollingUpdate", RollingUpdate: &apps.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromInt32(1)), MaxSurge: ptr(intstr.FromString("25%"))}},
			},
		},
	}, {
		name: "secret with bytes values",
		data: fields(objectMeta(str(1, "s1")),
			sub(2, str(1, "password"), raw(2, []byte("s3cret"))),
			sub(2, str(1, "bin"), raw(2, []byte{0, 0xff})),
			str(3, "Opaque")),
		into: &core.Secret{},
		want: &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "s1"}, Type: core.SecretTypeOpaque,
			Data: map[string][]byte{"password": []byte("s3cret"), "bin": {0, 0xff}}},
	}, {
		name: "service with int and string target ports",
		data: fields(objectMeta(str(1, "ns1")), sub(2,
			sub(1, str(1, "80-8080"), str(2, "TCP"), vint(3, 80), intOrStr(4, 8080), vint(5, 30080)),
			sub(1, str(1, "metrics"), str(2, "TCP"), vint(3, 9090), strOrInt(4, "http-metrics"), vint(5, 0)),
			entry(2, "app", "ns1"),
			str(4, "NodePort"),
		)),
		into: &core.Service{},
		want: &core.Service{ObjectMeta: meta.ObjectMeta{Name: "ns1"}, Spec: core.ServiceSpec{
			Ports: []core.ServicePort{
				{Name: "80-8080", Protocol: core.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080},
				{Name: "metrics", Protocol: core.ProtocolTCP, Port: 9090, TargetPort: intstr.FromString("http-metrics")},
			},
			Selector: map[string]string{"app": "ns1"},
			Type:     core.ServiceTypeNodePort,
		}},
	}, {
		name: "job",
		data: fields(objectMeta(str(1, "j1")), sub(2,
			vint(2, 1),
			vint(7, 4),
			sub(6, sub(2,
				sub(2, str(1, "j1"), str(2, "busybox"), str(3, "echo"), str(3, "hi")),
				str(3, "Never"),
			)),
		)),
		into: &batch.Job{},
		want: &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "j1"}, Spec: batch.JobSpec{
			Completions: ptr(int32(1)), BackoffLimit: ptr(int32(4)),
			Template: core.PodTemplateSpec{Spec: core.PodSpec{
				Containers:    []core.Container{{Name: "j1", Image: "busybox", Command: []string{"echo", "hi"}}},
				RestartPolicy: core.RestartPolicyNever,
			}},
		}},
	}, {
		name: "configmap",
		data: fields(objectMeta(str(1, "c1")), entry(2, "a", "b"), entry(2, "c", ""),
			sub(3, str(1, "empty")), vint(4, 1)),
		into: &core.ConfigMap{},
		want: &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "c1"}, Immutable: ptr(true),
			Data: map[string]string{"a": "b", "c": ""}, BinaryData: map[string][]byte{"empty": nil}},
	}, {
		name: "lease: micro times keep microseconds, an empty Time is zero",
		data: fields(objectMeta(str(1, "l"), sub(8)), sub(2,
			str(1, "me"), vint(2, -1),
			sub(4, vint(1, created.Unix()), vint(2, 123456000)),
		)),
		into: &coordination.Lease{},
		want: &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "l"}, Spec: coordination.LeaseSpec{
			HolderIdentity: ptr("me"), LeaseDurationSeconds: ptr(int32(-1)),
			RenewTime: &meta.MicroTime{Time: created.Add(123456 * time.Microsecond).Local()},
		}},
	}, {
		name: "unknown fields of every wire type are skipped",
		data: fields(
			vint(99, 7),
			[]byte{0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8}, // field 99, fixed64
			[]byte{0x9d, 0x06, 1, 2, 3, 4},             // field 99, fixed32
			str(98, "x"),
			[]byte{0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06},             // group 99 {1: 1}
			objectMeta(str(1, "kept"), sub(17, str(1, "kubectl"))), // managedFields: not modelled
		),
		into: &core.ConfigMap{},
		want: &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "kept"}},
	}, {
		name: "repeated scalars, packed and not",
		data: fields(sub(2, vint(3, 1), vint(3, 2)), sub(2, raw(3, []byte{3, 4}))),
		into: &batch.PodFailurePolicyRule{},
		want: &batch.PodFailurePolicyRule{OnExitCodes: &batch.PodFailurePolicyOnExitCodesRequirement{Values: []int32{1, 2, 3, 4}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Unmarshal(tt.data, tt.into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tt.into, tt.want) {
				t.Errorf("got  %+v\nwant %+v", tt.into, tt.want)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated length", []byte{0x0a, 0x05, 'a'}, "unexpected end of data"},
		{"truncated varint", []byte{0x08, 0x80}, "unexpected end of data"},
		{"field number 0", []byte{0x00, 0x01}, "invalid field number 0"},
		{"wire type 7", []byte{0x0f}, "invalid wire type 7"},
		{"stray end group", []byte{0x0c}, "invalid wire type 4"},
		{"unclosed group", []byte{0x0b, 0x08, 0x01}, "unexpected end of data"},
		{"string as varint", vint(1, 5), "metadata: wrong wire type 0"},
		{"nested wrong wire type", sub(2, sub(3, sub(2, vint(2, 1)))), "spec.template.spec.containers: wrong wire type 0 for field 2, want 2"},
		{"bad quantity", sub(2, sub(3, sub(2, sub(2, sub(8, qty(1, "cpu", "lots")))))), `spec.template.spec.containers.resources.limits: quantity "lots"`},
		{"bad IntOrString type", sub(2, sub(4, sub(2, sub(1, vint(1, 7))))), "IntOrString type 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unmarshal(tt.data, &apps.Deployment{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if err := Unmarshal(nil, apps.Deployment{}); err == nil {
		t.Error("Unmarshal into a non-pointer succeeded")
	}
	if err := Unmarshal([]byte{0x0a, 0x05}, &apps.Deployment{}); !errors.Is(err, ErrTruncated) {
		t.Errorf("Unmarshal of a truncated message = %v, want ErrTruncated", err)
	}
}

func TestEnvelope(t *testing.T) {
	body := EncodeEnvelope("apps/v1", "Deployment", []byte{0x0a, 0x00})
	if want := "k8s\x00\x0a\x15\x0a\x07apps/v1\x12\x0aDeployment\x12\x02\x0a\x00\x1a\x00\x22\x00"; string(body) != want {
		t.Errorf("EncodeEnvelope = %q, want %q", body, want)
	}
	v, k, raw, err := DecodeEnvelope(body)
	if err != nil || v != "apps/v1" || k != "Deployment" || !bytes.Equal(raw, []byte{0x0a, 0x00}) {
		t.Errorf("DecodeEnvelope = %q, %q, %x, %v", v, k, raw, err)
	}
	for _, tt := range []struct {
		name, body, want string
	}{
		{"no magic", "{}", "does not appear to be a protobuf message"},
		{"no kind", "k8s\x00\x0a\x00", "names no kind"},
		{"gzip", "k8s\x00\x0a\x05\x12\x03Pod\x1a\x04gzip", `content encoding "gzip"`},
		{"truncated", "k8s\x00\x0a\x09", "unexpected end of data"},
	} {
		if _, _, _, err := DecodeEnvelope([]byte(tt.body)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: DecodeEnvelope error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
