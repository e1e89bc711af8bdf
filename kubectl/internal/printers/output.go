package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"
)

// Format is a parsed -o value.
type Format struct {
	// Kind is "", "wide", "json", "yaml", "name", "jsonpath" or "custom-columns".
	Kind string
	// JSONPath is the template of -o jsonpath=...
	JSONPath *JSONPath
	// Columns are the columns of -o custom-columns=...
	Columns []Column
}

// Column is one custom column.
type Column struct {
	Header string
	Path   *JSONPath
}

// ParseFormat parses kubectl's -o flag.
func ParseFormat(o string) (Format, error) {
	name, arg, _ := strings.Cut(o, "=")
	switch name {
	case "", "wide", "json", "yaml", "name":
		return Format{Kind: name}, nil
	case "jsonpath", "jsonpath-as-json":
		if arg == "" {
			return Format{}, fmt.Errorf("jsonpath template format specified but no template given")
		}
		jp, err := ParseJSONPath(arg)
		if err != nil {
			return Format{}, fmt.Errorf("error parsing jsonpath %s, %v", arg, err)
		}
		jp.AllowMissingKeys = true
		return Format{Kind: "jsonpath", JSONPath: jp}, nil
	case "custom-columns":
		if arg == "" {
			return Format{}, fmt.Errorf("custom-columns format specified but no custom columns given")
		}
		var cols []Column
		for _, spec := range strings.Split(arg, ",") {
			h, p, ok := strings.Cut(spec, ":")
			if !ok {
				return Format{}, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", spec)
			}
			if !strings.HasPrefix(p, "{") {
				p = "{" + p + "}"
			}
			jp, err := ParseJSONPath(p)
			if err != nil {
				return Format{}, err
			}
			jp.AllowMissingKeys = true
			cols = append(cols, Column{Header: h, Path: jp})
		}
		return Format{Kind: "custom-columns", Columns: cols}, nil
	case "go-template", "go-template-file", "template", "templatefile", "jsonpath-file":
		return Format{}, fmt.Errorf("output format %q is not supported by Seven's kubectl", name)
	}
	return Format{}, fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml", o)
}

// PrintJSON writes v as upstream's JSON printer does (four-space indent, sorted keys).
func PrintJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// PrintYAML writes v as YAML with sorted keys.
func PrintYAML(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	y, err := yaml.JSONToYAML(data)
	if err != nil {
		return err
	}
	_, err = w.Write(y)
	return err
}

// PrintCustomColumns writes one row per object under the columns' headers.
func PrintCustomColumns(w io.Writer, cols []Column, objs []any, header bool) {
	if header {
		var h []string
		for _, c := range cols {
			h = append(h, c.Header)
		}
		fmt.Fprintln(w, strings.Join(h, "\t"))
	}
	for _, o := range objs {
		var cells []string
		for _, c := range cols {
			vals, err := c.Path.Values(o)
			if err != nil || len(vals) == 0 {
				cells = append(cells, "<none>")
				continue
			}
			var parts []string
			for _, v := range vals {
				parts = append(parts, valueString(v))
			}
			cells = append(cells, strings.Join(parts, ","))
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
}
