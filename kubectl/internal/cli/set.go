package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
)

// newSet builds `kubectl set`, with its `image` subcommand.
func (o *Options) newSet() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set SUBCOMMAND",
		Short: "Set specific features on objects",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagError{fmt.Errorf("unknown command %q for \"kubectl set\"", args[0])}
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(o.newSetImage())
	return cmd
}

type setImageOptions struct {
	files    []string
	selector string
	all      bool
	dryRun   string
}

// podTemplatePaths says where each kind keeps its pod spec.
var podTemplatePaths = map[string][]string{
	"Pod":                   {"spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"Deployment":            {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

func (o *Options) newSetImage() *cobra.Command {
	s := &setImageOptions{}
	cmd := &cobra.Command{
		Use:   "image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N",
		Short: "Update the image of a pod template",
		Long: "Update existing container image(s) of resources: pods, replication controllers, replica sets,\n" +
			"deployments, daemon sets, stateful sets, jobs and cron jobs. `*` names every container.",
		RunE: func(cmd *cobra.Command, args []string) error { return o.runSetImage(s, args) },
	}
	f := cmd.Flags()
	f.StringSliceVarP(&s.files, "filename", "f", nil, "Filename, directory, or URL to files identifying the resource to update")
	f.StringVarP(&s.selector, "selector", "l", "", "Selector (label query) to filter on.")
	f.BoolVar(&s.all, "all", false, "Select all resources, in the namespace of the specified resource types")
	f.StringVar(&s.dryRun, "dry-run", "none", `Must be "none", "server", or "client".`)
	o.addAllNamespaces(cmd)
	return cmd
}

func (o *Options) runSetImage(s *setImageOptions, args []string) error {
	var objArgs []string
	images := map[string]string{}
	for _, a := range args {
		if name, image, ok := strings.Cut(a, "="); ok {
			if name == "" || image == "" {
				return flagError{fmt.Errorf("invalid image %q: want CONTAINER_NAME=IMAGE", a)}
			}
			images[name] = image
			continue
		}
		objArgs = append(objArgs, a)
	}
	if len(images) == 0 {
		return flagError{fmt.Errorf("at least one image update is required")}
	}
	objs, err := o.selectObjects(objArgs, s.files, s.selector, s.all)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range objs {
		path, ok := podTemplatePaths[v.kind.Kind]
		if !ok {
			errs = append(errs, fmt.Errorf("%s/%s has no pod template: set image works on pods and workload resources", kindRef(v.kind), v.name))
			continue
		}
		cur, err := o.getObject(v.kind, v.ns, v.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		podSpec := nestedMap(cur, false, path...)
		patchSpec, changed, err := imagePatch(podSpec, images)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !changed {
			fmt.Fprintf(o.Out, "%s/%s image not updated\n", kindRef(v.kind), v.name)
			continue
		}
		body := map[string]any{}
		at := body
		for _, p := range path[:len(path)-1] {
			next := map[string]any{}
			at[p] = next
			at = next
		}
		at[path[len(path)-1]] = patchSpec
		if s.dryRun != "client" {
			q := (&writeOptions{dryRun: s.dryRun}).query()
			if _, err := o.send("PATCH", client.Path(v.kind, v.ns, v.name, ""), q, body, client.StrategicMergePatchType); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		fmt.Fprintf(o.Out, "%s/%s image updated\n", kindRef(v.kind), v.name)
	}
	return aggregateOf(errs)
}

// imagePatch is the strategic merge patch of a pod spec that gives the named containers
// (init containers too; "*" all of them) their new images; changed says whether any image
// differs. A name matching no container is an error, as upstream says it.
func imagePatch(podSpec map[string]any, images map[string]string) (map[string]any, bool, error) {
	out := map[string]any{}
	changed := false
	found := map[string]bool{}
	for _, field := range []string{"initContainers", "containers"} {
		list, _ := podSpec[field].([]any)
		var patches []any
		for _, c := range list {
			cm, _ := c.(map[string]any)
			name, _ := cm["name"].(string)
			image, ok := images[name]
			if ok {
				found[name] = true
			} else if image, ok = images["*"]; ok {
				found["*"] = true
			}
			if !ok {
				continue
			}
			if cm["image"] != image {
				changed = true
			}
			patches = append(patches, map[string]any{"name": name, "image": image})
		}
		if len(patches) > 0 {
			out[field] = patches
		}
	}
	var missing []string
	for name := range images {
		if !found[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, false, fmt.Errorf("unable to find container named %q", missing[0])
	}
	return out, changed, nil
}
