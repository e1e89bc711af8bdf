package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/errors"
	"seven.dev/api/scheme"
)

type deleteOptions struct {
	files          []string
	recursive      bool
	selector       string
	fieldSelector  string
	all            bool
	gracePeriod    int
	now            bool
	force          bool
	cascade        string
	wait           bool
	timeout        time.Duration
	ignoreNotFound bool
	output         string
}

// newDelete builds delete and, under the name "stop", the old kubectl's alias of it.
func (o *Options) newDelete(use string) *cobra.Command {
	d := &deleteOptions{}
	cmd := &cobra.Command{
		Use:   use + " ([-f FILENAME] | TYPE [(NAME | -l label | --all)])",
		Short: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runDelete(d, args)
		},
	}
	if use == "stop" {
		cmd.Short = "Deprecated: gracefully shut down a resource by name or file name (an alias of delete)"
	}
	f := cmd.Flags()
	f.StringSliceVarP(&d.files, "filename", "f", nil, "containing the resource to delete.")
	f.BoolVarP(&d.recursive, "recursive", "R", false, "Process the directory used in -f, --filename recursively.")
	f.StringVarP(&d.selector, "selector", "l", "", "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.")
	f.StringVar(&d.fieldSelector, "field-selector", "", "Selector (field query) to filter on.")
	f.BoolVar(&d.all, "all", false, "Delete all resources, in the namespace of the specified resource types.")
	f.IntVar(&d.gracePeriod, "grace-period", -1, "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative.")
	f.BoolVar(&d.now, "now", false, "If true, resources are signaled for immediate shutdown (same as --grace-period=1).")
	f.BoolVar(&d.force, "force", false, "If true, immediately remove resources from API and bypass graceful deletion.")
	f.StringVar(&d.cascade, "cascade", "background", `Must be "background", "orphan", or "foreground".`)
	f.Lookup("cascade").NoOptDefVal = "background"
	f.BoolVar(&d.wait, "wait", true, "If true, wait for resources to be gone before returning.")
	f.DurationVar(&d.timeout, "timeout", 0, "The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object")
	f.BoolVar(&d.ignoreNotFound, "ignore-not-found", false, "Treat \"resource not found\" as a successful delete.")
	f.StringVarP(&d.output, "output", "o", "", "Output mode. Use \"-o name\" for shorter output (resource/name).")
	o.addAllNamespaces(cmd)
	return cmd
}

// propagation maps --cascade to a propagation policy.
func propagation(cascade string) (string, error) {
	switch strings.ToLower(cascade) {
	case "background", "true":
		return "Background", nil
	case "foreground":
		return "Foreground", nil
	case "orphan", "false":
		return "Orphan", nil
	}
	return "", fmt.Errorf(`invalid cascade value (%v). Must be "background", "foreground", or "orphan"`, cascade)
}

type victim struct {
	kind     *scheme.Kind
	ns, name string
}

func (o *Options) runDelete(d *deleteOptions, args []string) error {
	policy, err := propagation(d.cascade)
	if err != nil {
		return err
	}
	if d.now {
		if d.gracePeriod >= 0 {
			return fmt.Errorf("--now and --grace-period cannot be specified together")
		}
		d.gracePeriod = 1
	}
	if d.force && d.gracePeriod < 0 {
		d.gracePeriod = 0
	}
	if _, err := o.client(); err != nil {
		return err
	}
	var victims []victim
	var errs []error
	found := 0
	switch {
	case len(d.files) > 0:
		if len(args) > 0 {
			return fmt.Errorf("resource(s) were provided, but no name was specified")
		}
		objs, err := o.readFiles(d.files, d.recursive, "delete")
		if err != nil {
			return err
		}
		for _, r := range objs {
			victims = append(victims, victim{r.kind, r.ns, r.name})
		}
	default:
		targets, err := o.parseTargets(args)
		if err != nil {
			if len(args) == 0 {
				return fmt.Errorf("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
			}
			return err
		}
		for _, t := range targets {
			ns := o.namespaceFor(t.kind)
			if len(t.names) > 0 {
				if d.selector != "" || d.all {
					return fmt.Errorf("name cannot be provided when a selector is specified")
				}
				for _, n := range t.names {
					victims = append(victims, victim{t.kind, ns, n})
				}
				continue
			}
			if d.selector == "" && !d.all && d.fieldSelector == "" {
				return fmt.Errorf("resource(s) were provided, but no name was specified")
			}
			objs, err := o.listObjects(t.kind, ns, d.selector)
			if err != nil {
				return err
			}
			for _, x := range objs {
				victims = append(victims, victim{t.kind, nestedString(x, "metadata", "namespace"), nestedString(x, "metadata", "name")})
			}
		}
		if len(victims) == 0 {
			fmt.Fprintln(o.Out, "No resources found")
			return nil
		}
	}
	if d.gracePeriod == 0 && d.force {
		fmt.Fprintln(o.Err, "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.")
	}
	var deleted []victim
	for _, v := range victims {
		body := map[string]any{"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": policy}
		if d.gracePeriod >= 0 {
			body["gracePeriodSeconds"] = d.gracePeriod
		}
		_, err := o.send("DELETE", client.Path(v.kind, v.ns, v.name, ""), nil, body, "")
		if err != nil {
			if errors.IsNotFound(err) && d.ignoreNotFound {
				continue
			}
			errs = append(errs, err)
			continue
		}
		found++
		deleted = append(deleted, v)
		if d.output == "name" {
			fmt.Fprintf(o.Out, "%s/%s\n", kindRef(v.kind), v.name)
		} else {
			fmt.Fprintf(o.Out, "%s %q deleted\n", kindRef(v.kind), v.name)
		}
	}
	if d.wait {
		timeout := d.timeout
		if timeout == 0 {
			timeout = 60 * time.Second
		}
		for _, v := range deleted {
			if err := o.waitGone(v.kind, v.ns, v.name, timeout); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return aggregateOf(errs)
}

// waitGone polls until the object is gone (timeout 0: 60 s).
func (o *Options) waitGone(k *scheme.Kind, ns, name string, timeout time.Duration) error {
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for {
		_, err := o.getObject(k, ns, name)
		if errors.IsNotFound(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for the condition on %s/%s", resourceRef(k), name)
		}
		select {
		case <-o.ctx.Done():
			return o.ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
