package registry

import (
	"testing"

	"seven.dev/api/defaults"
	"seven.dev/api/scheme"
	"seven.dev/api/validation"
)

// FuzzDecode feeds arbitrary bodies through what the server does with a request body:
// decode (lenient and strict) into every kind, default, validate. It must never panic;
// every rejection must be a Status error.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30001,"targetPort":"http"}]}}`,
		`{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"r"},"spec":{"replicas":-1,"selector":{"a":"b"},"template":{"metadata":{"labels":{"a":"c"}}}}}`,
		`{"apiVersion":"apps/v1","kind":"Deployment","spec":{"strategy":{"rollingUpdate":{"maxSurge":"200%"}}}}`,
		`{"metadata":{"name":"x","labels":{"a/b/c":"d"}},"spec":{"containers":"x"}}`,
		`{"spec":{"containers":[{"resources":{"limits":{"cpu":"1e999999"}}}]}}`,
		`[]`, `null`, `{`, `{"kind":1}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	sch := scheme.Default()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, k := range sch.Kinds() {
			for _, strict := range []bool{false, true} {
				obj, err := Decode(k, body, strict)
				if err != nil {
					if _, ok := err.(interface{ Error() string }); !ok {
						t.Fatalf("non-error rejection")
					}
					continue
				}
				defaults.Default(obj)
				_ = validation.Validate(obj)
				_ = validation.ValidateUpdate(obj, obj)
			}
		}
	})
}
