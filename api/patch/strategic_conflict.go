package patch

import "sort"

// patchesConflict reports whether two strategic merge patches set some field
// to different values: left is the patch kubectl wants to send, right the
// changes made to the live object since the last apply.
func patchesConflict(left, right any, s Schema, meta FieldMeta) bool {
	switch l := left.(type) {
	case map[string]any:
		r, ok := right.(map[string]any)
		if !ok {
			return true
		}
		ld, lok := l[directiveKey]
		rd, rok := r[directiveKey]
		if lok != rok || (lok && !equalJSON(ld, rd)) {
			// One side replaces or deletes the whole object.
			return true
		}
		if meta.Has(StrategyReplace) {
			return false
		}
		for k, lv := range l {
			if isDirectiveKey(k) {
				continue
			}
			rv, ok := r[k]
			if !ok {
				continue
			}
			fs, fm := fieldOf(s, k)
			if patchesConflict(lv, rv, fs, fm) {
				return true
			}
		}
		return false
	case []any:
		r, ok := right.([]any)
		if !ok {
			return true
		}
		return listsConflict(l, r, s, meta)
	default:
		return !equalJSON(left, right)
	}
}

func listsConflict(l, r []any, s Schema, meta FieldMeta) bool {
	elem := elemOf(s)
	objects, err := listHoldsObjects(l, r, "")
	if err != nil {
		return true
	}
	if meta.Has(StrategyMerge) {
		if !objects {
			return false // merging sets of primitives cannot conflict
		}
		key := meta.PatchMergeKey
		byKey := func(list []any) (map[string]any, bool) {
			m := map[string]any{}
			for _, e := range list {
				em, ok := e.(map[string]any)
				if !ok {
					return nil, false
				}
				v, ok := em[key]
				if !ok {
					return nil, false
				}
				m[scalarKey(v)] = em
			}
			return m, true
		}
		lm, ok1 := byKey(l)
		rm, ok2 := byKey(r)
		if !ok1 || !ok2 {
			return true
		}
		for k, lv := range lm {
			if rv, ok := rm[k]; ok && patchesConflict(lv, rv, elem, FieldMeta{}) {
				return true
			}
		}
		return false
	}
	if len(l) != len(r) {
		return true
	}
	if !objects {
		l, r = sortedScalars(l), sortedScalars(r)
	}
	for i := range l {
		if patchesConflict(l[i], r[i], elem, FieldMeta{}) {
			return true
		}
	}
	return false
}

func sortedScalars(l []any) []any {
	out := append([]any(nil), l...)
	sort.SliceStable(out, func(i, j int) bool { return scalarKey(out[i]) < scalarKey(out[j]) })
	return out
}
