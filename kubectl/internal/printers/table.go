package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"seven.dev/api/meta"
)

// TableOptions decorate a server-side Table as kubectl get's flags ask.
type TableOptions struct {
	// Wide prints every column, not only those of priority 0.
	Wide bool
	// NoHeaders omits the header line.
	NoHeaders bool
	// WithNamespace adds a leading NAMESPACE column (kubectl get -A).
	WithNamespace bool
	// Kind, when set, prefixes names with "<kind>/" (several kinds in one get).
	Kind string
	// ShowLabels adds a LABELS column.
	ShowLabels bool
	// LabelColumns adds one column per label key (-L).
	LabelColumns []string
}

type rowMeta struct {
	Metadata struct {
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
}

// PrintTable writes t's rows (and its header unless NoHeaders or header is false) to w.
func PrintTable(w io.Writer, t *meta.Table, opts TableOptions, header bool) {
	var cols []int
	nameCol := -1
	for i, c := range t.ColumnDefinitions {
		if opts.Wide || c.Priority == 0 {
			cols = append(cols, i)
		}
		if c.Format == "name" && nameCol < 0 {
			nameCol = i
		}
	}
	if header && !opts.NoHeaders {
		var h []string
		if opts.WithNamespace {
			h = append(h, "NAMESPACE")
		}
		for _, i := range cols {
			h = append(h, strings.ToUpper(t.ColumnDefinitions[i].Name))
		}
		for _, l := range opts.LabelColumns {
			h = append(h, labelHeader(l))
		}
		if opts.ShowLabels {
			h = append(h, "LABELS")
		}
		fmt.Fprintln(w, strings.Join(h, "\t"))
	}
	for _, row := range t.Rows {
		var rm rowMeta
		if len(row.Object) > 0 {
			_ = json.Unmarshal(row.Object, &rm)
		}
		var out []string
		if opts.WithNamespace {
			out = append(out, rm.Metadata.Namespace)
		}
		for _, i := range cols {
			var s string
			if i < len(row.Cells) {
				s = cellString(row.Cells[i])
			}
			if i == nameCol && opts.Kind != "" {
				s = opts.Kind + "/" + s
			}
			out = append(out, s)
		}
		for _, l := range opts.LabelColumns {
			out = append(out, rm.Metadata.Labels[l])
		}
		if opts.ShowLabels {
			out = append(out, FormatLabels(rm.Metadata.Labels))
		}
		fmt.Fprintln(w, strings.Join(out, "\t"))
	}
}

func labelHeader(key string) string {
	if i := strings.LastIndex(key, "/"); i >= 0 {
		key = key[i+1:]
	}
	return strings.ToUpper(key)
}

// cellString renders one cell as upstream does: strings cut at the first line break (with
// "..."), nil as nothing, anything else with fmt.
func cellString(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		if i := strings.IndexAny(v, "\f\n\r"); i >= 0 {
			return v[:i] + "..."
		}
		return v
	default:
		return fmt.Sprint(v)
	}
}

// FormatLabels renders labels as "k=v,k2=v2" sorted by key, or "<none>".
func FormatLabels(l map[string]string) string {
	if len(l) == 0 {
		return "<none>"
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, ",")
}
