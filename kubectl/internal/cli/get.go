package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/kubectl/internal/printers"
)

type getOptions struct {
	output        string
	selector      string
	fieldSelector string
	watch         bool
	watchOnly     bool
	showLabels    bool
	showKind      bool
	noHeaders     bool
	labelColumns  []string
	files         []string
	recursive     bool
	ignoreMissing bool
}

func (o *Options) newGet() *cobra.Command {
	g := &getOptions{}
	cmd := &cobra.Command{
		Use:   "get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
		Short: "Display one or many resources",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runGet(g, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&g.output, "output", "o", "", "Output format. One of: (json, yaml, name, wide, jsonpath, custom-columns)")
	f.StringVarP(&g.selector, "selector", "l", "", "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.")
	f.StringVar(&g.fieldSelector, "field-selector", "", "Selector (field query) to filter on.")
	f.BoolVarP(&g.watch, "watch", "w", false, "After listing/getting the requested object, watch for changes.")
	f.BoolVar(&g.watchOnly, "watch-only", false, "Watch for changes to the requested object(s), without listing/getting first.")
	f.BoolVar(&g.showLabels, "show-labels", false, "When printing, show all labels as the last column.")
	f.BoolVar(&g.showKind, "show-kind", false, "If present, list the resource type for the requested object(s).")
	f.BoolVar(&g.noHeaders, "no-headers", false, "When using the default or custom-column output format, don't print headers.")
	f.StringSliceVarP(&g.labelColumns, "label-columns", "L", nil, "Accepts a comma separated list of labels that are going to be presented as columns.")
	f.StringSliceVarP(&g.files, "filename", "f", nil, "Filename, directory, or URL to files identifying the resource to get from a server.")
	f.BoolVarP(&g.recursive, "recursive", "R", false, "Process the directory used in -f, --filename recursively.")
	f.BoolVar(&g.ignoreMissing, "ignore-not-found", false, "If the requested object does not exist the command will return exit code 0.")
	o.addAllNamespaces(cmd)
	return cmd
}

func (o *Options) addAllNamespaces(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.")
}

func (o *Options) runGet(g *getOptions, args []string) error {
	format, err := printers.ParseFormat(g.output)
	if err != nil {
		return err
	}
	if _, err := o.client(); err != nil {
		return err
	}
	var targets []target
	var fileNS []string
	if len(g.files) > 0 {
		objs, err := o.readFiles(g.files, g.recursive, "get")
		if err != nil {
			return err
		}
		for _, r := range objs {
			targets = append(targets, target{kind: r.kind, names: []string{r.name}})
			fileNS = append(fileNS, r.ns)
		}
	} else {
		if targets, err = o.parseTargets(args); err != nil {
			return err
		}
	}
	if g.watch || g.watchOnly {
		if len(targets) != 1 {
			return fmt.Errorf("you may only specify a single resource type")
		}
		return o.watch(g, format, targets[0])
	}
	human := format.Kind == "" || format.Kind == "wide"
	withKind := g.showKind || len(targets) > 1
	var errs []error
	var objs []any
	single := len(targets) == 1 && len(targets[0].names) == 1
	tw := printers.NewTabWriter(o.Out)
	written, groups := 0, 0
	for i, t := range targets {
		ns := o.namespaceFor(t.kind)
		if fileNS != nil && t.kind.Namespaced {
			ns = fileNS[i]
		}
		q := url.Values{}
		if g.selector != "" {
			q.Set("labelSelector", g.selector)
		}
		if g.fieldSelector != "" {
			q.Set("fieldSelector", g.fieldSelector)
		}
		if human {
			table := &meta.Table{}
			if len(t.names) == 0 {
				if table, err = o.getTable(t.kind, ns, "", q); err != nil {
					return err
				}
			}
			for _, n := range t.names {
				one, err := o.getTable(t.kind, ns, n, nil)
				if err != nil {
					if !(g.ignoreMissing && errors.IsNotFound(err)) {
						errs = append(errs, err)
					}
					continue
				}
				table.ColumnDefinitions = one.ColumnDefinitions
				table.Rows = append(table.Rows, one.Rows...)
			}
			if len(table.Rows) == 0 {
				continue
			}
			if groups > 0 && !g.noHeaders {
				_ = tw.Flush()
				tw.Reset()
				fmt.Fprintln(o.Out)
			}
			groups++
			opts := printers.TableOptions{
				Wide: format.Kind == "wide", NoHeaders: g.noHeaders, ShowLabels: g.showLabels,
				LabelColumns: g.labelColumns, WithNamespace: o.allNamespaces && t.kind.Namespaced,
			}
			if withKind {
				opts.Kind = kindRef(t.kind)
			}
			printers.PrintTable(tw, table, opts, true)
			written += len(table.Rows)
			_ = tw.Flush()
			continue
		}
		if len(t.names) == 0 {
			list, err := o.raw("GET", client.Path(t.kind, ns, "", ""), q, nil, "")
			if err != nil {
				return err
			}
			items, _ := list["items"].([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					m["apiVersion"] = t.kind.GroupVersion()
					m["kind"] = t.kind.Kind
					objs = append(objs, m)
				}
			}
			single = false
			continue
		}
		for _, n := range t.names {
			obj, err := o.getObject(t.kind, ns, n)
			if err != nil {
				if !(g.ignoreMissing && errors.IsNotFound(err)) {
					errs = append(errs, err)
				}
				continue
			}
			objs = append(objs, obj)
		}
	}
	_ = tw.Flush()
	if human {
		if written == 0 && len(errs) == 0 && !g.ignoreMissing {
			o.noResources(targets)
		}
		return aggregateOf(errs)
	}
	if err := o.printObjects(format, objs, single && len(objs) == 1, g.noHeaders); err != nil {
		return err
	}
	return aggregateOf(errs)
}

// noResources prints upstream's note that a get found nothing.
func (o *Options) noResources(targets []target) {
	namespaced := true
	for _, t := range targets {
		namespaced = namespaced && t.kind.Namespaced
	}
	if namespaced && !o.allNamespaces {
		fmt.Fprintf(o.Err, "No resources found in %s namespace.\n", o.ns())
		return
	}
	fmt.Fprintln(o.Err, "No resources found")
}

// printObjects prints objects in a non-table format; single prints the one object bare.
func (o *Options) printObjects(format printers.Format, objs []any, single, noHeaders bool) error {
	var doc any
	if single {
		doc = objs[0]
	} else {
		if objs == nil {
			objs = []any{}
		}
		doc = map[string]any{"apiVersion": "v1", "kind": "List", "items": objs, "metadata": map[string]any{"resourceVersion": ""}}
	}
	switch format.Kind {
	case "json":
		return printers.PrintJSON(o.Out, doc)
	case "yaml":
		return printers.PrintYAML(o.Out, doc)
	case "name":
		for _, x := range objs {
			fmt.Fprintln(o.Out, o.nameOf(x.(map[string]any)))
		}
	case "jsonpath":
		s, err := format.JSONPath.Execute(doc)
		if err != nil {
			return fmt.Errorf("error executing jsonpath: %v", err)
		}
		fmt.Fprint(o.Out, s)
	case "custom-columns":
		tw := printers.NewTabWriter(o.Out)
		printers.PrintCustomColumns(tw, format.Columns, objs, !noHeaders)
		return tw.Flush()
	}
	return nil
}

// nameOf is the -o name form of an object: "pod/x", "deployment.apps/y".
func (o *Options) nameOf(obj object) string {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if k, ok := o.scheme.ByKind(apiVersion, kind); ok {
		return kindRef(k) + "/" + nestedString(obj, "metadata", "name")
	}
	return fmt.Sprintf("%s/%s", kind, nestedString(obj, "metadata", "name"))
}

// watch implements get -w and --watch-only for one kind.
func (o *Options) watch(g *getOptions, format printers.Format, t target) error {
	ns := o.namespaceFor(t.kind)
	q := url.Values{}
	if g.selector != "" {
		q.Set("labelSelector", g.selector)
	}
	if len(t.names) == 1 {
		q.Set("fieldSelector", "metadata.name="+t.names[0])
	} else if g.fieldSelector != "" {
		q.Set("fieldSelector", g.fieldSelector)
	}
	human := format.Kind == "" || format.Kind == "wide"
	opts := printers.TableOptions{
		Wide: format.Kind == "wide", NoHeaders: g.noHeaders, ShowLabels: g.showLabels,
		LabelColumns: g.labelColumns, WithNamespace: o.allNamespaces && t.kind.Namespaced,
	}
	tw := printers.NewTabWriter(o.Out)
	header := true
	rv := ""
	if !g.watchOnly {
		table, err := o.getTable(t.kind, ns, "", q)
		if err != nil {
			return err
		}
		rv = table.ResourceVersion
		if human {
			if len(table.Rows) > 0 {
				printers.PrintTable(tw, table, opts, true)
				header = false
			} else {
				o.noResources([]target{t})
			}
			_ = tw.Flush()
		} else {
			objs, err := o.listObjects(t.kind, ns, g.selector)
			if err != nil {
				return err
			}
			for _, x := range objs {
				if err := o.printObjects(format, []any{x}, true, true); err != nil {
					return err
				}
			}
		}
	}
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Set("watch", "true")
	if rv != "" {
		wq.Set("resourceVersion", rv)
	}
	accept := ""
	if human {
		accept = tableAccept
	}
	cl, _ := o.client()
	resp, err := cl.Do(o.ctx, "GET", client.Path(t.kind, ns, "", ""), wq, nil, "", accept)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return o.printWatch(resp.Body, human, format, opts, tw, header)
}

func (o *Options) printWatch(body io.Reader, human bool, format printers.Format, opts printers.TableOptions, tw *printers.TabWriter, header bool) error {
	dec := json.NewDecoder(bufio.NewReader(body))
	dec.UseNumber()
	for {
		var ev struct {
			Type   string          `json:"type"`
			Object json.RawMessage `json:"object"`
		}
		if err := dec.Decode(&ev); err != nil {
			if err == io.EOF || o.ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("reading the watch: %w", err)
		}
		if ev.Type == "BOOKMARK" {
			continue
		}
		if ev.Type == "ERROR" {
			var st meta.Status
			_ = json.Unmarshal(ev.Object, &st)
			return &st
		}
		if human {
			var t meta.Table
			d := json.NewDecoder(bytesReader(ev.Object))
			d.UseNumber()
			if err := d.Decode(&t); err != nil {
				return fmt.Errorf("decoding a watch event: %w", err)
			}
			printers.PrintTable(tw, &t, opts, header)
			header = false
			_ = tw.Flush()
			continue
		}
		obj, err := decodeObject(ev.Object)
		if err != nil {
			return err
		}
		if err := o.printObjects(format, []any{obj}, true, true); err != nil {
			return err
		}
	}
}
