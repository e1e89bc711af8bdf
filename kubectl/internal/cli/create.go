package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/errors"
	"seven.dev/api/patch"
	"seven.dev/api/scheme"
	"seven.dev/kubectl/internal/printers"
)

// lastApplied is the annotation kubectl apply keeps the applied configuration in.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

type writeOptions struct {
	files      []string
	recursive  bool
	output     string
	dryRun     string
	saveConfig bool
	force      bool
	validate   string
}

func (w *writeOptions) addFlags(cmd *cobra.Command, what string) {
	f := cmd.Flags()
	f.StringSliceVarP(&w.files, "filename", "f", nil, "The files that contain the configurations to "+what+".")
	f.BoolVarP(&w.recursive, "recursive", "R", false, "Process the directory used in -f, --filename recursively.")
	f.StringVarP(&w.output, "output", "o", "", "Output format. One of: (json, yaml, name, jsonpath, custom-columns).")
	f.StringVar(&w.dryRun, "dry-run", "none", `Must be "none", "server", or "client".`)
	f.Lookup("dry-run").NoOptDefVal = "unchanged"
	f.StringVar(&w.validate, "validate", "strict", "Must be one of: strict (or true), warn, ignore (or false).")
	f.Lookup("validate").NoOptDefVal = "strict"
}

func (w *writeOptions) query() url.Values {
	q := url.Values{}
	if w.dryRun == "server" {
		q.Set("dryRun", "All")
	}
	return q
}

func (w *writeOptions) dryRunSuffix() string {
	switch w.dryRun {
	case "client":
		return " (dry run)"
	case "server":
		return " (server dry run)"
	}
	return ""
}

func (w *writeOptions) check() error {
	switch w.dryRun {
	case "none", "client", "server":
		return nil
	}
	return fmt.Errorf(`Invalid dry-run value (%v). Must be "none", "server", or "client".`, w.dryRun)
}

// report prints what happened to obj: "<kind>/<name> <verb>" or the -o form.
func (o *Options) report(w *writeOptions, k *scheme.Kind, name, verb string, obj object) error {
	if w.output == "" {
		fmt.Fprintf(o.Out, "%s/%s %s%s\n", kindRef(k), name, verb, w.dryRunSuffix())
		return nil
	}
	format, err := printers.ParseFormat(w.output)
	if err != nil {
		return err
	}
	if obj == nil {
		return nil
	}
	return o.printObjects(format, []any{obj}, true, false)
}

func (o *Options) newCreate() *cobra.Command {
	w := &writeOptions{}
	cmd := &cobra.Command{
		Use:   "create -f FILENAME",
		Short: "Create a resource from a file or from stdin",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagError{fmt.Errorf("Unexpected args: %v", args)}
			}
			return o.runCreate(w)
		},
	}
	w.addFlags(cmd, "create")
	cmd.Flags().BoolVar(&w.saveConfig, "save-config", false, "If true, the configuration of current object will be saved in its annotation.")
	cmd.AddCommand(o.newCreateNamespace())
	return cmd
}

func (o *Options) runCreate(w *writeOptions) error {
	if err := w.check(); err != nil {
		return err
	}
	objs, err := o.readFiles(w.files, w.recursive, "create")
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range objs {
		if w.saveConfig {
			if err := setLastApplied(r.obj); err != nil {
				return err
			}
		}
		created := r.obj
		if w.dryRun != "client" {
			created, err = o.send("POST", client.Path(r.kind, r.ns, "", ""), w.query(), r.obj, "")
			if err != nil {
				errs = append(errs, withContext(fmt.Sprintf("error when creating %q: ", r.source), err))
				continue
			}
		}
		if err := o.report(w, r.kind, nestedString(created, "metadata", "name"), "created", created); err != nil {
			return err
		}
	}
	return aggregateOf(errs)
}

func (o *Options) newCreateNamespace() *cobra.Command {
	w := &writeOptions{}
	cmd := &cobra.Command{
		Use:     "namespace NAME",
		Aliases: []string{"ns"},
		Short:   "Create a namespace with the specified name",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, _ := o.scheme.ByKind("v1", "Namespace")
			obj := object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": args[0]}}
			created, err := o.send("POST", client.Path(k, "", "", ""), w.query(), obj, "")
			if err != nil {
				return err
			}
			return o.report(w, k, args[0], "created", created)
		},
	}
	cmd.Flags().StringVarP(&w.output, "output", "o", "", "Output format.")
	cmd.Flags().StringVar(&w.dryRun, "dry-run", "none", `Must be "none", "server", or "client".`)
	return cmd
}

// setLastApplied stores obj's own configuration (without the annotation) in the annotation.
func setLastApplied(obj object) error {
	ann := nestedMap(obj, true, "metadata", "annotations")
	delete(ann, lastApplied)
	if len(ann) == 0 {
		delete(nestedMap(obj, true, "metadata"), "annotations")
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encoding the applied configuration: %w", err)
	}
	nestedMap(obj, true, "metadata", "annotations")[lastApplied] = string(data) + "\n"
	return nil
}

func schemaOf(k *scheme.Kind) patch.Schema {
	return patch.SchemaFromType(reflect.TypeOf(k.New()).Elem())
}

func (o *Options) newApply() *cobra.Command {
	w := &writeOptions{}
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "apply (-f FILENAME | -k DIRECTORY)",
		Short: "Apply a configuration to a resource by file name or stdin",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagError{fmt.Errorf("Unexpected args: %v", args)}
			}
			return o.runApply(w, overwrite)
		},
	}
	w.addFlags(cmd, "apply")
	cmd.Flags().BoolVar(&overwrite, "overwrite", true, "Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration")
	cmd.Flags().Bool("server-side", false, "Server-side apply is not supported by Seven's kubectl; must be false.")
	return cmd
}

func (o *Options) runApply(w *writeOptions, overwrite bool) error {
	if err := w.check(); err != nil {
		return err
	}
	objs, err := o.readFiles(w.files, w.recursive, "apply")
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range objs {
		if err := setLastApplied(r.obj); err != nil {
			return err
		}
		modified, _ := json.Marshal(r.obj)
		current, err := o.getObject(r.kind, r.ns, r.name)
		if errors.IsNotFound(err) {
			created := r.obj
			if w.dryRun != "client" {
				created, err = o.send("POST", client.Path(r.kind, r.ns, "", ""), w.query(), r.obj, "")
				if err != nil {
					errs = append(errs, withContext(fmt.Sprintf("error when creating %q: ", r.source), err))
					continue
				}
			}
			if err := o.report(w, r.kind, r.name, "created", created); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			errs = append(errs, withContext(fmt.Sprintf("error when retrieving current configuration of:\nResource: %q, GroupVersionKind: %q\nName: %q, Namespace: %q\nfrom server for: %q: ", resourceRef(r.kind), r.kind.GroupVersion()+", Kind="+r.kind.Kind, r.name, r.ns, r.source), err))
			continue
		}
		original := []byte(nestedString(current, "metadata", "annotations", lastApplied))
		if len(original) == 0 {
			fmt.Fprintf(o.Err, "Warning: resource %s/%s is missing the %s annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", resourceRef(r.kind), r.name, lastApplied)
		}
		cur, _ := json.Marshal(current)
		p, err := patch.CreateThreeWayMergePatch(original, modified, cur, schemaOf(r.kind), overwrite)
		if err != nil {
			errs = append(errs, fmt.Errorf("error when applying patch to %q: %v", r.source, err))
			continue
		}
		if string(p) == "{}" {
			if err := o.report(w, r.kind, r.name, "unchanged", current); err != nil {
				return err
			}
			continue
		}
		result := current
		if w.dryRun != "client" {
			result, err = o.raw("PATCH", client.Path(r.kind, r.ns, r.name, ""), w.query(), p, client.StrategicMergePatchType)
			if err != nil {
				errs = append(errs, withContext(fmt.Sprintf("error when applying patch:\n%s\nto:\nResource: %q, GroupVersionKind: %q\nName: %q, Namespace: %q\nfor: %q: ", p, resourceRef(r.kind), r.kind.GroupVersion()+", Kind="+r.kind.Kind, r.name, r.ns, r.source), err))
				continue
			}
		}
		if err := o.report(w, r.kind, r.name, "configured", result); err != nil {
			return err
		}
	}
	return aggregateOf(errs)
}

func (o *Options) newReplace() *cobra.Command {
	w := &writeOptions{}
	cmd := &cobra.Command{
		Use:   "replace -f FILENAME",
		Short: "Replace a resource by file name or stdin",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagError{fmt.Errorf("Unexpected args: %v", args)}
			}
			return o.runReplace(w)
		},
	}
	w.addFlags(cmd, "replace")
	cmd.Flags().BoolVar(&w.force, "force", false, "If true, immediately remove resources from API and bypass graceful deletion; then re-create them.")
	cmd.Flags().BoolVar(&w.saveConfig, "save-config", false, "If true, the configuration of current object will be saved in its annotation.")
	return cmd
}

func (o *Options) runReplace(w *writeOptions) error {
	if err := w.check(); err != nil {
		return err
	}
	objs, err := o.readFiles(w.files, w.recursive, "replace")
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range objs {
		if w.saveConfig {
			if err := setLastApplied(r.obj); err != nil {
				return err
			}
		}
		path := client.Path(r.kind, r.ns, r.name, "")
		if w.force {
			zero := int64(0)
			_, err := o.send("DELETE", path, nil, map[string]any{"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": zero}, "")
			if err != nil && !errors.IsNotFound(err) {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintf(o.Out, "%s/%s deleted\n", kindRef(r.kind), r.name)
			if err := o.waitGone(r.kind, r.ns, r.name, 0); err != nil {
				return err
			}
			if _, err := o.send("POST", client.Path(r.kind, r.ns, "", ""), w.query(), r.obj, ""); err != nil {
				errs = append(errs, withContext(fmt.Sprintf("error when creating %q: ", r.source), err))
				continue
			}
			fmt.Fprintf(o.Out, "%s/%s replaced\n", kindRef(r.kind), r.name)
			continue
		}
		if nestedString(r.obj, "metadata", "resourceVersion") == "" {
			cur, err := o.getObject(r.kind, r.ns, r.name)
			if err != nil {
				errs = append(errs, withContext(fmt.Sprintf("error when replacing %q: ", r.source), err))
				continue
			}
			nestedMap(r.obj, true, "metadata")["resourceVersion"] = nestedString(cur, "metadata", "resourceVersion")
		}
		out, err := o.send("PUT", path, w.query(), r.obj, "")
		if err != nil {
			errs = append(errs, withContext(fmt.Sprintf("error when replacing %q: ", r.source), err))
			continue
		}
		if err := o.report(w, r.kind, r.name, "replaced", out); err != nil {
			return err
		}
	}
	return aggregateOf(errs)
}
