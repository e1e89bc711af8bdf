package patch

import "fmt"

// ApplyMergePatch applies an RFC 7386 JSON Merge Patch to doc: objects merge
// key by key, null deletes a key, and every other value (arrays included)
// replaces what was there. A patch that is not an object replaces the whole
// document.
func ApplyMergePatch(doc, patch []byte) ([]byte, error) {
	d, err := DecodeJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	p, err := DecodeJSON(patch)
	if err != nil {
		return nil, badPatch("decode merge patch: %w", err)
	}
	return encodeJSON(MergePatchValue(d, p))
}

// MergePatchValue is ApplyMergePatch on decoded values. It does not modify
// target or patch; the result may share unchanged parts with them.
func MergePatchValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, _ := target.(map[string]any)
	out := copyMap(tm)
	for k, v := range pm {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = MergePatchValue(out[k], v)
	}
	return out
}

// CreateMergePatch returns the RFC 7386 merge patch that turns original into
// modified: changed and added keys with their new values, removed keys as
// null, and nothing for what did not change. Arrays are sent whole when they
// differ. When either document is not an object the patch is modified itself.
func CreateMergePatch(original, modified []byte) ([]byte, error) {
	o, err := DecodeJSON(original)
	if err != nil {
		return nil, fmt.Errorf("decode original document: %w", err)
	}
	m, err := DecodeJSON(modified)
	if err != nil {
		return nil, fmt.Errorf("decode modified document: %w", err)
	}
	return encodeJSON(CreateMergePatchValue(o, m))
}

// CreateMergePatchValue is CreateMergePatch on decoded values. The result may
// share parts with modified.
func CreateMergePatchValue(original, modified any) any {
	om, ok1 := original.(map[string]any)
	mm, ok2 := modified.(map[string]any)
	if !ok1 || !ok2 {
		return modified
	}
	return diffMergeObjects(om, mm)
}

func diffMergeObjects(original, modified map[string]any) map[string]any {
	p := map[string]any{}
	for k, mv := range modified {
		ov, ok := original[k]
		if !ok {
			p[k] = mv
			continue
		}
		om, ok1 := ov.(map[string]any)
		mm, ok2 := mv.(map[string]any)
		if ok1 && ok2 {
			if sub := diffMergeObjects(om, mm); len(sub) > 0 {
				p[k] = sub
			}
			continue
		}
		if !equalJSON(ov, mv) {
			p[k] = mv
		}
	}
	for k := range original {
		if _, ok := modified[k]; !ok {
			p[k] = nil
		}
	}
	return p
}
