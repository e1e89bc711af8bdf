package patch

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONPatchOptions bounds the work one JSON Patch may ask for. A zero field
// means no limit.
type JSONPatchOptions struct {
	// MaxOperations is the largest number of operations accepted.
	MaxOperations int
	// MaxCopyBytes bounds the total approximate size of the values that copy
	// operations duplicate, so a short patch cannot double a document again
	// and again until the server runs out of memory.
	MaxCopyBytes int64
}

// DefaultJSONPatchOptions returns upstream apiserver's limits: 10000
// operations and 3 MiB of copied data.
func DefaultJSONPatchOptions() JSONPatchOptions {
	return JSONPatchOptions{MaxOperations: 10000, MaxCopyBytes: 3 << 20}
}

// ApplyJSONPatch applies an RFC 6902 JSON Patch to doc with
// DefaultJSONPatchOptions. Operations run in order and the first failure
// aborts the whole patch.
func ApplyJSONPatch(doc, patch []byte) ([]byte, error) {
	return ApplyJSONPatchWithOptions(doc, patch, DefaultJSONPatchOptions())
}

// ApplyJSONPatchWithOptions is ApplyJSONPatch with explicit limits.
func ApplyJSONPatchWithOptions(doc, patch []byte, opts JSONPatchOptions) ([]byte, error) {
	root, err := DecodeJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	ops, err := decodeJSONPatch(patch)
	if err != nil {
		return nil, err
	}
	if opts.MaxOperations > 0 && len(ops) > opts.MaxOperations {
		// Upstream's wording, so clients that match on it keep working.
		return nil, newKindError(ErrTooLarge, "The allowed maximum operations in a JSON patch is %d, got %d", opts.MaxOperations, len(ops))
	}
	p := jsonPatcher{root: root, opts: opts}
	for _, op := range ops {
		if err := p.apply(op); err != nil {
			return nil, err
		}
	}
	return encodeJSON(p.root)
}

// jsonOp is one decoded operation; paths are kept as sent for messages.
type jsonOp struct {
	index    int
	op       string
	path     string
	tokens   []string
	from     string
	fromTok  []string
	value    any
	hasValue bool
}

func decodeJSONPatch(patch []byte) ([]jsonOp, error) {
	v, err := DecodeJSON(patch)
	if err != nil {
		return nil, badPatch("decode JSON patch: %w", err)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, badPatch("a JSON patch must be an array of operations, got %s", kindName(v))
	}
	ops := make([]jsonOp, 0, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, badPatch("JSON patch operation %d: expected an object, got %s", i, kindName(e))
		}
		op, err := decodeJSONOp(i, m)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func decodeJSONOp(i int, m map[string]any) (jsonOp, error) {
	op := jsonOp{index: i}
	name, ok := m["op"].(string)
	if !ok {
		return op, badPatch("JSON patch operation %d: missing or non-string \"op\"", i)
	}
	op.op = name
	switch name {
	case "add", "remove", "replace", "move", "copy", "test":
	default:
		return op, badPatch("JSON patch operation %d: unknown op %q (want add, remove, replace, move, copy or test)", i, name)
	}
	path, ok := m["path"].(string)
	if !ok {
		return op, badPatch("JSON patch operation %d (%s): missing or non-string \"path\"", i, name)
	}
	toks, err := parsePointer(path)
	if err != nil {
		return op, badPatch("JSON patch operation %d (%s): path: %w", i, name, err)
	}
	op.path, op.tokens = path, toks
	switch name {
	case "add", "replace", "test":
		op.value, op.hasValue = m["value"]
		if !op.hasValue {
			return op, badPatch("JSON patch operation %d (%s %s): missing \"value\"", i, name, path)
		}
	case "move", "copy":
		from, ok := m["from"].(string)
		if !ok {
			return op, badPatch("JSON patch operation %d (%s %s): missing or non-string \"from\"", i, name, path)
		}
		ft, err := parsePointer(from)
		if err != nil {
			return op, badPatch("JSON patch operation %d (%s): from: %w", i, name, err)
		}
		op.from, op.fromTok = from, ft
	}
	return op, nil
}

// parsePointer splits an RFC 6901 JSON pointer into unescaped tokens.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q must be empty or start with /", p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		if !strings.Contains(t, "~") {
			continue
		}
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || (t[j+1] != '0' && t[j+1] != '1')) {
				return nil, fmt.Errorf("JSON pointer %q: ~ must be followed by 0 or 1", p)
			}
		}
		toks[i] = pointerUnescaper.Replace(t)
	}
	return toks, nil
}

// pointerUnescaper is immutable; "~01" becomes "~1" because replacement runs left to right.
var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// jsonPatcher holds the document while operations run on it; the document is
// freshly decoded, so mutating it in place is safe.
type jsonPatcher struct {
	root   any
	opts   JSONPatchOptions
	copied int64
}

func (p *jsonPatcher) apply(op jsonOp) error {
	switch op.op {
	case "add":
		return p.add(op.op, op.path, op.tokens, op.value)
	case "remove":
		_, err := p.remove(op.op, op.path, op.tokens)
		return err
	case "replace":
		return p.replace(op)
	case "move":
		return p.move(op)
	case "copy":
		return p.copy(op)
	default: // test; decodeJSONOp admits nothing else
		return p.test(op)
	}
}

func (p *jsonPatcher) add(opName, path string, toks []string, value any) error {
	if len(toks) == 0 {
		p.root = value
		return nil
	}
	root, err := update(p.root, toks, opName, path, func(c any, key string) (any, error) {
		switch c := c.(type) {
		case map[string]any:
			c[key] = value
			return c, nil
		case []any:
			idx := len(c)
			if key != "-" {
				i, err := arrayIndex(key, len(c)+1, opName, path)
				if err != nil {
					return nil, err
				}
				idx = i
			}
			c = append(c, nil)
			copy(c[idx+1:], c[idx:])
			c[idx] = value
			return c, nil
		default:
			return nil, missingPath(opName, path)
		}
	})
	if err != nil {
		return err
	}
	p.root = root
	return nil
}

func (p *jsonPatcher) remove(opName, path string, toks []string) (any, error) {
	if len(toks) == 0 {
		return nil, notApplicable("%s operation does not apply: cannot remove the whole document", opName)
	}
	var removed any
	root, err := update(p.root, toks, opName, path, func(c any, key string) (any, error) {
		switch c := c.(type) {
		case map[string]any:
			v, ok := c[key]
			if !ok {
				return nil, missingPath(opName, path)
			}
			removed = v
			delete(c, key)
			return c, nil
		case []any:
			i, err := arrayIndex(key, len(c), opName, path)
			if err != nil {
				return nil, err
			}
			removed = c[i]
			return append(c[:i:i], c[i+1:]...), nil
		default:
			return nil, missingPath(opName, path)
		}
	})
	if err != nil {
		return nil, err
	}
	p.root = root
	return removed, nil
}

func (p *jsonPatcher) replace(op jsonOp) error {
	if len(op.tokens) == 0 {
		p.root = op.value
		return nil
	}
	root, err := update(p.root, op.tokens, op.op, op.path, func(c any, key string) (any, error) {
		switch c := c.(type) {
		case map[string]any:
			if _, ok := c[key]; !ok {
				return nil, missingPath(op.op, op.path)
			}
			c[key] = op.value
			return c, nil
		case []any:
			i, err := arrayIndex(key, len(c), op.op, op.path)
			if err != nil {
				return nil, err
			}
			c[i] = op.value
			return c, nil
		default:
			return nil, missingPath(op.op, op.path)
		}
	})
	if err != nil {
		return err
	}
	p.root = root
	return nil
}

func (p *jsonPatcher) move(op jsonOp) error {
	if op.from == op.path {
		if _, ok := lookup(p.root, op.fromTok); !ok {
			return notApplicable("move operation does not apply: doc is missing from path: %s", op.from)
		}
		return nil
	}
	if strings.HasPrefix(op.path, op.from+"/") {
		return badPatch("move operation does not apply: from path %s is a parent of path %s", op.from, op.path)
	}
	if _, ok := lookup(p.root, op.fromTok); !ok {
		return notApplicable("move operation does not apply: doc is missing from path: %s", op.from)
	}
	v, err := p.remove(op.op, op.from, op.fromTok)
	if err != nil {
		return err
	}
	return p.add(op.op, op.path, op.tokens, v)
}

func (p *jsonPatcher) copy(op jsonOp) error {
	v, ok := lookup(p.root, op.fromTok)
	if !ok {
		return notApplicable("copy operation does not apply: doc is missing from path: %s", op.from)
	}
	if p.opts.MaxCopyBytes > 0 {
		p.copied += approxSize(v)
		if p.copied > p.opts.MaxCopyBytes {
			return notApplicable("copy operation does not apply: copies from %s would add about %d bytes, more than the allowed %d", op.from, p.copied, p.opts.MaxCopyBytes)
		}
	}
	return p.add(op.op, op.path, op.tokens, deepCopy(v))
}

func (p *jsonPatcher) test(op jsonOp) error {
	v, ok := lookup(p.root, op.tokens)
	if !ok {
		// Upstream's server treats a missing member as null when its
		// parent exists; keep that so the same patches pass.
		if op.value == nil && len(op.tokens) > 0 {
			if parent, found := lookup(p.root, op.tokens[:len(op.tokens)-1]); found {
				if _, isMap := parent.(map[string]any); isMap {
					return nil
				}
			}
		}
		return notApplicable("test operation does not apply: doc is missing path: %s", op.path)
	}
	if !equalJSON(v, op.value) {
		return notApplicable("test operation failed: value at %s is %s, not %s", displayPointer(op.path), compact(v), compact(op.value))
	}
	return nil
}

func displayPointer(p string) string {
	if p == "" {
		return "the document root"
	}
	return p
}

func missingPath(op, path string) error {
	return notApplicable("%s operation does not apply: doc is missing path: %s", op, path)
}

// update walks node down all but the last token and calls fn with the
// container holding the last one. fn returns the container to store back,
// which matters for arrays whose length changed.
func update(node any, toks []string, op, path string, fn func(container any, key string) (any, error)) (any, error) {
	if len(toks) == 1 {
		return fn(node, toks[0])
	}
	switch c := node.(type) {
	case map[string]any:
		child, ok := c[toks[0]]
		if !ok {
			return nil, missingPath(op, path)
		}
		nc, err := update(child, toks[1:], op, path, fn)
		if err != nil {
			return nil, err
		}
		c[toks[0]] = nc
		return c, nil
	case []any:
		i, err := arrayIndex(toks[0], len(c), op, path)
		if err != nil {
			return nil, err
		}
		nc, err := update(c[i], toks[1:], op, path, fn)
		if err != nil {
			return nil, err
		}
		c[i] = nc
		return c, nil
	default:
		return nil, missingPath(op, path)
	}
}

// lookup returns the value toks points at.
func lookup(node any, toks []string) (any, bool) {
	for _, t := range toks {
		switch c := node.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, false
			}
			node = v
		case []any:
			i, err := arrayIndex(t, len(c), "", "")
			if err != nil {
				return nil, false
			}
			node = c[i]
		default:
			return nil, false
		}
	}
	return node, true
}

// arrayIndex parses an array index that must be below limit. Like upstream's
// server it also takes negative indices counted from the end.
func arrayIndex(tok string, limit int, op, path string) (int, error) {
	valid := tok != "" && (tok == "0" || tok[0] != '0') && tok != "-"
	if valid && tok[0] == '-' {
		valid = len(tok) > 1 && tok[1] != '0'
	}
	for i := 0; valid && i < len(tok); i++ {
		if (tok[i] < '0' || tok[i] > '9') && !(i == 0 && tok[i] == '-') {
			valid = false
		}
	}
	if !valid {
		return 0, notApplicable("%s operation does not apply: %q is not an array index in path %s", op, tok, path)
	}
	i, err := strconv.Atoi(tok)
	if err == nil && i < 0 {
		i += limit
	}
	if err != nil || i < 0 || i >= limit {
		return 0, notApplicable("%s operation does not apply: index %s is out of range in path %s", op, tok, path)
	}
	return i, nil
}
