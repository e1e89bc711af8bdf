package handlers

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/autoscaling"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/api/protobuf"
)

func protobufBody(t *testing.T, apiVersion, kind string, obj any) []byte {
	t.Helper()
	raw, err := protobuf.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return protobuf.EncodeEnvelope(apiVersion, kind, raw)
}

// TestReadBodyProtobuf: a protobuf body reaches the handlers as the JSON of the
// kind its envelope names, kind and apiVersion included.
func TestReadBodyProtobuf(t *testing.T) {
	replicas := int32(2)
	grace := int64(5)
	tests := []struct {
		name string
		body []byte
		into any
		want any
	}{{
		name: "deployment",
		body: protobufBody(t, "apps/v1", "Deployment", &apps.Deployment{
			ObjectMeta: meta.ObjectMeta{Name: "web"},
			Spec: apps.DeploymentSpec{Replicas: &replicas, Template: core.PodTemplateSpec{Spec: core.PodSpec{
				Containers: []core.Container{{Name: "nginx", Image: "nginx:1.25"}}}}},
		}),
		into: &apps.Deployment{},
		want: &apps.Deployment{
			TypeMeta:   meta.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: meta.ObjectMeta{Name: "web"},
			Spec: apps.DeploymentSpec{Replicas: &replicas, Template: core.PodTemplateSpec{Spec: core.PodSpec{
				Containers: []core.Container{{Name: "nginx", Image: "nginx:1.25"}}}}},
		},
	}, {
		name: "secret data stays bytes",
		body: protobufBody(t, "v1", "Secret", &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "s1"},
			Data: map[string][]byte{"password": []byte("s3cret")}}),
		into: &core.Secret{},
		want: &core.Secret{TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: meta.ObjectMeta{Name: "s1"},
			Data: map[string][]byte{"password": []byte("s3cret")}},
	}, {
		name: "scale subresource",
		body: protobufBody(t, "autoscaling/v1", "Scale", &autoscaling.Scale{ObjectMeta: meta.ObjectMeta{Name: "web"},
			Spec: autoscaling.ScaleSpec{Replicas: 3}}),
		into: &autoscaling.Scale{},
		want: &autoscaling.Scale{TypeMeta: meta.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
			ObjectMeta: meta.ObjectMeta{Name: "web"}, Spec: autoscaling.ScaleSpec{Replicas: 3}},
	}, {
		name: "eviction",
		body: protobufBody(t, "policy/v1", "Eviction", &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "p"},
			DeleteOptions: &meta.DeleteOptions{GracePeriodSeconds: &grace}}),
		into: &policy.Eviction{},
		want: &policy.Eviction{TypeMeta: meta.TypeMeta{APIVersion: "policy/v1", Kind: "Eviction"},
			ObjectMeta: meta.ObjectMeta{Name: "p"}, DeleteOptions: &meta.DeleteOptions{GracePeriodSeconds: &grace}},
	}, {
		name: "delete options in a group version",
		body: protobufBody(t, "apps/v1", "DeleteOptions", &meta.DeleteOptions{GracePeriodSeconds: &grace}),
		into: &meta.DeleteOptions{},
		want: &meta.DeleteOptions{TypeMeta: meta.TypeMeta{APIVersion: "apps/v1", Kind: "DeleteOptions"}, GracePeriodSeconds: &grace},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/vnd.kubernetes.protobuf")
			got, mediaType, err := readBody(r, 3<<20)
			if err != nil {
				t.Fatal(err)
			}
			if mediaType != "application/json" {
				t.Errorf("media type = %q, want application/json", mediaType)
			}
			if err := json.Unmarshal(got, tt.into); err != nil {
				t.Fatalf("%v\n%s", err, got)
			}
			gotJSON, _ := json.Marshal(tt.into)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("readBody = %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

// TestReadBodyProtobufErrors: bad protobuf is a 400 that says what is wrong.
func TestReadBodyProtobufErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"JSON sent as protobuf", `{"kind":"Pod"}`, "does not appear to be a protobuf message, expected prefix [107 56 115 0]"},
		{"unserved kind", string(protobuf.EncodeEnvelope("rbac.authorization.k8s.io/v1", "Role", nil)),
			`no kind "Role" is registered for version "rbac.authorization.k8s.io/v1"`},
		{"truncated object", string(protobuf.EncodeEnvelope("v1", "Pod", []byte{0x0a, 0x09, 0x0a})),
			`Pod in version "v1" cannot be handled as a Pod: protobuf: decode Pod: unexpected end of data`},
		{"bad quantity", string(protobuf.EncodeEnvelope("v1", "ResourceQuota", []byte("\x12\x0b\x0a\x09\x0a\x01x\x12\x04\x0a\x02zz"))),
			`spec.hard: quantity "zz"`},
		{"empty", "", "does not appear to be a protobuf message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/vnd.kubernetes.protobuf")
			_, _, err := readBody(r, 3<<20)
			if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("readBody error = %v (code %d), want a 400 containing %q", err, apierrors.CodeOf(err), tt.want)
			}
		})
	}
}
