package patch

import (
	"reflect"
	"testing"
	"time"
)

type sInner struct {
	Shared string `json:"shared"`
	Deep   string `json:"deep"`
}

type sEmbedded struct {
	sInner
	Inline string   `json:"inline"`
	Tagged []string `json:"tagged,omitempty" patchStrategy:"merge"`
}

type sNode struct {
	Name     string   `json:"name"`
	Children []*sNode `json:"children,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
}

type sRoot struct {
	sEmbedded `json:",inline"`
	*sNode
	Shared   int                `json:"shared"`
	Named    sInner             `json:"named"`
	Skipped  string             `json:"-"`
	hidden   string             // unexported: not a JSON field
	NoTag    string             // named after the Go field
	ByName   map[string]*sInner `json:"byName"`
	Items    [2]sInner          `json:"items" patchStrategy:"merge,retainKeys" patchMergeKey:"deep"`
	When     time.Time          `json:"when"`
	Raw      []byte             `json:"raw"`
	Anything any                `json:"anything"`
}

func TestSchemaFromType(t *testing.T) {
	s := SchemaFromType(reflect.TypeOf(&sRoot{}))
	if s == nil {
		t.Fatal("nil schema for a struct")
	}
	tests := []struct {
		path       []string // field names; "[]" steps into Elem
		found      bool
		strategies []string
		mergeKey   string
		hasSchema  bool
	}{
		{path: []string{"inline"}, found: true},
		{path: []string{"tagged"}, found: true, strategies: []string{"merge"}, hasSchema: true},
		{path: []string{"deep"}, found: true},
		{path: []string{"shared"}, found: true}, // the shallower Shared wins
		{path: []string{"name"}, found: true},   // from the embedded *sNode
		{path: []string{"children"}, found: true, strategies: []string{"merge"}, mergeKey: "name", hasSchema: true},
		{path: []string{"children", "[]", "children", "[]", "name"}, found: true},
		{path: []string{"named", "deep"}, found: true},
		{path: []string{"Skipped"}, found: false},
		{path: []string{"hidden"}, found: false},
		{path: []string{"NoTag"}, found: true},
		{path: []string{"byName", "anyKey", "shared"}, found: true},
		{path: []string{"items"}, found: true, strategies: []string{"merge", "retainKeys"}, mergeKey: "deep", hasSchema: true},
		{path: []string{"items", "[]", "deep"}, found: true},
		{path: []string{"when"}, found: true},
		{path: []string{"when", "wall"}, found: false},
		{path: []string{"raw"}, found: true},
		{path: []string{"anything"}, found: true},
		{path: []string{"nope"}, found: false},
	}
	for _, tt := range tests {
		cur := s
		var meta FieldMeta
		found := true
		for _, step := range tt.path {
			if cur == nil {
				found = false
				break
			}
			if step == "[]" {
				cur = cur.Elem()
				continue
			}
			var ok bool
			cur, meta, ok = cur.Field(step)
			if !ok {
				found = false
				break
			}
		}
		if found != tt.found {
			t.Errorf("%v: found = %v, want %v", tt.path, found, tt.found)
			continue
		}
		if !found {
			continue
		}
		if !reflect.DeepEqual(meta.PatchStrategies, tt.strategies) || meta.PatchMergeKey != tt.mergeKey {
			t.Errorf("%v: meta = %+v, want strategies %v key %q", tt.path, meta, tt.strategies, tt.mergeKey)
		}
		if tt.hasSchema && cur == nil {
			t.Errorf("%v: no schema", tt.path)
		}
	}
}

func TestSchemaFromTypeOpaqueAndNil(t *testing.T) {
	if s := SchemaFromType(reflect.TypeOf(time.Time{})); s != nil {
		t.Errorf("time.Time encodes itself, got schema %v", s)
	}
	if s := SchemaFromType(reflect.TypeOf("")); s != nil {
		t.Errorf("string: got schema %v", s)
	}
	if s := SchemaFromType(nil); s != nil {
		t.Errorf("nil type: got schema %v", s)
	}
	// A field whose type has no schema must come back as a nil interface,
	// not an interface holding a nil pointer.
	f, _, ok := podSchema.Field("kind")
	if !ok || f != nil {
		t.Errorf("kind: field = %#v, ok = %v", f, ok)
	}
}
