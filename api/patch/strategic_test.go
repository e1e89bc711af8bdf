package patch

import (
	"errors"
	"strings"
	"testing"
)

func TestApplyStrategicMergePatch(t *testing.T) {
	const pod = `{
	  "kind": "Pod",
	  "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}, "finalizers": ["a", "b"]},
	  "spec": {
	    "containers": [
	      {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "a"}], "ports": [{"containerPort": 80}]},
	      {"name": "sidecar", "image": "proxy:1"}
	    ],
	    "tolerations": [{"key": "x"}]
	  },
	  "status": {"phase": "Running"}
	}`
	tests := []struct {
		name    string
		doc     string
		patch   string
		schema  Schema
		want    string
		wantErr error
		errText string
	}{
		{
			name:   "container image by name leaves other containers alone",
			doc:    pod,
			patch:  `{"spec":{"containers":[{"name":"sidecar","image":"proxy:2"}]}}`,
			schema: podSchema,
			want: `{"kind":"Pod","metadata":{"name":"web","labels":{"app":"web","tier":"fe"},"finalizers":["a","b"]},
			  "spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"A","value":"a"}],"ports":[{"containerPort":80}]},
			  {"name":"sidecar","image":"proxy:2"}],"tolerations":[{"key":"x"}]},"status":{"phase":"Running"}}`,
		},
		{
			// Without $setElementOrder upstream puts a new element in
			// front of the elements the patch does not mention.
			name:   "add env var",
			doc:    `{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"a"}]}]}}`,
			patch:  `{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"b"}]}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"b"},{"name":"A","value":"a"}]}]}}`,
		},
		{
			name:   "add env var with $setElementOrder",
			doc:    `{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"a"}]}]}}`,
			patch:  `{"spec":{"containers":[{"name":"app","$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"b"}]}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"a"},{"name":"B","value":"b"}]}]}}`,
		},
		{
			name:   "delete container",
			doc:    pod,
			patch:  `{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}`,
			schema: podSchema,
			want: `{"kind":"Pod","metadata":{"name":"web","labels":{"app":"web","tier":"fe"},"finalizers":["a","b"]},
			  "spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"A","value":"a"}],"ports":[{"containerPort":80}]}],
			  "tolerations":[{"key":"x"}]},"status":{"phase":"Running"}}`,
		},
		{
			name:   "delete removes every duplicate",
			doc:    `{"spec":{"containers":[{"name":"a"},{"name":"a"},{"name":"b","image":"x"}]}}`,
			patch:  `{"spec":{"containers":[{"name":"a","$patch":"delete"},{"name":"zzz","$patch":"delete"}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"b","image":"x"}]}}`,
		},
		{
			name:   "replace list",
			doc:    pod,
			patch:  `{"spec":{"containers":[{"name":"only","image":"only:1","env":[{"name":"X","value":null}]},{"$patch":"replace"}]}}`,
			schema: podSchema,
			want: `{"kind":"Pod","metadata":{"name":"web","labels":{"app":"web","tier":"fe"},"finalizers":["a","b"]},
			  "spec":{"containers":[{"name":"only","image":"only:1","env":[{"name":"X"}]}],"tolerations":[{"key":"x"}]},"status":{"phase":"Running"}}`,
		},
		{
			name:   "replace list with nothing",
			doc:    `{"spec":{"containers":[{"name":"a"}]}}`,
			patch:  `{"spec":{"containers":[{"$patch":"replace"}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[]}}`,
		},
		{
			name:   "labels merge and null deletes",
			doc:    pod,
			patch:  `{"metadata":{"labels":{"tier":null,"env":"prod"}}}`,
			schema: podSchema,
			want: `{"kind":"Pod","metadata":{"name":"web","labels":{"app":"web","env":"prod"},"finalizers":["a","b"]},
			  "spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"A","value":"a"}],"ports":[{"containerPort":80}]},
			  {"name":"sidecar","image":"proxy:1"}],"tolerations":[{"key":"x"}]},"status":{"phase":"Running"}}`,
		},
		{
			name:   "non-merge list is replaced",
			doc:    `{"spec":{"tolerations":[{"key":"x"},{"key":"y"}]}}`,
			patch:  `{"spec":{"tolerations":[{"key":"z"}]}}`,
			schema: podSchema,
			want:   `{"spec":{"tolerations":[{"key":"z"}]}}`,
		},
		{
			name:   "primitive merge list is a union",
			doc:    `{"metadata":{"finalizers":["a","b"]}}`,
			patch:  `{"metadata":{"finalizers":["b","c"]}}`,
			schema: podSchema,
			want:   `{"metadata":{"finalizers":["a","b","c"]}}`,
		},
		{
			name:   "primitive union keeps the patch order",
			doc:    `{"metadata":{"finalizers":["1","2","3"]}}`,
			patch:  `{"metadata":{"finalizers":["3","1"]}}`,
			schema: podSchema,
			want:   `{"metadata":{"finalizers":["2","3","1"]}}`,
		},
		{
			name:   "$deleteFromPrimitiveList",
			doc:    `{"metadata":{"finalizers":["a","b","c","b"]}}`,
			patch:  `{"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zzz"]}}`,
			schema: podSchema,
			want:   `{"metadata":{"finalizers":["a","c"]}}`,
		},
		{
			name:   "$deleteFromPrimitiveList on a missing list adds nothing",
			doc:    `{"metadata":{}}`,
			patch:  `{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}`,
			schema: podSchema,
			want:   `{"metadata":{}}`,
		},
		{
			name:   "$setElementOrder reorders a list of objects",
			doc:    `{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b"},{"name":"c"}]}}`,
			patch:  `{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"c"},{"name":"a","image":"1"},{"name":"b"}]}}`,
		},
		{
			name:   "$setElementOrder reorders primitives and skips absent ones",
			doc:    `{"metadata":{"finalizers":["1","3"]}}`,
			patch:  `{"metadata":{"$setElementOrder/finalizers":["3","2","1"]}}`,
			schema: podSchema,
			want:   `{"metadata":{"finalizers":["3","1"]}}`,
		},
		{
			name:   "$setElementOrder keeps server-only elements in their place",
			doc:    `{"spec":{"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"4","image":"c"}]}}`,
			patch:  `{"spec":{"$setElementOrder/containers":[{"name":"2"},{"name":"3"}],"containers":[{"name":"3"},{"name":"1","$patch":"delete"}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"2","image":"b"},{"name":"3"},{"name":"4","image":"c"}]}}`,
		},
		{
			name:   "patch order wins over live order",
			doc:    `{"spec":{"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"3"}]}}`,
			patch:  `{"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"2","image":"b"},{"name":"3","image":"c"},{"name":"1","image":"a"}]}}`,
		},
		{
			name:   "merge key may be a number",
			doc:    `{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}}`,
			patch:  `{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80.0,"protocol":"TCP"}]}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80.0,"name":"http","protocol":"TCP"},{"containerPort":443}]}]}}`,
		},
		{
			name:   "$patch replace on an object",
			doc:    `{"spec":{"nodeSelector":{"a":"1","b":"2"}}}`,
			patch:  `{"spec":{"nodeSelector":{"$patch":"replace","c":"3"}}}`,
			schema: podSchema,
			want:   `{"spec":{"nodeSelector":{"c":"3"}}}`,
		},
		{
			name:   "$patch delete on an object leaves it empty like upstream",
			doc:    `{"spec":{"nodeSelector":{"a":"1"},"nodeName":"n1"}}`,
			patch:  `{"spec":{"nodeSelector":{"$patch":"delete"}}}`,
			schema: podSchema,
			want:   `{"spec":{"nodeSelector":{},"nodeName":"n1"}}`,
		},
		{
			name:   "$patch merge is the default",
			doc:    `{"spec":{"nodeSelector":{"a":"1"}}}`,
			patch:  `{"spec":{"nodeSelector":{"$patch":"merge","b":"2"}}}`,
			schema: podSchema,
			want:   `{"spec":{"nodeSelector":{"a":"1","b":"2"}}}`,
		},
		{
			name:   "$retainKeys drops fields not listed",
			doc:    `{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}},"replicas":1}}`,
			patch:  `{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}`,
			schema: deploymentSchema,
			want:   `{"spec":{"strategy":{"type":"Recreate"},"replicas":1}}`,
		},
		{
			name:   "$retainKeys inside merged list elements",
			doc:    `{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}`,
			patch:  `{"spec":{"volumes":[{"name":"v","$retainKeys":["configMap","name"],"configMap":{"name":"cm"}}]}}`,
			schema: podSchema,
			want:   `{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}}]}}`,
		},
		{
			name:   "new subtree has its directives resolved",
			doc:    `{"metadata":{"name":"x"}}`,
			patch:  `{"spec":{"containers":[{"name":"a","env":[{"name":"gone","$patch":"delete"},{"name":"E","value":null}]}]}}`,
			schema: podSchema,
			want:   `{"metadata":{"name":"x"},"spec":{"containers":[{"name":"a","env":[{"name":"E"}]}]}}`,
		},
		{
			name:   "unknown fields behave like a merge patch",
			doc:    `{"data":{"a":"1","b":"2"},"list":[{"name":"x"},{"name":"y"}]}`,
			patch:  `{"data":{"a":null,"c":"3"},"list":[{"name":"z"}]}`,
			schema: podSchema,
			want:   `{"data":{"b":"2","c":"3"},"list":[{"name":"z"}]}`,
		},
		{
			name:   "nil schema",
			doc:    `{"spec":{"containers":[{"name":"a"}]}}`,
			patch:  `{"spec":{"containers":[{"name":"b"}]}}`,
			schema: nil,
			want:   `{"spec":{"containers":[{"name":"b"}]}}`,
		},
		{
			name:   "opaque types merge as unknown maps",
			doc:    `{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}`,
			patch:  `{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"2"}}}]}}`,
			schema: podSchema,
			want:   `{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"2","memory":"1Gi"}}}]}}`,
		},
		{
			name:    "merge key missing",
			doc:     `{"spec":{"containers":[{"name":"a"}]}}`,
			patch:   `{"spec":{"containers":[{"image":"x"}]}}`,
			schema:  podSchema,
			wantErr: ErrBadPatch,
			errText: "spec.containers[0]: map: map[image:x] does not contain declared merge key: name",
		},
		{
			name:    "delete directive without merge key",
			doc:     `{"spec":{"containers":[{"name":"a"}]}}`,
			patch:   `{"spec":{"containers":[{"image":"x","$patch":"delete"}]}}`,
			schema:  podSchema,
			wantErr: ErrBadPatch,
			errText: "does not contain declared merge key: name",
		},
		{
			name:    "unknown $patch",
			doc:     `{}`,
			patch:   `{"spec":{"$patch":"explode"}}`,
			schema:  podSchema,
			wantErr: ErrBadPatch,
			errText: "spec: unknown patch type: explode",
		},
		{
			name:    "$setElementOrder out of step with the patch list",
			doc:     `{"spec":{"containers":[{"name":"1"},{"name":"3"},{"name":"2"}]}}`,
			patch:   `{"spec":{"$setElementOrder/containers":[{"name":"1"},{"name":"2"},{"name":"3"}],"containers":[{"name":"3","image":"x"},{"name":"1","image":"y"}]}}`,
			schema:  podSchema,
			wantErr: ErrBadPatch,
			errText: "doesn't match the $setElementOrder list",
		},
		{
			name:    "$setElementOrder element without merge key",
			doc:     `{"spec":{"containers":[{"name":"1"}]}}`,
			patch:   `{"spec":{"$setElementOrder/containers":[{"image":"1"}]}}`,
			schema:  podSchema,
			wantErr: ErrBadPatch,
			errText: "does not contain declared merge key: name",
		},
		{
			name:    "$retainKeys not a list",
			doc:     `{}`,
			patch:   `{"spec":{"strategy":{"$retainKeys":"type"}}}`,
			schema:  deploymentSchema,
			wantErr: ErrBadPatch,
			errText: "invalid patch format of retainKeys",
		},
		{
			name:    "patch sets a key $retainKeys drops",
			doc:     `{}`,
			patch:   `{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}`,
			schema:  deploymentSchema,
			wantErr: ErrBadPatch,
			errText: "patch content doesn't match retainKeys list",
		},
		{
			name:    "bare directive key",
			doc:     `{}`,
			patch:   `{"$setElementOrder":[]}`,
			wantErr: ErrBadPatch,
			errText: "want $setElementOrder/<field>",
		},
		{
			name:    "mixed element types",
			doc:     `{"metadata":{"finalizers":["a"]}}`,
			patch:   `{"metadata":{"finalizers":[{"x":1}]}}`,
			schema:  podSchema,
			wantErr: ErrBadPatch,
			errText: "list element types are not identical",
		},
		{
			name:    "patch is not an object",
			doc:     `{}`,
			patch:   `[]`,
			wantErr: ErrBadPatch,
			errText: "expected a JSON object, got array",
		},
		{
			name:    "document is not an object",
			doc:     `"x"`,
			patch:   `{}`,
			wantErr: ErrInvalidJSON,
			errText: "decode document",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyStrategicMergePatch([]byte(tt.doc), []byte(tt.patch), tt.schema)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want one wrapping %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("error %q does not say %q", err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			assertJSON(t, "patched document", got, tt.want)
		})
	}
}

func TestApplyStrategicMergePatchMapLeavesInputsAlone(t *testing.T) {
	docBytes := `{"metadata":{"labels":{"a":"1"}},"spec":{"containers":[{"name":"a","image":"1"},{"name":"b"}]}}`
	patchBytes := `{"metadata":{"labels":{"a":null}},"spec":{"containers":[{"name":"a","image":"2"},{"name":"b","$patch":"delete"}]}}`
	doc, _ := DecodeJSON([]byte(docBytes))
	p, _ := DecodeJSON([]byte(patchBytes))
	if _, err := ApplyStrategicMergePatchMap(doc.(map[string]any), p.(map[string]any), podSchema); err != nil {
		t.Fatal(err)
	}
	gotDoc, _ := encodeJSON(doc)
	gotPatch, _ := encodeJSON(p)
	assertJSON(t, "document after apply", gotDoc, docBytes)
	assertJSON(t, "patch after apply", gotPatch, patchBytes)
}
