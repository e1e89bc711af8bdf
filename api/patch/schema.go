package patch

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
)

// Patch strategies a FieldMeta may carry, spelled as in upstream's
// patchStrategy struct tags.
const (
	// StrategyMerge merges a list element-wise: by PatchMergeKey for lists of
	// objects, as a set for lists of primitives.
	StrategyMerge = "merge"
	// StrategyReplace replaces an object field wholesale instead of merging it.
	StrategyReplace = "replace"
	// StrategyRetainKeys makes CreateTwoWayMergePatch and
	// CreateThreeWayMergePatch send $retainKeys, so that keys not in the new
	// configuration are cleared (union types such as a Deployment's strategy).
	StrategyRetainKeys = "retainKeys"
)

// Schema tells strategic merge patch how the fields of an object behave. A
// nil Schema means nothing is known: objects merge and lists are replaced, as
// in a JSON merge patch.
type Schema interface {
	// Field returns the schema of the named field of an object (or, for a
	// map, of its values) with the field's patch metadata; ok is false when
	// the field is unknown.
	Field(name string) (field Schema, meta FieldMeta, ok bool)
	// Elem returns the schema of a list's elements, or nil.
	Elem() Schema
}

// FieldMeta is the patch metadata of one field.
type FieldMeta struct {
	// PatchStrategies holds StrategyMerge, StrategyReplace and/or
	// StrategyRetainKeys, from the patchStrategy tag split at commas.
	PatchStrategies []string
	// PatchMergeKey names the field that identifies an element of a merged
	// list of objects, from the patchMergeKey tag.
	PatchMergeKey string
}

// Has reports whether the field has the given patch strategy.
func (m FieldMeta) Has(strategy string) bool {
	for _, s := range m.PatchStrategies {
		if s == strategy {
			return true
		}
	}
	return false
}

// fieldOf looks name up in s, treating a nil schema and unknown fields alike.
func fieldOf(s Schema, name string) (Schema, FieldMeta) {
	if s == nil {
		return nil, FieldMeta{}
	}
	f, m, ok := s.Field(name)
	if !ok {
		return nil, FieldMeta{}
	}
	return f, m
}

func elemOf(s Schema) Schema {
	if s == nil {
		return nil
	}
	return s.Elem()
}

// SchemaFromType builds a Schema from a Go type the way encoding/json sees
// it: field names from `json:"..."` tags, embedded structs without a name
// (or with `json:",inline"`) flattened into their parent, pointers, slices,
// arrays and maps looked through. Patch metadata comes from the
// `patchStrategy:"..."` and `patchMergeKey:"..."` tags. Types that encode
// themselves (json.Marshaler, encoding.TextMarshaler: times, quantities,
// int-or-string) and interfaces have no schema. The result is immutable and
// safe for concurrent use; it returns nil for types with no structure.
func SchemaFromType(t reflect.Type) Schema {
	if t == nil {
		return nil
	}
	b := schemaBuilder{nodes: map[reflect.Type]*typeSchema{}}
	if n := b.build(t); n != nil {
		return n
	}
	return nil
}

// typeSchema is the Schema of one Go type: a struct (fields set), a map
// (isMap, elem) or a slice or array (elem).
type typeSchema struct {
	fields map[string]typeField
	isMap  bool
	elem   *typeSchema
}

type typeField struct {
	schema *typeSchema
	meta   FieldMeta
}

// Field implements Schema.
func (s *typeSchema) Field(name string) (Schema, FieldMeta, bool) {
	if s.isMap {
		return s.Elem(), FieldMeta{}, true
	}
	f, ok := s.fields[name]
	if !ok {
		return nil, FieldMeta{}, false
	}
	if f.schema == nil {
		return nil, f.meta, true
	}
	return f.schema, f.meta, true
}

// Elem implements Schema.
func (s *typeSchema) Elem() Schema {
	if s.elem == nil {
		return nil
	}
	return s.elem
}

type schemaBuilder struct {
	nodes map[reflect.Type]*typeSchema
}

var (
	jsonMarshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshalerType = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// encodesItself reports whether t picks its own JSON shape.
func encodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonMarshalerType) || pt.Implements(jsonMarshalerType) ||
		t.Implements(textMarshalerType) || pt.Implements(textMarshalerType)
}

func (b *schemaBuilder) build(t reflect.Type) *typeSchema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n, ok := b.nodes[t]; ok {
		return n
	}
	if encodesItself(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		n := &typeSchema{fields: map[string]typeField{}}
		b.nodes[t] = n // before recursing, for self-referencing types
		depths := map[string]int{}
		b.collect(t, 0, n, depths, map[reflect.Type]bool{})
		return n
	case reflect.Map:
		n := &typeSchema{isMap: true}
		b.nodes[t] = n
		n.elem = b.build(t.Elem())
		return n
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte is a base64 string
		}
		n := &typeSchema{}
		b.nodes[t] = n
		n.elem = b.build(t.Elem())
		return n
	default:
		return nil
	}
}

// collect adds the JSON fields of struct t to n. As in encoding/json, a field
// at a shallower embedding depth hides one further down; at equal depth the
// first one wins.
func (b *schemaBuilder) collect(t reflect.Type, depth int, n *typeSchema, depths map[string]int, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && !encodesItself(ft) {
				b.collect(ft, depth+1, n, depths, visiting)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if d, seen := depths[name]; seen && d <= depth {
			continue
		}
		depths[name] = depth
		n.fields[name] = typeField{schema: b.build(f.Type), meta: metaFromTag(f.Tag)}
	}
}

func metaFromTag(tag reflect.StructTag) FieldMeta {
	var m FieldMeta
	if s := tag.Get("patchStrategy"); s != "" {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				m.PatchStrategies = append(m.PatchStrategies, p)
			}
		}
	}
	m.PatchMergeKey = tag.Get("patchMergeKey")
	return m
}
