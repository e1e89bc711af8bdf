package integration

import (
	"strings"
	"testing"
)

// Bad input is always a Status with the right code, never a 500 or a hang.
func TestBadInput(t *testing.T) {
	s := startServer(t, "")
	big := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"k":"` + strings.Repeat("x", 4<<20) + `"}}`
	cases := []struct {
		name, method, path, body string
		headers                  []string
		code                     int
		reason                   string
		msgContains              string
	}{
		{"malformed json", "POST", "/api/v1/namespaces/default/pods", `{"apiVersion":"v1","kind":"Pod",`, nil, 400, "BadRequest", ""},
		{"not an object", "POST", "/api/v1/namespaces/default/pods", `[1,2,3]`, nil, 400, "BadRequest", ""},
		{"empty body", "POST", "/api/v1/namespaces/default/pods", ``, nil, 400, "BadRequest", ""},
		{"wrong field type", "POST", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"p"},"spec":{"containers":"nope"}}`, nil, 400, "BadRequest", "cannot be handled as a Pod"},
		{"malformed yaml", "POST", "/api/v1/namespaces/default/pods", "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n", []string{"Content-Type", "application/yaml"}, 400, "BadRequest", ""},
		{"yaml ok kind mismatch", "POST", "/api/v1/namespaces/default/pods", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n", []string{"Content-Type", "application/yaml"}, 400, "BadRequest", ""},
		{"unknown resource", "GET", "/api/v1/namespaces/default/widgets", "", nil, 404, "NotFound", "the server could not find the requested resource"},
		{"unknown group", "GET", "/apis/example.com/v1/things", "", nil, 404, "NotFound", ""},
		{"unknown version", "GET", "/apis/apps/v9/deployments", "", nil, 404, "NotFound", ""},
		{"unknown subresource", "GET", "/api/v1/namespaces/default/pods/x/bogus", "", nil, 404, "NotFound", ""},
		{"invalid name", "POST", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"Bad_Name"},"spec":{"containers":[{"name":"c","image":"i"}]}}`, nil, 422, "Invalid", `metadata.name: Invalid value: "Bad_Name"`},
		{"missing name", "POST", "/api/v1/namespaces/default/configmaps", `{"metadata":{}}`, nil, 422, "Invalid", "name or generateName is required"},
		{"missing image", "POST", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}`, nil, 422, "Invalid", "spec.containers[0].image: Required value"},
		{"namespace mismatch", "POST", "/api/v1/namespaces/default/configmaps", `{"metadata":{"name":"c","namespace":"kube-system"}}`, nil, 400, "BadRequest", "does not match the namespace"},
		{"oversize body", "POST", "/api/v1/namespaces/default/configmaps", big, nil, 413, "RequestEntityTooLarge", ""},
		{"unsupported media type", "POST", "/api/v1/namespaces/default/configmaps", `x`, []string{"Content-Type", "text/plain"}, 415, "UnsupportedMediaType", ""},
		{"protobuf without magic", "POST", "/api/v1/namespaces/default/configmaps", `x`, []string{"Content-Type", "application/vnd.kubernetes.protobuf"}, 400, "BadRequest", "does not appear to be a protobuf message"},
		{"strict unknown field", "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", `{"metadata":{"name":"c"},"dta":{}}`, nil, 400, "BadRequest", `strict decoding error: unknown field "dta"`},
		{"bad fieldValidation", "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Loose", `{"metadata":{"name":"c"}}`, nil, 400, "BadRequest", ""},
		{"bad limit", "GET", "/api/v1/pods?limit=abc", "", nil, 400, "BadRequest", ""},
		{"bad timeoutSeconds", "GET", "/api/v1/pods?watch=true&timeoutSeconds=x", "", nil, 400, "BadRequest", ""},
		{"name mismatch on update", "PUT", "/api/v1/namespaces/default/configmaps/a", `{"metadata":{"name":"b"}}`, nil, 400, "BadRequest", "does not match the name on the URL"},
		{"create with a name in the path", "POST", "/api/v1/namespaces/default/configmaps/a", `{"metadata":{"name":"a"}}`, nil, 405, "MethodNotAllowed", ""},
		{"delete missing", "DELETE", "/api/v1/namespaces/default/configmaps/none", "", nil, 404, "NotFound", `configmaps "none" not found`},
		{"apps kind in core", "POST", "/api/v1/namespaces/default/replicationcontrollers", `{"apiVersion":"apps/v1","kind":"ReplicationController","metadata":{"name":"x"}}`, nil, 400, "BadRequest", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			r := s.do(c.method, c.path, body, c.headers...)
			m := expectStatus(t, r, c.code, c.reason)
			if c.msgContains != "" && !strings.Contains(m["message"].(string), c.msgContains) {
				t.Errorf("message %q does not contain %q", m["message"], c.msgContains)
			}
		})
	}
	// YAML bodies work when well-formed.
	s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n", "Content-Type", "application/yaml")
	// Unknown fields without Strict are dropped with a warning (upstream's default, Warn).
	r := s.do("POST", "/api/v1/namespaces/default/configmaps", `{"metadata":{"name":"warned"},"dta":{}}`)
	if r.Code != 201 || !strings.Contains(r.Header.Get("Warning"), `unknown field \"dta\"`) {
		t.Errorf("warn mode: %d %q", r.Code, r.Header.Get("Warning"))
	}
}
