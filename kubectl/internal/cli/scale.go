package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/errors"
	"seven.dev/api/scheme"
)

type scaleOptions struct {
	replicas        int
	currentReplicas int
	resourceVersion string
	files           []string
	selector        string
	all             bool
}

func (o *Options) newScale() *cobra.Command {
	s := &scaleOptions{}
	cmd := &cobra.Command{
		Use:   "scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)",
		Short: "Set a new size for a deployment, replica set, or replication controller",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("replicas") {
				return flagError{fmt.Errorf("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")}
			}
			return o.runScale(s, args)
		},
	}
	f := cmd.Flags()
	f.IntVar(&s.replicas, "replicas", 0, "The new desired number of replicas. Required.")
	f.IntVar(&s.currentReplicas, "current-replicas", -1, "Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.")
	f.StringVar(&s.resourceVersion, "resource-version", "", "Precondition for resource version. Requires that the current resource version match this value in order to scale.")
	f.StringSliceVarP(&s.files, "filename", "f", nil, "Filename, directory, or URL to files identifying the resource to set a new size")
	f.StringVarP(&s.selector, "selector", "l", "", "Selector (label query) to filter on.")
	f.BoolVar(&s.all, "all", false, "Select all resources in the namespace of the specified resource types")
	return cmd
}

func (o *Options) runScale(s *scaleOptions, args []string) error {
	if s.replicas < 0 {
		return fmt.Errorf("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
	}
	victims, err := o.selectObjects(args, s.files, s.selector, s.all)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range victims {
		if !v.kind.HasSubresource("scale") {
			errs = append(errs, fmt.Errorf("cannot scale %s", resourceRef(v.kind)))
			continue
		}
		if err := o.scaleOne(v.kind, v.ns, v.name, s.replicas, s.currentReplicas, s.resourceVersion); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(o.Out, "%s/%s scaled\n", kindRef(v.kind), v.name)
	}
	return aggregateOf(errs)
}

// scaleOne sets the replicas of one object through its scale subresource, checking the
// preconditions first (current < 0 and rv "" mean none).
func (o *Options) scaleOne(k *scheme.Kind, ns, name string, replicas, current int, rv string) error {
	path := client.Path(k, ns, name, "scale")
	for attempt := 0; ; attempt++ {
		sc, err := o.raw("GET", path, nil, nil, "")
		if err != nil {
			return err
		}
		if current >= 0 {
			was := 0
			if n, ok := nested(sc, "spec", "replicas").(json.Number); ok {
				v, _ := n.Int64()
				was = int(v)
			}
			if was != current {
				return fmt.Errorf("Expected replicas to be %d, was %d", current, was)
			}
		}
		if rv != "" {
			if got := nestedString(sc, "metadata", "resourceVersion"); got != rv {
				return fmt.Errorf("Expected resource version to be %s, was %s", rv, got)
			}
		}
		nestedMap(sc, true, "spec")["replicas"] = replicas
		_, err = o.send("PUT", path, nil, sc, "")
		// A conflict with a controller's status write is retried, unless the user pinned
		// the resource version.
		if err == nil || rv != "" || !errors.IsConflict(err) || attempt >= 10 {
			return err
		}
	}
}

// selectObjects resolves TYPE NAME..., TYPE/NAME, -f, or TYPE with -l/--all into objects.
func (o *Options) selectObjects(args, files []string, selector string, all bool) ([]victim, error) {
	if _, err := o.client(); err != nil {
		return nil, err
	}
	var out []victim
	if len(files) > 0 {
		objs, err := o.readFiles(files, false, "scale")
		if err != nil {
			return nil, err
		}
		for _, r := range objs {
			out = append(out, victim{r.kind, r.ns, r.name})
		}
		return out, nil
	}
	targets, err := o.parseTargets(args)
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		ns := o.namespaceFor(t.kind)
		if len(t.names) > 0 {
			for _, n := range t.names {
				out = append(out, victim{t.kind, ns, n})
			}
			continue
		}
		if selector == "" && !all {
			return nil, fmt.Errorf("resource(s) were provided, but no name was specified")
		}
		objs, err := o.listObjects(t.kind, ns, selector)
		if err != nil {
			return nil, err
		}
		for _, x := range objs {
			out = append(out, victim{t.kind, nestedString(x, "metadata", "namespace"), nestedString(x, "metadata", "name")})
		}
	}
	return out, nil
}

type labelOptions struct {
	overwrite       bool
	selector        string
	all             bool
	list            bool
	resourceVersion string
	files           []string
	dryRun          string
}

// newLabel builds label or annotate: they differ only in the metadata map they change.
func (o *Options) newLabel(verb string) *cobra.Command {
	l := &labelOptions{}
	field, past := "labels", "labeled"
	if verb == "annotate" {
		field, past = "annotations", "annotated"
	}
	cmd := &cobra.Command{
		Use:   verb + " [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]",
		Short: "Update the " + field + " on a resource",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runLabel(l, field, past, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&l.overwrite, "overwrite", false, "If true, allow "+field+" to be overwritten, otherwise reject updates that overwrite existing "+field+".")
	f.StringVarP(&l.selector, "selector", "l", "", "Selector (label query) to filter on.")
	f.BoolVar(&l.all, "all", false, "Select all resources, in the namespace of the specified resource types")
	f.BoolVar(&l.list, "list", false, "If true, display the "+field+" for a given resource.")
	f.StringVar(&l.resourceVersion, "resource-version", "", "If non-empty, the update will only succeed if this is the current resource-version for the object.")
	f.StringSliceVarP(&l.files, "filename", "f", nil, "Filename, directory, or URL to files identifying the resource to update")
	f.StringVar(&l.dryRun, "dry-run", "none", `Must be "none", "server", or "client".`)
	o.addAllNamespaces(cmd)
	return cmd
}

func (o *Options) runLabel(l *labelOptions, field, past string, args []string) error {
	var objArgs []string
	set := map[string]string{}
	var remove []string
	for _, a := range args {
		switch {
		case strings.Contains(a, "="):
			k, v, _ := strings.Cut(a, "=")
			if k == "" {
				return fmt.Errorf("invalid %s format: %s", strings.TrimSuffix(field, "s"), a)
			}
			set[k] = v
		case strings.HasSuffix(a, "-") && len(objArgs) > 0:
			remove = append(remove, strings.TrimSuffix(a, "-"))
		default:
			objArgs = append(objArgs, a)
		}
	}
	if len(set) == 0 && len(remove) == 0 && !l.list {
		return fmt.Errorf("at least one %s update is required", strings.TrimSuffix(field, "s"))
	}
	victims, err := o.selectObjects(objArgs, l.files, l.selector, l.all)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range victims {
		cur, err := o.getObject(v.kind, v.ns, v.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		existing := nestedMap(cur, false, "metadata", field)
		if l.list {
			for _, k := range sortedKeys(existing) {
				fmt.Fprintf(o.Out, "%s=%v\n", k, existing[k])
			}
			continue
		}
		changes := map[string]any{}
		for k, val := range set {
			if old, ok := existing[k]; ok && !l.overwrite && old != val {
				return fmt.Errorf("'%s' already has a value (%v), and --overwrite is false", k, old)
			}
			if old, ok := existing[k]; !ok || old != val {
				changes[k] = val
			}
		}
		for _, k := range remove {
			if _, ok := existing[k]; ok {
				changes[k] = nil
			}
		}
		if len(changes) == 0 && l.resourceVersion == "" {
			fmt.Fprintf(o.Out, "%s/%s not %s\n", kindRef(v.kind), v.name, past)
			continue
		}
		md := map[string]any{field: changes}
		if l.resourceVersion != "" {
			md["resourceVersion"] = l.resourceVersion
		}
		q := (&writeOptions{dryRun: l.dryRun}).query()
		if l.dryRun != "client" {
			if _, err := o.send("PATCH", client.Path(v.kind, v.ns, v.name, ""), q, map[string]any{"metadata": md}, client.MergePatchType); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		word := past
		if past == "labeled" && !l.overwrite && len(set) == 0 {
			word = "unlabeled"
		}
		fmt.Fprintf(o.Out, "%s/%s %s\n", kindRef(v.kind), v.name, word)
	}
	return aggregateOf(errs)
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
