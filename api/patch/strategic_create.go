package patch

import (
	"fmt"
	"sort"
)

// Precondition inspects a computed strategic merge patch; returning false
// makes CreateTwoWayMergePatch or CreateThreeWayMergePatch fail with
// ErrPreconditionFailed. kubectl apply uses them to refuse patches that would
// change an object's identity.
type Precondition func(patch map[string]any) bool

// RequireKeyUnchanged fails when the patch touches the top-level key.
func RequireKeyUnchanged(key string) Precondition {
	return func(patch map[string]any) bool {
		_, ok := patch[key]
		return !ok
	}
}

// RequireMetadataKeyUnchanged fails when the patch touches metadata.<key>.
func RequireMetadataKeyUnchanged(key string) Precondition {
	return func(patch map[string]any) bool {
		md, ok := patch["metadata"].(map[string]any)
		if !ok {
			return true
		}
		_, ok = md[key]
		return !ok
	}
}

// diffOptions selects what a diff reports.
type diffOptions struct {
	ignoreDeletions bool // leave out keys and elements missing from modified
	ignoreChanges   bool // leave out changed and added values
	setOrder        bool // send $setElementOrder for merged lists
	retainKeys      bool // send $retainKeys for this object
}

// CreateTwoWayMergePatch returns the strategic merge patch that turns
// original into modified: changed and added fields, null for removed fields,
// {"<key>": v, "$patch": "delete"} for removed elements of merged lists of
// objects, $deleteFromPrimitiveList for removed elements of merged lists of
// primitives, $retainKeys where the schema asks for it and $setElementOrder
// for every merged list that changed, as upstream kubectl sends.
func CreateTwoWayMergePatch(original, modified []byte, schema Schema, preconditions ...Precondition) ([]byte, error) {
	o, err := decodeObject(original, "original document")
	if err != nil {
		return nil, err
	}
	m, err := decodeObject(modified, "modified document")
	if err != nil {
		return nil, err
	}
	p, err := CreateTwoWayMergePatchMap(o, m, schema, preconditions...)
	if err != nil {
		return nil, err
	}
	return encodeJSON(p)
}

// CreateTwoWayMergePatchMap is CreateTwoWayMergePatch on decoded objects.
// It does not modify its inputs; the result may share parts with modified.
func CreateTwoWayMergePatchMap(original, modified map[string]any, schema Schema, preconditions ...Precondition) (map[string]any, error) {
	p, err := diffMaps(original, modified, schema, diffOptions{setOrder: true}, "")
	if err != nil {
		return nil, err
	}
	return p, checkPreconditions(p, preconditions)
}

// CreateThreeWayMergePatch computes what kubectl apply sends: original is
// the last-applied configuration, modified the new one and current the live
// object. The patch carries every change from current to modified, and the
// deletion of whatever original had and modified dropped; fields only
// current has (set by the server or by controllers) are left alone. Unless
// overwrite is set, a patch that would undo a change made on the live object
// since original fails with ErrConflict.
//
// With a nil schema no list merges, so the patch holds no directives and is
// a plain JSON merge patch: what kubectl apply sends for custom resources.
func CreateThreeWayMergePatch(original, modified, current []byte, schema Schema, overwrite bool, preconditions ...Precondition) ([]byte, error) {
	o, err := decodeObject(original, "original document")
	if err != nil {
		return nil, err
	}
	m, err := decodeObject(modified, "modified document")
	if err != nil {
		return nil, err
	}
	c, err := decodeObject(current, "current document")
	if err != nil {
		return nil, err
	}
	p, err := CreateThreeWayMergePatchMap(o, m, c, schema, overwrite, preconditions...)
	if err != nil {
		return nil, err
	}
	return encodeJSON(p)
}

// CreateThreeWayMergePatchMap is CreateThreeWayMergePatch on decoded objects.
// It does not modify its inputs; the result may share parts with modified.
func CreateThreeWayMergePatchMap(original, modified, current map[string]any, schema Schema, overwrite bool, preconditions ...Precondition) (map[string]any, error) {
	// Additions and changes come from current→modified, deletions from
	// original→modified; the two patches touch disjoint keys except for
	// objects both recurse into and merged lists, so they combine cleanly.
	delta, err := diffMaps(current, modified, schema, diffOptions{ignoreDeletions: true, setOrder: true}, "")
	if err != nil {
		return nil, err
	}
	deletions, err := diffMaps(original, modified, schema, diffOptions{ignoreChanges: true, setOrder: true}, "")
	if err != nil {
		return nil, err
	}
	p := combinePatches(deletions, delta, schema)
	if err := checkPreconditions(p, preconditions); err != nil {
		return nil, err
	}
	if !overwrite {
		changed, err := diffMaps(original, current, schema, diffOptions{}, "")
		if err != nil {
			return nil, err
		}
		if patchesConflict(p, changed, schema, FieldMeta{}) {
			return nil, fmt.Errorf("%w: patch %s conflicts with changes made from original to current: %s", ErrConflict, compact(p), compact(changed))
		}
	}
	return p, nil
}

func checkPreconditions(p map[string]any, preconditions []Precondition) error {
	for _, fn := range preconditions {
		if !fn(p) {
			return fmt.Errorf("%w for patch %s", ErrPreconditionFailed, compact(p))
		}
	}
	return nil
}

// combinePatches merges the additive patch delta into the deletions patch.
// Both come from diffs against the same modified document, so they only
// meet in objects both recurse into, in merged lists, and in directives both
// derive from modified (equal by construction).
func combinePatches(deletions, delta map[string]any, s Schema) map[string]any {
	out := copyMap(deletions)
	for k, dv := range delta {
		ev, ok := out[k]
		if !ok {
			out[k] = dv
			continue
		}
		fs, meta := fieldOf(s, k)
		em, ok1 := ev.(map[string]any)
		dm, ok2 := dv.(map[string]any)
		if ok1 && ok2 {
			out[k] = combinePatches(em, dm, fs)
			continue
		}
		el, ok1 := ev.([]any)
		dl, ok2 := dv.([]any)
		if ok1 && ok2 && !isDirectiveKey(k) && meta.Has(StrategyMerge) && meta.PatchMergeKey != "" {
			order, _ := delta[setOrderPrefix+k].([]any)
			if order == nil {
				order, _ = deletions[setOrderPrefix+k].([]any)
			}
			out[k] = combineLists(el, dl, elemOf(fs), meta.PatchMergeKey, order)
			continue
		}
		out[k] = dv
	}
	return out
}

// combineLists joins two patch lists of a merged list of objects, combining
// the entries for the same element so that each merge key appears once, in
// $setElementOrder's order, with the delete directives last as upstream
// sends them.
func combineLists(deletions, delta []any, elem Schema, key string, order []any) []any {
	keyOf := func(e any) (string, bool) {
		m, ok := e.(map[string]any)
		if !ok {
			return "", false
		}
		v, ok := m[key]
		if !ok {
			return "", false
		}
		return scalarKey(v), true
	}
	isDelete := func(e any) bool {
		m, ok := e.(map[string]any)
		return ok && m[directiveKey] == directiveDelete
	}
	used := make([]bool, len(deletions))
	items := make([]any, 0, len(delta)+len(deletions))
	for _, d := range delta {
		dk, ok := keyOf(d)
		matched := false
		for i, e := range deletions {
			if ek, eok := keyOf(e); ok && eok && !used[i] && !isDelete(e) && ek == dk {
				items = append(items, combinePatches(e.(map[string]any), d.(map[string]any), elem))
				used[i], matched = true, true
				break
			}
		}
		if !matched {
			items = append(items, d)
		}
	}
	var deletes []any
	for i, e := range deletions {
		switch {
		case used[i]:
		case isDelete(e):
			deletes = append(deletes, e)
		default:
			items = append(items, e)
		}
	}
	if order != nil {
		idx := indexByKey(order, keyOf)
		sort.SliceStable(items, func(a, b int) bool {
			ka, _ := keyOf(items[a])
			kb, _ := keyOf(items[b])
			ia, oka := idx[ka]
			ib, okb := idx[kb]
			if !oka || !okb {
				return oka && !okb
			}
			return ia < ib
		})
	}
	return append(items, deletes...)
}

// diffMaps returns the strategic merge patch from original to modified.
func diffMaps(original, modified map[string]any, s Schema, o diffOptions, path string) (map[string]any, error) {
	p := map[string]any{}
	var retain []string
	for _, k := range sortedKeys(modified) {
		mv := modified[k]
		if o.retainKeys && mv != nil {
			retain = append(retain, k)
		}
		ov, ok := original[k]
		if !ok || !sameKind(ov, mv) {
			if !o.ignoreChanges {
				p[k] = mv
			}
			continue
		}
		fs, meta := fieldOf(s, k)
		switch mvt := mv.(type) {
		case map[string]any:
			if meta.Has(StrategyReplace) {
				if !o.ignoreChanges && !equalJSON(ov, mv) {
					p[k] = mv
				}
				continue
			}
			sub := o
			sub.retainKeys = meta.Has(StrategyRetainKeys)
			d, err := diffMaps(ov.(map[string]any), mvt, fs, sub, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			if len(d) > 0 {
				p[k] = d
			}
		case []any:
			if !meta.Has(StrategyMerge) {
				if !o.ignoreChanges && !equalJSON(ov, mv) {
					p[k] = mv
				}
				continue
			}
			sub := o
			sub.retainKeys = meta.Has(StrategyRetainKeys)
			add, del, order, err := diffMergeList(ov.([]any), mvt, elemOf(fs), meta.PatchMergeKey, sub, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			if len(add) > 0 {
				p[k] = add
			}
			if len(del) > 0 {
				p[deleteFromPrefix+k] = del
			}
			if len(order) > 0 {
				p[setOrderPrefix+k] = order
			}
		default:
			if !o.ignoreChanges && !equalJSON(ov, mv) {
				p[k] = mv
			}
		}
	}
	if !o.ignoreDeletions {
		for k := range original {
			if _, ok := modified[k]; !ok {
				p[k] = nil
			}
		}
	}
	if len(retain) > 0 && (len(p) > 0 || hasExtraField(original, modified)) {
		l := make([]any, len(retain))
		for i, k := range retain {
			l[i] = k
		}
		p[retainKeysKey] = l
	}
	return p, nil
}

// hasExtraField reports whether original has a non-null key modified lacks.
func hasExtraField(original, modified map[string]any) bool {
	for k, v := range original {
		if _, ok := modified[k]; !ok && v != nil {
			return true
		}
	}
	return false
}

// diffMergeList diffs a list with StrategyMerge. It returns the patch list
// (changed and added elements in modified's order, then delete directives),
// the $deleteFromPrimitiveList values and the $setElementOrder list.
func diffMergeList(original, modified []any, elem Schema, key string, o diffOptions, path string) (add, del, order []any, err error) {
	if len(original) == 0 {
		if len(modified) == 0 || o.ignoreChanges {
			return nil, nil, nil, nil
		}
		return modified, nil, nil, nil
	}
	objects, err := listHoldsObjects(original, modified, path)
	if err != nil {
		return nil, nil, nil, err
	}
	if !objects {
		add, del, order = diffPrimitiveList(original, modified, o)
		return add, del, order, nil
	}
	if key == "" {
		return nil, nil, nil, badPatch("%s: cannot merge a list of objects without a merge key", path)
	}
	origByKey := map[string]map[string]any{}
	for i, e := range original {
		m := e.(map[string]any)
		v, ok := m[key]
		if !ok {
			return nil, nil, nil, errNoMergeKey(fmt.Sprintf("%s[%d]", path, i), m, key)
		}
		if _, seen := origByKey[scalarKey(v)]; !seen {
			origByKey[scalarKey(v)] = m
		}
	}
	modKeys := map[string]bool{}
	for i, e := range modified {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, nil, nil, badPatch("%s[%d]: expected an object, got %s", path, i, kindName(e))
		}
		v, ok := m[key]
		if !ok {
			return nil, nil, nil, errNoMergeKey(fmt.Sprintf("%s[%d]", path, i), m, key)
		}
		modKeys[scalarKey(v)] = true
		om, found := origByKey[scalarKey(v)]
		if !found {
			if !o.ignoreChanges {
				add = append(add, m)
			}
			continue
		}
		d, err := diffMaps(om, m, elem, o, fmt.Sprintf("%s[%s=%v]", path, key, v))
		if err != nil {
			return nil, nil, nil, err
		}
		if len(d) > 0 {
			d[key] = v
			add = append(add, d)
		}
	}
	if !o.ignoreDeletions {
		done := map[string]bool{}
		for _, e := range original {
			v := e.(map[string]any)[key]
			k := scalarKey(v)
			if !modKeys[k] && !done[k] {
				done[k] = true
				add = append(add, map[string]any{key: v, directiveKey: directiveDelete})
			}
		}
	}
	sameOrder := len(original) == len(modified)
	for i := 0; sameOrder && i < len(original); i++ {
		sameOrder = scalarKey(original[i].(map[string]any)[key]) == scalarKey(modified[i].(map[string]any)[key])
	}
	if o.setOrder && ((!o.ignoreChanges && (len(add) > 0 || !sameOrder)) || (!o.ignoreDeletions && len(add) > 0)) {
		order = make([]any, len(modified))
		for i, e := range modified {
			order[i] = map[string]any{key: e.(map[string]any)[key]}
		}
	}
	return add, nil, order, nil
}

// diffPrimitiveList diffs a merged list of primitives as a set.
func diffPrimitiveList(original, modified []any, o diffOptions) (add, del, order []any) {
	inOrig := map[string]bool{}
	for _, e := range original {
		inOrig[scalarKey(e)] = true
	}
	inMod := map[string]bool{}
	for _, e := range modified {
		k := scalarKey(e)
		if !inOrig[k] && !inMod[k] && !o.ignoreChanges {
			add = append(add, e)
		}
		inMod[k] = true
	}
	if !o.ignoreDeletions {
		done := map[string]bool{}
		for _, e := range original {
			k := scalarKey(e)
			if !inMod[k] && !done[k] {
				done[k] = true
				del = append(del, e)
			}
		}
		sort.SliceStable(del, func(i, j int) bool { return fmt.Sprint(del[i]) < fmt.Sprint(del[j]) })
	}
	if o.setOrder && ((!o.ignoreDeletions && len(del) > 0) || (!o.ignoreChanges && !equalJSON(original, modified))) {
		order = append([]any(nil), modified...)
	}
	return add, del, order
}
