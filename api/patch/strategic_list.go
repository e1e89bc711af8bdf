package patch

import (
	"fmt"
	"sort"
)

// applyList merges what the patch says about one list field into cur (nil
// when the document has no list there).
func applyList(cur []any, lp *listPatch, s Schema, meta FieldMeta, path string) ([]any, error) {
	if !meta.Has(StrategyMerge) {
		out := cur
		if lp.hasItems {
			c, err := cleanValue(lp.items, s, path)
			if err != nil {
				return nil, err
			}
			out = c.([]any)
		}
		if lp.hasRemove {
			// Upstream honours $deleteFromPrimitiveList on any list.
			return removeValues(out, lp.remove), nil
		}
		return out, nil
	}
	objects, err := listHoldsObjects(cur, lp.items, path)
	if err != nil {
		return nil, err
	}
	if objects {
		if meta.PatchMergeKey == "" {
			return nil, badPatch("%s: cannot merge a list of objects without a merge key", path)
		}
		if lp.hasRemove {
			return nil, badPatch("%s: $deleteFromPrimitiveList applies only to lists of primitives", path)
		}
		return mergeObjectList(cur, lp, elemOf(s), meta.PatchMergeKey, path)
	}
	return mergePrimitiveList(cur, lp, path)
}

// listHoldsObjects tells whether a merged list holds objects or primitives.
// Patch elements that are only a $patch directive do not count.
func listHoldsObjects(cur, items []any, path string) (bool, error) {
	var objects, primitives bool
	check := func(e any, isPatch bool) error {
		switch x := e.(type) {
		case []any:
			return badPatch("%s: lists of lists are not supported", path)
		case map[string]any:
			if _, ok := x[directiveKey]; ok && isPatch && len(x) == 1 {
				return nil
			}
			objects = true
		default:
			primitives = true
		}
		return nil
	}
	for _, e := range cur {
		if err := check(e, false); err != nil {
			return false, err
		}
	}
	for _, e := range items {
		if err := check(e, true); err != nil {
			return false, err
		}
	}
	if objects && primitives {
		return false, badPatch("%s: list element types are not identical: objects mixed with primitives", path)
	}
	return objects, nil
}

// mergeObjectList merges a list of objects by merge key.
func mergeObjectList(cur []any, lp *listPatch, elem Schema, key, path string) ([]any, error) {
	merged := append([]any(nil), cur...)
	var items []map[string]any
	replace := false
	for i, e := range lp.items {
		m := e.(map[string]any) // listHoldsObjects ruled out anything else
		d, directive := m[directiveKey]
		if !directive {
			if _, ok := m[key]; !ok {
				return nil, errNoMergeKey(fmt.Sprintf("%s[%d]", path, i), m, key)
			}
			items = append(items, m)
			continue
		}
		switch d {
		case directiveDelete:
			kv, ok := m[key]
			if !ok {
				return nil, errNoMergeKey(fmt.Sprintf("%s[%d]", path, i), m, key)
			}
			merged = removeByKey(merged, key, kv)
		case directiveReplace:
			replace = true
		case directiveMerge:
			if _, ok := m[key]; ok {
				rest := copyMap(m)
				delete(rest, directiveKey)
				items = append(items, rest)
			}
		default:
			return nil, badPatch("%s[%d]: unknown patch type: %v in map: %v", path, i, d, m)
		}
	}
	if replace {
		out := make([]any, 0, len(items))
		for i, it := range items {
			v, err := applyMap(nil, it, elem, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
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
	at := indexByKey(merged, keyOf)
	for _, it := range items {
		k, _ := keyOf(it)
		elemPath := fmt.Sprintf("%s[%s=%v]", path, key, it[key])
		if idx, found := at[k]; found {
			om, _ := merged[idx].(map[string]any)
			v, err := applyMap(om, it, elem, elemPath)
			if err != nil {
				return nil, err
			}
			merged[idx] = v
		} else {
			v, err := applyMap(nil, it, elem, elemPath)
			if err != nil {
				return nil, err
			}
			at[k] = len(merged)
			merged = append(merged, v)
		}
	}
	want := make([]any, len(items))
	for i, it := range items {
		want[i] = it
	}
	if lp.hasOrder {
		for i, e := range lp.order {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, badPatch("%s: invalid patch format of setElementOrder list: element %d is %s, want an object with the merge key", path, i, kindName(e))
			}
			if _, ok := m[key]; !ok {
				return nil, errNoMergeKey(fmt.Sprintf("%s: $setElementOrder[%d]", path, i), m, key)
			}
		}
		if err := checkOrder(want, lp.order, keyOf, path); err != nil {
			return nil, err
		}
		want = lp.order
	} else if !lp.hasItems {
		return merged, nil
	}
	return orderMerged(merged, cur, want, keyOf), nil
}

// mergePrimitiveList merges a list of primitives as a set.
func mergePrimitiveList(cur []any, lp *listPatch, path string) ([]any, error) {
	keyOf := func(e any) (string, bool) { return scalarKey(e), true }
	var items []any
	replace := false
	for _, e := range lp.items {
		if m, ok := e.(map[string]any); ok {
			// listHoldsObjects let through only lone {"$patch": ...} elements.
			if m[directiveKey] != directiveReplace {
				return nil, badPatch("%s: unknown patch type: %v in a list of primitives", path, m[directiveKey])
			}
			replace = true
			continue
		}
		items = append(items, e)
	}
	if replace {
		return items, nil
	}
	merged := append([]any(nil), cur...)
	if lp.hasItems {
		merged = dedupe(append(merged, items...), keyOf)
	}
	want := items
	if lp.hasOrder {
		if err := checkOrder(items, lp.order, keyOf, path); err != nil {
			return nil, err
		}
		want = lp.order
	}
	if lp.hasItems || lp.hasOrder {
		merged = orderMerged(merged, cur, want, keyOf)
	}
	if lp.hasRemove {
		merged = removeValues(merged, lp.remove)
	}
	return merged, nil
}

// checkOrder verifies that the patch list's elements appear in the
// $setElementOrder list in the same relative order.
func checkOrder(items, order []any, keyOf func(any) (string, bool), path string) error {
	i := 0
	for _, o := range order {
		if i == len(items) {
			break
		}
		ik, _ := keyOf(items[i])
		if ok, _ := keyOf(o); ok == ik {
			i++
		}
	}
	if i < len(items) {
		return badPatch("%s: the order in the patch list %s doesn't match the $setElementOrder list %s", path, compact(items), compact(order))
	}
	return nil
}

// orderMerged puts the merged list in upstream's order. Elements named in want
// (the $setElementOrder list, or else the patch list) take want's order;
// the others keep their order in the live list (server). The two runs are
// then interleaved: a live-only element goes first only when both it and the
// next wanted element are in the live list and it came first there. So a new
// element with no $setElementOrder lands in front of the live-only ones, as
// upstream's apiserver does.
func orderMerged(merged, server, want []any, keyOf func(any) (string, bool)) []any {
	wantIdx := indexByKey(want, keyOf)
	serverIdx := indexByKey(server, keyOf)
	var wanted, serverOnly []any
	for _, e := range merged {
		if k, ok := keyOf(e); ok {
			if _, in := wantIdx[k]; in {
				wanted = append(wanted, e)
				continue
			}
		}
		serverOnly = append(serverOnly, e)
	}
	pos := func(idx map[string]int, e any) (int, bool) {
		k, ok := keyOf(e)
		if !ok {
			return 0, false
		}
		i, ok := idx[k]
		return i, ok
	}
	sort.SliceStable(wanted, func(a, b int) bool {
		ia, _ := pos(wantIdx, wanted[a])
		ib, _ := pos(wantIdx, wanted[b])
		return ia < ib
	})
	out := make([]any, 0, len(merged))
	i, j := 0, 0
	for i < len(serverOnly) || j < len(wanted) {
		switch {
		case j == len(wanted):
			out = append(out, serverOnly[i])
			i++
		case i == len(serverOnly):
			out = append(out, wanted[j])
			j++
		default:
			li, lok := pos(serverIdx, serverOnly[i])
			ri, rok := pos(serverIdx, wanted[j])
			if lok && rok && li < ri {
				out = append(out, serverOnly[i])
				i++
			} else {
				out = append(out, wanted[j])
				j++
			}
		}
	}
	return out
}

// indexByKey maps each element's key to its first position.
func indexByKey(l []any, keyOf func(any) (string, bool)) map[string]int {
	idx := make(map[string]int, len(l))
	for i, e := range l {
		if k, ok := keyOf(e); ok {
			if _, seen := idx[k]; !seen {
				idx[k] = i
			}
		}
	}
	return idx
}

func dedupe(l []any, keyOf func(any) (string, bool)) []any {
	seen := make(map[string]bool, len(l))
	out := l[:0:0]
	for _, e := range l {
		k, _ := keyOf(e)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// removeByKey drops every object whose merge key equals kv.
func removeByKey(l []any, key string, kv any) []any {
	want := scalarKey(kv)
	out := l[:0:0]
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			if v, ok := m[key]; ok && scalarKey(v) == want {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// removeValues drops every element equal to one of values.
func removeValues(l, values []any) []any {
	drop := make(map[string]bool, len(values))
	for _, v := range values {
		drop[scalarKey(v)] = true
	}
	out := make([]any, 0, len(l))
	for _, e := range l {
		if !drop[scalarKey(e)] {
			out = append(out, e)
		}
	}
	return out
}
