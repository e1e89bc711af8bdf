package patch

import (
	"fmt"
	"strings"
)

// Strategic merge patch directives, spelled as upstream spells them on the wire.
const (
	directiveKey       = "$patch"
	retainKeysKey      = "$retainKeys"
	setOrderPrefix     = "$setElementOrder/"
	deleteFromPrefix   = "$deleteFromPrimitiveList/"
	directiveReplace   = "replace"
	directiveDelete    = "delete"
	directiveMerge     = "merge"
	setOrderBare       = "$setElementOrder"
	deleteFromListBare = "$deleteFromPrimitiveList"
)

// ApplyStrategicMergePatch applies a strategic merge patch to doc; both must
// be JSON objects. Objects merge recursively and null deletes a key; lists
// whose field has StrategyMerge merge element-wise (objects by their merge
// key, primitives as a set), other lists are replaced. The directives $patch
// (replace, delete, merge), $retainKeys, $deleteFromPrimitiveList/<field> and
// $setElementOrder/<field> are honoured as upstream's apiserver does. A nil
// schema treats every field as unknown.
func ApplyStrategicMergePatch(doc, patch []byte, schema Schema) ([]byte, error) {
	d, err := decodeObject(doc, "document")
	if err != nil {
		return nil, err
	}
	p, err := decodeObject(patch, "strategic merge patch")
	if err != nil {
		return nil, &kindError{kind: ErrBadPatch, err: err}
	}
	out, err := ApplyStrategicMergePatchMap(d, p, schema)
	if err != nil {
		return nil, err
	}
	return encodeJSON(out)
}

// ApplyStrategicMergePatchMap is ApplyStrategicMergePatch on decoded objects.
// It does not modify doc or patch; the result may share unchanged parts with
// them.
func ApplyStrategicMergePatchMap(doc, patch map[string]any, schema Schema) (map[string]any, error) {
	return applyMap(doc, patch, schema, "")
}

// listPatch gathers what a patch says about one list field: the list itself
// and its parallel directive lists.
type listPatch struct {
	items     []any
	hasItems  bool
	order     []any
	hasOrder  bool
	remove    []any
	hasRemove bool
}

// applyMap merges patch into orig (which may be nil) and returns a new map.
func applyMap(orig, patch map[string]any, s Schema, path string) (map[string]any, error) {
	if d, ok := patch[directiveKey]; ok {
		switch d {
		case directiveReplace:
			// Replace: the patch, minus the marker, applied to nothing.
			rest := copyMap(patch)
			delete(rest, directiveKey)
			return applyMap(nil, rest, s, path)
		case directiveDelete:
			// Upstream leaves an empty object behind rather than removing the key.
			return map[string]any{}, nil
		case directiveMerge:
			patch = copyMap(patch)
			delete(patch, directiveKey)
		default:
			return nil, badPatch("%s: unknown patch type: %v in map: %v", displayPath(path), d, patch)
		}
	}
	out := copyMap(orig)
	if err := applyRetainKeys(out, patch, path); err != nil {
		return nil, err
	}

	lists := map[string]*listPatch{}
	listFor := func(name string) *listPatch {
		lp := lists[name]
		if lp == nil {
			lp = &listPatch{}
			lists[name] = lp
		}
		return lp
	}
	for _, k := range sortedKeys(patch) {
		v := patch[k]
		switch {
		case k == directiveKey || k == retainKeysKey:
			continue
		case strings.HasPrefix(k, setOrderPrefix):
			l, ok := v.([]any)
			name := k[len(setOrderPrefix):]
			if !ok || name == "" {
				return nil, badPatch("%s: invalid patch format of setElementOrder list: %s must be a list", displayPath(path), k)
			}
			lp := listFor(name)
			lp.order, lp.hasOrder = l, true
		case strings.HasPrefix(k, deleteFromPrefix):
			l, ok := v.([]any)
			name := k[len(deleteFromPrefix):]
			if !ok || name == "" {
				return nil, badPatch("%s: invalid patch format of primitive list: %s must be a list", displayPath(path), k)
			}
			lp := listFor(name)
			lp.remove, lp.hasRemove = l, true
		case k == setOrderBare || k == deleteFromListBare:
			return nil, badPatch("%s: invalid directive %s: want %s/<field>", displayPath(path), k, k)
		default:
			fs, meta := fieldOf(s, k)
			switch pv := v.(type) {
			case nil:
				delete(out, k)
			case []any:
				lp := listFor(k)
				lp.items, lp.hasItems = pv, true
			case map[string]any:
				om, _ := out[k].(map[string]any)
				if meta.Has(StrategyReplace) {
					om = nil
				}
				merged, err := applyMap(om, pv, fs, joinPath(path, k))
				if err != nil {
					return nil, err
				}
				out[k] = merged
			default:
				out[k] = v
			}
		}
	}

	for _, name := range sortedListNames(lists) {
		lp := lists[name]
		if pv, inPatch := patch[name]; inPatch {
			if _, isList := pv.([]any); !isList {
				// The field itself was set or deleted; its parallel lists
				// have nothing left to act on.
				continue
			}
		}
		cur, exists := out[name]
		curList, isList := cur.([]any)
		if !lp.hasItems && (!exists || !isList) {
			continue
		}
		if !isList {
			curList = nil
		}
		fs, meta := fieldOf(s, name)
		merged, err := applyList(curList, lp, fs, meta, joinPath(path, name))
		if err != nil {
			return nil, err
		}
		out[name] = merged
	}
	return out, nil
}

// applyRetainKeys drops from out every key the patch's $retainKeys list does
// not name, after checking the patch sets nothing outside that list.
func applyRetainKeys(out, patch map[string]any, path string) error {
	rk, ok := patch[retainKeysKey]
	if !ok {
		return nil
	}
	list, ok := rk.([]any)
	if !ok {
		return badPatch("%s: invalid patch format of retainKeys: $retainKeys must be a list of field names", displayPath(path))
	}
	keep := make(map[string]bool, len(list))
	for _, e := range list {
		name, ok := e.(string)
		if !ok {
			return badPatch("%s: invalid patch format of retainKeys: %s is not a field name", displayPath(path), compact(e))
		}
		keep[name] = true
	}
	for _, k := range sortedKeys(patch) {
		if patch[k] == nil || isDirectiveKey(k) {
			continue
		}
		if !keep[k] {
			return badPatch("%s: patch content doesn't match retainKeys list: %q is set but not retained", displayPath(path), k)
		}
	}
	for k := range out {
		if !keep[k] {
			delete(out, k)
		}
	}
	return nil
}

func isDirectiveKey(k string) bool {
	return k == directiveKey || k == retainKeysKey ||
		strings.HasPrefix(k, setOrderPrefix) || strings.HasPrefix(k, deleteFromPrefix)
}

func sortedListNames(m map[string]*listPatch) []string {
	keys := make(map[string]any, len(m))
	for k := range m {
		keys[k] = nil
	}
	return sortedKeys(keys)
}

// joinPath extends a dotted field path for error messages.
func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// cleanValue applies a patch value to nothing: directives are resolved and
// nulls dropped, the way a value lands where the document had none.
func cleanValue(v any, s Schema, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return applyMap(nil, x, s, path)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := cleanValue(e, elemOf(s), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	default:
		return v, nil
	}
}
