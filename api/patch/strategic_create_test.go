package patch

import (
	"errors"
	"strings"
	"testing"
)

func TestCreateTwoWayMergePatch(t *testing.T) {
	tests := []struct {
		name               string
		original, modified string
		schema             Schema
		want               string
	}{
		{
			name:     "no change",
			original: `{"metadata":{"name":"a"},"spec":{"containers":[{"name":"a"}]}}`,
			modified: `{"metadata":{"name":"a"},"spec":{"containers":[{"name":"a"}]}}`,
			schema:   podSchema,
			want:     `{}`,
		},
		{
			name:     "container image",
			original: `{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}`,
			modified: `{"spec":{"containers":[{"name":"a","image":"2"},{"name":"b","image":"1"}]}}`,
			schema:   podSchema,
			want:     `{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"image":"2","name":"a"}]}}`,
		},
		{
			name:     "container removed",
			original: `{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}`,
			modified: `{"spec":{"containers":[{"name":"a"}]}}`,
			schema:   podSchema,
			want:     `{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"$patch":"delete","name":"b"}]}}`,
		},
		{
			name:     "containers reordered",
			original: `{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}`,
			modified: `{"spec":{"containers":[{"name":"b"},{"name":"a"}]}}`,
			schema:   podSchema,
			want:     `{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}`,
		},
		{
			name:     "env var added inside a container",
			original: `{"spec":{"containers":[{"name":"a","env":[{"name":"A"}]}]}}`,
			modified: `{"spec":{"containers":[{"name":"a","env":[{"name":"A"},{"name":"B","value":"b"}]}]}}`,
			schema:   podSchema,
			want: `{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"a",
			  "$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"b"}]}]}}`,
		},
		{
			name:     "list added where there was none",
			original: `{"spec":{}}`,
			modified: `{"spec":{"containers":[{"name":"a"}]}}`,
			schema:   podSchema,
			want:     `{"spec":{"containers":[{"name":"a"}]}}`,
		},
		{
			name:     "finalizers",
			original: `{"metadata":{"finalizers":["a","b"]}}`,
			modified: `{"metadata":{"finalizers":["a","c"]}}`,
			schema:   podSchema,
			want:     `{"metadata":{"$setElementOrder/finalizers":["a","c"],"$deleteFromPrimitiveList/finalizers":["b"],"finalizers":["c"]}}`,
		},
		{
			name:     "label removed and added",
			original: `{"metadata":{"labels":{"app":"a","tier":"fe"}}}`,
			modified: `{"metadata":{"labels":{"app":"a","env":"prod"}}}`,
			schema:   podSchema,
			want:     `{"metadata":{"labels":{"env":"prod","tier":null}}}`,
		},
		{
			name:     "strategy RollingUpdate to Recreate",
			original: `{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}`,
			modified: `{"spec":{"strategy":{"type":"Recreate"}}}`,
			schema:   deploymentSchema,
			want:     `{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}`,
		},
		{
			name:     "volume source switched",
			original: `{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}`,
			modified: `{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}}]}}`,
			schema:   podSchema,
			want: `{"spec":{"$setElementOrder/volumes":[{"name":"v"}],"volumes":[{"$retainKeys":["configMap","name"],
			  "configMap":{"name":"cm"},"emptyDir":null,"name":"v"}]}}`,
		},
		{
			name:     "non-merge list sent whole",
			original: `{"spec":{"tolerations":[{"key":"a"},{"key":"b"}]}}`,
			modified: `{"spec":{"tolerations":[{"key":"a"}]}}`,
			schema:   podSchema,
			want:     `{"spec":{"tolerations":[{"key":"a"}]}}`,
		},
		{
			name:     "unknown fields diff like a merge patch",
			original: `{"data":{"a":"1","b":"2"},"list":[1,2]}`,
			modified: `{"data":{"a":"1","c":"3"},"list":[1]}`,
			schema:   nil,
			want:     `{"data":{"b":null,"c":"3"},"list":[1]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CreateTwoWayMergePatch([]byte(tt.original), []byte(tt.modified), tt.schema)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			assertJSON(t, "patch", got, tt.want)
			applied, err := ApplyStrategicMergePatch([]byte(tt.original), got, tt.schema)
			if err != nil {
				t.Fatalf("apply the patch to original: %v", err)
			}
			assertJSON(t, "original+patch", applied, tt.modified)
		})
	}
}

func TestCreateThreeWayMergePatch(t *testing.T) {
	tests := []struct {
		name                        string
		original, modified, current string
		schema                      Schema
		wantPatch                   string // checked when set
		wantResult                  string
	}{
		{
			name: "pod round trip keeps server-set fields",
			original: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web","tier":"fe"}},
			  "spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"A","value":"a"},{"name":"OLD","value":"x"}]},
			  {"name":"log","image":"log:1"}]}}`,
			modified: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web","env":"prod"}},
			  "spec":{"containers":[{"name":"app","image":"app:2","env":[{"name":"A","value":"a"},{"name":"NEW","value":"n"}]}]}}`,
			current: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","uid":"u1","resourceVersion":"7",
			  "labels":{"app":"web","tier":"fe","injected":"yes"}},
			  "spec":{"nodeName":"n1","containers":[
			    {"name":"app","image":"app:1","terminationMessagePath":"/dev/termination-log","env":[{"name":"A","value":"a"},{"name":"OLD","value":"x"}]},
			    {"name":"log","image":"log:1"},
			    {"name":"istio-proxy","image":"proxy:1"}]},
			  "status":{"phase":"Running","podIP":"10.0.0.5"}}`,
			schema: podSchema,
			wantPatch: `{"metadata":{"labels":{"env":"prod","tier":null}},"spec":{"$setElementOrder/containers":[{"name":"app"}],
			  "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"NEW"}],"env":[{"name":"NEW","value":"n"},{"$patch":"delete","name":"OLD"}],
			  "image":"app:2","name":"app"},{"$patch":"delete","name":"log"}]}}`,
			wantResult: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","uid":"u1","resourceVersion":"7",
			  "labels":{"app":"web","env":"prod","injected":"yes"}},
			  "spec":{"nodeName":"n1","containers":[
			    {"name":"app","image":"app:2","terminationMessagePath":"/dev/termination-log","env":[{"name":"A","value":"a"},{"name":"NEW","value":"n"}]},
			    {"name":"istio-proxy","image":"proxy:1"}]},
			  "status":{"phase":"Running","podIP":"10.0.0.5"}}`,
		},
		{
			name:     "service keeps clusterIP and nodePort",
			original: `{"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"name":"http","port":80}]}}`,
			modified: `{"spec":{"type":"NodePort","selector":{"app":"web2"},"ports":[{"name":"http","port":80},{"name":"https","port":443}]}}`,
			current:  `{"spec":{"type":"NodePort","clusterIP":"10.96.0.10","selector":{"app":"web"},"ports":[{"name":"http","port":80,"nodePort":30080}]}}`,
			schema:   serviceSchema,
			wantPatch: `{"spec":{"$setElementOrder/ports":[{"port":80},{"port":443}],"ports":[{"name":"https","port":443}],
			  "selector":{"app":"web2"}}}`,
			wantResult: `{"spec":{"type":"NodePort","clusterIP":"10.96.0.10","selector":{"app":"web2"},
			  "ports":[{"name":"http","port":80,"nodePort":30080},{"name":"https","port":443}]}}`,
		},
		{
			name:       "defaulted RollingUpdate switched to Recreate",
			original:   `{"spec":{"replicas":2}}`,
			modified:   `{"spec":{"replicas":2,"strategy":{"type":"Recreate"}}}`,
			current:    `{"spec":{"replicas":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}}}`,
			schema:     deploymentSchema,
			wantPatch:  `{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}`,
			wantResult: `{"spec":{"replicas":2,"strategy":{"type":"Recreate"}}}`,
		},
		{
			name:       "field dropped from the manifest is deleted, server fields stay",
			original:   `{"metadata":{"annotations":{"a":"1","b":"2"}},"spec":{"replicas":3}}`,
			modified:   `{"metadata":{"annotations":{"a":"1"}}}`,
			current:    `{"metadata":{"annotations":{"a":"1","b":"2","deployment.kubernetes.io/revision":"4"}},"spec":{"replicas":3,"paused":false},"status":{"replicas":3}}`,
			schema:     deploymentSchema,
			wantPatch:  `{"metadata":{"annotations":{"b":null}},"spec":null}`,
			wantResult: `{"metadata":{"annotations":{"a":"1","deployment.kubernetes.io/revision":"4"}},"status":{"replicas":3}}`,
		},
		{
			name:       "finalizer removed and added",
			original:   `{"metadata":{"finalizers":["a","b"]}}`,
			modified:   `{"metadata":{"finalizers":["a","c"]}}`,
			current:    `{"metadata":{"finalizers":["a","b","server"]}}`,
			schema:     podSchema,
			wantPatch:  `{"metadata":{"$setElementOrder/finalizers":["a","c"],"$deleteFromPrimitiveList/finalizers":["b"],"finalizers":["c"]}}`,
			wantResult: `{"metadata":{"finalizers":["a","c","server"]}}`,
		},
		{
			name:       "element only in the deletions and the delta merge into one entry in order",
			original:   `{"spec":{"containers":[{"name":"a","args":["x"]},{"name":"b","image":"1"}]}}`,
			modified:   `{"spec":{"containers":[{"name":"a"},{"name":"b","image":"2"}]}}`,
			current:    `{"spec":{"containers":[{"name":"a","args":["x"]},{"name":"b","image":"1"}]}}`,
			schema:     podSchema,
			wantPatch:  `{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"args":null,"name":"a"},{"image":"2","name":"b"}]}}`,
			wantResult: `{"spec":{"containers":[{"name":"a"},{"name":"b","image":"2"}]}}`,
		},
		{
			// Upstream's "nested patch merge with empty list": a directive
			// written in the manifest itself passes through.
			name:       "manifest carrying a delete directive",
			original:   `{"metadata":{"name":"hi"}}`,
			modified:   `{"metadata":{"name":"hi"},"spec":{"containers":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]}}`,
			current:    `{"metadata":{"name":"hi"},"spec":{"containers":[{"name":"hello2"}]}}`,
			schema:     podSchema,
			wantPatch:  `{"spec":{"$setElementOrder/containers":[{"name":"hello"},{"name":"doesntexist"}],"containers":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]}}`,
			wantResult: `{"metadata":{"name":"hi"},"spec":{"containers":[{"name":"hello"},{"name":"hello2"}]}}`,
		},
		{
			name:       "no last-applied configuration",
			original:   ``,
			modified:   `{"metadata":{"labels":{"a":"1"}}}`,
			current:    `{"metadata":{"labels":{"b":"2"}}}`,
			schema:     podSchema,
			wantPatch:  `{"metadata":{"labels":{"a":"1"}}}`,
			wantResult: `{"metadata":{"labels":{"a":"1","b":"2"}}}`,
		},
		{
			name:       "current lost a list the manifest still has",
			original:   `{"spec":{"containers":[{"name":"a","env":[{"name":"X"},{"name":"Y"}]}]}}`,
			modified:   `{"spec":{"containers":[{"name":"a","env":[{"name":"X"}]}]}}`,
			current:    `{"spec":{}}`,
			schema:     podSchema,
			wantResult: `{"spec":{"containers":[{"name":"a","env":[{"name":"X"}]}]}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CreateThreeWayMergePatch([]byte(tt.original), []byte(tt.modified), []byte(tt.current), tt.schema, true)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantPatch != "" {
				assertJSON(t, "three-way patch", got, tt.wantPatch)
			}
			result, err := ApplyStrategicMergePatch([]byte(tt.current), got, tt.schema)
			if err != nil {
				t.Fatalf("apply the patch to current: %v (patch %s)", err, got)
			}
			assertJSON(t, "current+patch", result, tt.wantResult)
		})
	}
}

func TestCreateThreeWayMergePatchConflicts(t *testing.T) {
	original := `{"spec":{"replicas":1,"containers":[{"name":"a","image":"1"}]}}`
	modified := `{"spec":{"replicas":2,"containers":[{"name":"a","image":"1"}]}}`
	tests := []struct {
		name     string
		current  string
		conflict bool
	}{
		{"live object changed the same field", `{"spec":{"replicas":5,"containers":[{"name":"a","image":"1"}]}}`, true},
		{"live object changed a field the manifest also sets", `{"spec":{"replicas":1,"containers":[{"name":"a","image":"9"}]}}`, true},
		{"live object set a field the manifest leaves alone", `{"spec":{"replicas":1,"nodeName":"n1","containers":[{"name":"a","image":"1","args":["x"]}]}}`, false},
		{"live object unchanged", `{"spec":{"replicas":1,"containers":[{"name":"a","image":"1"}]}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CreateThreeWayMergePatch([]byte(original), []byte(modified), []byte(tt.current), podSchema, false)
			if tt.conflict != errors.Is(err, ErrConflict) {
				t.Fatalf("error = %v, want conflict %v", err, tt.conflict)
			}
			if !tt.conflict && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if _, err := CreateThreeWayMergePatch([]byte(original), []byte(modified), []byte(tt.current), podSchema, true); err != nil {
				t.Fatalf("with overwrite: %v", err)
			}
		})
	}
}

func TestCreatePatchPreconditions(t *testing.T) {
	preconditions := []Precondition{RequireKeyUnchanged("kind"), RequireMetadataKeyUnchanged("name")}
	tests := []struct {
		name, original, modified string
		wantErr                  bool
	}{
		{"labels only", `{"kind":"Pod","metadata":{"name":"a"}}`, `{"kind":"Pod","metadata":{"name":"a","labels":{"x":"1"}}}`, false},
		{"kind changed", `{"kind":"Pod","metadata":{"name":"a"}}`, `{"kind":"Service","metadata":{"name":"a"}}`, true},
		{"name changed", `{"kind":"Pod","metadata":{"name":"a"}}`, `{"kind":"Pod","metadata":{"name":"b"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CreateTwoWayMergePatch([]byte(tt.original), []byte(tt.modified), podSchema, preconditions...)
			if tt.wantErr != errors.Is(err, ErrPreconditionFailed) || (!tt.wantErr && err != nil) {
				t.Errorf("two-way: error = %v, want precondition failure %v", err, tt.wantErr)
			}
			_, err = CreateThreeWayMergePatch([]byte(tt.original), []byte(tt.modified), []byte(tt.original), podSchema, true, preconditions...)
			if tt.wantErr != errors.Is(err, ErrPreconditionFailed) || (!tt.wantErr && err != nil) {
				t.Errorf("three-way: error = %v, want precondition failure %v", err, tt.wantErr)
			}
		})
	}
}

func TestCreatePatchErrors(t *testing.T) {
	_, err := CreateTwoWayMergePatch([]byte(`{"spec":{"containers":[{"name":"a"}]}}`), []byte(`{"spec":{"containers":[{"image":"x"}]}}`), podSchema)
	if !errors.Is(err, ErrBadPatch) || !strings.Contains(err.Error(), "does not contain declared merge key: name") {
		t.Errorf("missing merge key: error = %v", err)
	}
	_, err = CreateThreeWayMergePatch([]byte(`{}`), []byte(`[]`), []byte(`{}`), podSchema, true)
	if !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("modified not an object: error = %v", err)
	}
}

func TestThreeWayWithoutSchemaIsAMergePatch(t *testing.T) {
	original := `{"spec":{"a":1,"list":[1,2],"obj":{"x":1,"y":2}}}`
	modified := `{"spec":{"list":[1,3],"obj":{"x":1}},"new":true}`
	current := `{"spec":{"a":1,"list":[1,2],"obj":{"x":1,"y":2,"server":3}},"status":{"ok":true}}`
	p, err := CreateThreeWayMergePatch([]byte(original), []byte(modified), []byte(current), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "patch", p, `{"new":true,"spec":{"a":null,"list":[1,3],"obj":{"y":null}}}`)
	got, err := ApplyMergePatch([]byte(current), p)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "current+patch", got, `{"new":true,"spec":{"list":[1,3],"obj":{"x":1,"server":3}},"status":{"ok":true}}`)
}
