package printers

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// JSONPath is a parsed kubectl jsonpath template. Supported: literal text, {.a.b}, {.a[n]},
// {.a[*]}, {.a['key']}, {.a[n:m]}, {..name} (recursive descent), {@}, {$}, filters
// {.items[?(@.k=="v")]} with ==, != and existence, {range ...}{end} and quoted literals such as
// {"\n"} and {"\t"}. Not supported: functions, arithmetic and unions ({.a,.b}).
type JSONPath struct {
	nodes []tmplNode
	// AllowMissingKeys prints nothing for a missing field instead of failing.
	AllowMissingKeys bool
}

type tmplNode struct {
	text  string // literal text
	expr  []step // a field expression
	rng   *rangeNode
	isLit bool
}

type rangeNode struct {
	expr []step
	body []tmplNode
}

type step struct {
	field     string // ".name"
	recursive bool   // "..name"
	wildcard  bool   // "[*]" or ".*"
	index     *int
	slice     *[2]*int
	filter    *filter
}

type filter struct {
	path  []step
	op    string // "==", "!=" or "" (exists)
	value string
}

// ParseJSONPath parses a template; a template without braces is wrapped in one, as upstream
// relaxes "-o jsonpath=.metadata.name".
func ParseJSONPath(tmpl string) (*JSONPath, error) {
	if !strings.Contains(tmpl, "{") {
		tmpl = "{" + tmpl + "}"
	}
	nodes, rest, err := parseNodes(tmpl, false)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, fmt.Errorf("unexpected {end} in jsonpath template")
	}
	return &JSONPath{nodes: nodes}, nil
}

func parseNodes(s string, inRange bool) ([]tmplNode, string, error) {
	var nodes []tmplNode
	for s != "" {
		i := strings.Index(s, "{")
		if i < 0 {
			nodes = append(nodes, tmplNode{text: s, isLit: true})
			return nodes, "", nil
		}
		if i > 0 {
			nodes = append(nodes, tmplNode{text: s[:i], isLit: true})
		}
		j := closingBrace(s, i)
		if j < 0 {
			return nil, "", fmt.Errorf("unclosed action in jsonpath template %q", s)
		}
		inner := strings.TrimSpace(s[i+1 : j])
		s = s[j+1:]
		switch {
		case inner == "end":
			if !inRange {
				return nil, "", fmt.Errorf("not in range, nothing to end")
			}
			return nodes, s, nil
		case strings.HasPrefix(inner, "range "):
			expr, err := parseExpr(strings.TrimSpace(strings.TrimPrefix(inner, "range ")))
			if err != nil {
				return nil, "", err
			}
			body, rest, err := parseNodes(s, true)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, tmplNode{rng: &rangeNode{expr: expr, body: body}})
			s = rest
		case strings.HasPrefix(inner, `"`) || strings.HasPrefix(inner, "'"):
			lit, err := strconv.Unquote(`"` + strings.ReplaceAll(inner[1:len(inner)-1], `"`, `\"`) + `"`)
			if err != nil {
				lit = inner[1 : len(inner)-1]
			}
			nodes = append(nodes, tmplNode{text: lit, isLit: true})
		default:
			expr, err := parseExpr(inner)
			if err != nil {
				return nil, "", err
			}
			nodes = append(nodes, tmplNode{expr: expr})
		}
	}
	if inRange {
		return nil, "", fmt.Errorf("unclosed range in jsonpath template")
	}
	return nodes, "", nil
}

func closingBrace(s string, open int) int {
	quote := byte(0)
	for k := open + 1; k < len(s); k++ {
		c := s[k]
		switch {
		case quote != 0:
			if c == '\\' {
				k++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '}':
			return k
		}
	}
	return -1
}

func parseExpr(e string) ([]step, error) {
	e = strings.TrimPrefix(e, "$")
	e = strings.TrimPrefix(e, "@")
	var steps []step
	for e != "" {
		switch {
		case strings.HasPrefix(e, ".."):
			e = e[2:]
			n := fieldEnd(e)
			steps = append(steps, step{field: e[:n], recursive: true})
			e = e[n:]
		case strings.HasPrefix(e, "."):
			e = e[1:]
			n := fieldEnd(e)
			if e[:n] == "*" {
				steps = append(steps, step{wildcard: true})
			} else if n > 0 {
				steps = append(steps, step{field: e[:n]})
			}
			e = e[n:]
		case strings.HasPrefix(e, "["):
			j := closingBracket(e)
			if j < 0 {
				return nil, fmt.Errorf("unterminated array in jsonpath expression")
			}
			st, err := parseBracket(e[1:j])
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
			e = e[j+1:]
		default:
			n := fieldEnd(e)
			if n == 0 {
				return nil, fmt.Errorf("unrecognized character in action: %q", e[:1])
			}
			steps = append(steps, step{field: e[:n]})
			e = e[n:]
		}
	}
	return steps, nil
}

func fieldEnd(e string) int {
	for i := 0; i < len(e); i++ {
		if e[i] == '.' || e[i] == '[' {
			return i
		}
	}
	return len(e)
}

func closingBracket(e string) int {
	depth := 0
	for i := 0; i < len(e); i++ {
		switch e[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func parseBracket(b string) (step, error) {
	b = strings.TrimSpace(b)
	switch {
	case b == "*":
		return step{wildcard: true}, nil
	case strings.HasPrefix(b, "?(") && strings.HasSuffix(b, ")"):
		cond := strings.TrimSpace(b[2 : len(b)-1])
		f := &filter{}
		for _, op := range []string{"==", "!="} {
			if k := strings.Index(cond, op); k >= 0 {
				f.op = op
				f.value = strings.Trim(strings.TrimSpace(cond[k+2:]), `"'`)
				cond = strings.TrimSpace(cond[:k])
				break
			}
		}
		p, err := parseExpr(cond)
		if err != nil {
			return step{}, err
		}
		f.path = p
		return step{filter: f}, nil
	case strings.HasPrefix(b, "'") || strings.HasPrefix(b, `"`):
		return step{field: strings.Trim(b, `'"`)}, nil
	case strings.Contains(b, ":"):
		parts := strings.SplitN(b, ":", 3)
		var sl [2]*int
		for k := 0; k < 2; k++ {
			if s := strings.TrimSpace(parts[k]); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					return step{}, fmt.Errorf("invalid array slice %q", b)
				}
				sl[k] = &n
			}
		}
		return step{slice: &sl}, nil
	default:
		n, err := strconv.Atoi(b)
		if err != nil {
			return step{}, fmt.Errorf("invalid array index %q", b)
		}
		return step{index: &n}, nil
	}
}

// Execute renders the template against data (decoded JSON).
func (j *JSONPath) Execute(data any) (string, error) {
	var b strings.Builder
	if err := j.run(&b, j.nodes, data, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Values evaluates a lone expression template and returns the values it finds.
func (j *JSONPath) Values(data any) ([]any, error) {
	for _, n := range j.nodes {
		if n.expr != nil || (!n.isLit && n.rng == nil) {
			return eval(n.expr, data, data)
		}
	}
	return nil, nil
}

func (j *JSONPath) run(b *strings.Builder, nodes []tmplNode, cur, root any) error {
	for _, n := range nodes {
		switch {
		case n.isLit:
			b.WriteString(n.text)
		case n.rng != nil:
			vals, err := eval(n.rng.expr, cur, root)
			if err != nil && !j.AllowMissingKeys {
				return err
			}
			var items []any
			for _, v := range vals {
				if s, ok := v.([]any); ok && len(n.rng.expr) > 0 && !n.rng.expr[len(n.rng.expr)-1].wildcard {
					items = append(items, s...)
				} else {
					items = append(items, v)
				}
			}
			for _, it := range items {
				if err := j.run(b, n.rng.body, it, root); err != nil {
					return err
				}
			}
		default:
			vals, err := eval(n.expr, cur, root)
			if err != nil {
				if j.AllowMissingKeys {
					continue
				}
				return err
			}
			for k, v := range vals {
				if k > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(valueString(v))
			}
		}
	}
	return nil
}

func valueString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case map[string]any, []any:
		data, _ := json.Marshal(t)
		return string(data)
	default:
		return fmt.Sprint(t)
	}
}

func eval(steps []step, cur, root any) ([]any, error) {
	vals := []any{cur}
	for _, st := range steps {
		var next []any
		for _, v := range vals {
			switch {
			case st.recursive:
				next = append(next, descend(v, st.field)...)
			case st.wildcard:
				switch t := v.(type) {
				case []any:
					next = append(next, t...)
				case map[string]any:
					keys := sortedKeys(t)
					for _, k := range keys {
						next = append(next, t[k])
					}
				}
			case st.index != nil:
				s, ok := v.([]any)
				if !ok {
					continue
				}
				i := *st.index
				if i < 0 {
					i += len(s)
				}
				if i < 0 || i >= len(s) {
					return nil, fmt.Errorf("array index out of bounds: index %d, length %d", *st.index, len(s))
				}
				next = append(next, s[i])
			case st.slice != nil:
				s, ok := v.([]any)
				if !ok {
					continue
				}
				from, to := 0, len(s)
				if st.slice[0] != nil {
					from = clamp(*st.slice[0], len(s))
				}
				if st.slice[1] != nil {
					to = clamp(*st.slice[1], len(s))
				}
				if from < to {
					next = append(next, s[from:to]...)
				}
			case st.filter != nil:
				s, ok := v.([]any)
				if !ok {
					continue
				}
				for _, it := range s {
					got, _ := eval(st.filter.path, it, root)
					if matches(st.filter, got) {
						next = append(next, it)
					}
				}
			default:
				m, ok := v.(map[string]any)
				if !ok {
					continue
				}
				x, ok := m[st.field]
				if !ok {
					return nil, fmt.Errorf("%s is not found", st.field)
				}
				next = append(next, x)
			}
		}
		vals = next
	}
	return vals, nil
}

func clamp(i, n int) int {
	if i < 0 {
		i += n
	}
	if i < 0 {
		return 0
	}
	if i > n {
		return n
	}
	return i
}

func matches(f *filter, got []any) bool {
	switch f.op {
	case "":
		return len(got) > 0
	case "==":
		return len(got) > 0 && valueString(got[0]) == f.value
	default:
		return len(got) == 0 || valueString(got[0]) != f.value
	}
}

func descend(v any, field string) []any {
	var out []any
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[field]; ok {
			out = append(out, x)
		}
		for _, k := range sortedKeys(t) {
			out = append(out, descend(t[k], field)...)
		}
	case []any:
		for _, x := range t {
			out = append(out, descend(x, field)...)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
