package cli

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/kubectl/internal/printers"
)

// clientVersion is what `kubectl version` reports for this binary.
const clientVersion = "v1.32.0-seven"

func (o *Options) newVersion() *cobra.Command {
	var clientOnly bool
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the client and server version information",
		RunE: func(cmd *cobra.Command, args []string) error {
			cv := map[string]any{"major": "1", "minor": "32", "gitVersion": clientVersion, "platform": "linux/amd64"}
			doc := map[string]any{"clientVersion": cv}
			var serr error
			if !clientOnly {
				cl, err := o.client()
				if err != nil {
					return err
				}
				sv, err := cl.ServerVersion(o.ctx)
				if err != nil {
					serr = err
				} else {
					doc["serverVersion"] = sv
				}
			}
			switch output {
			case "json":
				if err := printers.PrintJSON(o.Out, doc); err != nil {
					return err
				}
			case "yaml":
				if err := printers.PrintYAML(o.Out, doc); err != nil {
					return err
				}
			case "":
				fmt.Fprintf(o.Out, "Client Version: %s\n", clientVersion)
				if sv, ok := doc["serverVersion"].(map[string]string); ok {
					fmt.Fprintf(o.Out, "Server Version: %s\n", sv["gitVersion"])
				}
			default:
				return fmt.Errorf("--output must be 'yaml' or 'json'")
			}
			return serr
		},
	}
	cmd.Flags().BoolVar(&clientOnly, "client", false, "If true, shows client version only (no server required).")
	cmd.Flags().StringVarP(&output, "output", "o", "", "One of 'yaml' or 'json'.")
	return cmd
}

func (o *Options) newClusterInfo() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster-info",
		Short: "Display cluster information",
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := o.client()
			if err != nil {
				return err
			}
			if _, err := cl.ServerVersion(o.ctx); err != nil {
				fmt.Fprintln(o.Out, "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.")
				return err
			}
			fmt.Fprintf(o.Out, "Kubernetes control plane is running at %s\n", cl.Host())
			k, _ := o.resolveKind("services")
			svcs, err := o.listObjects(k, "kube-system", "kubernetes.io/cluster-service=true")
			if err == nil {
				for _, s := range svcs {
					name := nestedString(s, "metadata", "name")
					if n := nestedString(s, "metadata", "labels", "kubernetes.io/name"); n != "" {
						name = n
					}
					fmt.Fprintf(o.Out, "%s is running at %s/api/v1/namespaces/kube-system/services/%s/proxy\n", name, cl.Host(), nestedString(s, "metadata", "name"))
				}
			}
			fmt.Fprintln(o.Out, "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.")
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "dump",
		Short: "Dump relevant information for debugging and diagnosis (not supported)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("cluster-info dump is not supported by Seven's kubectl")
		},
	})
	return cmd
}

func (o *Options) newAPIResources() *cobra.Command {
	var namespaced string
	var noHeaders bool
	var output string
	cmd := &cobra.Command{
		Use:   "api-resources",
		Short: "Print the supported API resources on the server",
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := o.client()
			if err != nil {
				return err
			}
			info, err := cl.Discovery(o.ctx)
			if err != nil {
				return err
			}
			type row struct{ name, short, gv, ns, kind string }
			var rows []row
			for _, l := range info.Resources {
				for _, r := range l.APIResources {
					if strings.Contains(r.Name, "/") {
						continue
					}
					if namespaced != "" && strconv.FormatBool(r.Namespaced) != namespaced {
						continue
					}
					rows = append(rows, row{r.Name, strings.Join(r.ShortNames, ","), l.GroupVersion, strconv.FormatBool(r.Namespaced), r.Kind})
				}
			}
			sort.SliceStable(rows, func(i, j int) bool {
				gi, gj := groupOf(rows[i].gv), groupOf(rows[j].gv)
				if gi != gj {
					return gi < gj
				}
				return rows[i].name < rows[j].name
			})
			tw := printers.NewTabWriter(o.Out)
			if output == "name" {
				for _, r := range rows {
					if g := groupOf(r.gv); g != "" {
						fmt.Fprintf(o.Out, "%s.%s\n", r.name, g)
					} else {
						fmt.Fprintln(o.Out, r.name)
					}
				}
				return nil
			}
			if !noHeaders {
				fmt.Fprintln(tw, "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND")
			}
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.name, r.short, r.gv, r.ns, r.kind)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&namespaced, "namespaced", "", "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.")
	cmd.Flags().BoolVar(&noHeaders, "no-headers", false, "When using the default or custom-column output format, don't print headers (default print headers).")
	cmd.Flags().StringVarP(&output, "output", "o", "", "Output format. One of: (wide, name).")
	return cmd
}

func groupOf(gv string) string {
	if g, _, ok := strings.Cut(gv, "/"); ok {
		return g
	}
	return ""
}

func (o *Options) newAPIVersions() *cobra.Command {
	return &cobra.Command{
		Use:   "api-versions",
		Short: "Print the supported API versions on the server, in the form of \"group/version\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := o.client()
			if err != nil {
				return err
			}
			info, err := cl.Discovery(o.ctx)
			if err != nil {
				return err
			}
			var gvs []string
			for _, v := range info.Core.Versions {
				gvs = append(gvs, v)
			}
			for _, g := range info.Groups.Groups {
				for _, v := range g.Versions {
					gvs = append(gvs, v.GroupVersion)
				}
			}
			sort.Strings(gvs)
			for _, gv := range gvs {
				fmt.Fprintln(o.Out, gv)
			}
			return nil
		},
	}
}

func (o *Options) newExplain() *cobra.Command {
	return &cobra.Command{
		Use:   "explain TYPE",
		Short: "Get documentation for a resource (short form: group, kind, version and scope)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			word, field, _ := strings.Cut(args[0], ".")
			k, err := o.resolveKind(word)
			if err != nil {
				return err
			}
			if field != "" {
				return fmt.Errorf("field documentation (%q) is not available: Seven's kubectl explains kinds only", field)
			}
			if k.Group != "" {
				fmt.Fprintf(o.Out, "GROUP:      %s\n", k.Group)
			}
			fmt.Fprintf(o.Out, "KIND:       %s\nVERSION:    %s\n\n", k.Kind, k.Version)
			scope := "cluster-scoped"
			if k.Namespaced {
				scope = "namespaced"
			}
			fmt.Fprintf(o.Out, "DESCRIPTION:\n    %s is a %s resource served as %q", k.Kind, scope, resourceRef(k))
			if len(k.ShortNames) > 0 {
				fmt.Fprintf(o.Out, " (short names: %s)", strings.Join(k.ShortNames, ", "))
			}
			fmt.Fprintln(o.Out, ".")
			if len(k.Subresources) > 0 {
				fmt.Fprintf(o.Out, "    Subresources: %s.\n", strings.Join(k.Subresources, ", "))
			}
			return nil
		},
	}
}

func (o *Options) newLogs() *cobra.Command {
	var opts client.LogOptions
	var tail int64 = -1
	var since string
	cmd := &cobra.Command{
		Use:   "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]",
		Short: "Print the logs for a container in a pod",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || len(args) > 2 {
				return flagError{fmt.Errorf("expected POD_NAME or TYPE/NAME as the argument")}
			}
			cl, err := o.client()
			if err != nil {
				return err
			}
			name := args[0]
			if typ, n, ok := strings.Cut(name, "/"); ok {
				k, err := o.resolveKind(typ)
				if err != nil {
					return err
				}
				if k.Kind != "Pod" {
					return fmt.Errorf("logs of %s are not supported: name a pod", resourceRef(k))
				}
				name = n
			}
			if len(args) == 2 && opts.Container == "" {
				opts.Container = args[1]
			}
			if tail >= 0 {
				opts.TailLines = &tail
			}
			if since != "" {
				d, err := parseSince(since)
				if err != nil {
					return err
				}
				opts.SinceSeconds = &d
			}
			rc, err := cl.PodLogs(o.ctx, o.ns(), name, opts)
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.Copy(o.Out, rc)
			if o.ctx.Err() != nil {
				return nil
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.Follow, "follow", "f", false, "Specify if the logs should be streamed.")
	f.BoolVarP(&opts.Previous, "previous", "p", false, "If true, print the logs for the previous instance of the container in a pod if it exists.")
	f.StringVarP(&opts.Container, "container", "c", "", "Print the logs of this container")
	f.Int64Var(&tail, "tail", -1, "Lines of recent log file to display. Defaults to -1, showing all log lines.")
	f.BoolVar(&opts.Timestamps, "timestamps", false, "Include timestamps on each line in the log output")
	f.StringVar(&since, "since", "", "Only return logs newer than a relative duration like 5s, 2m, or 3h.")
	return cmd
}

func parseSince(s string) (int64, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid argument %q for \"--since\" flag: %v", s, err)
	}
	return int64(d.Seconds()), nil
}

func (o *Options) newCompletion(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:       "completion SHELL",
		Short:     "Output shell completion code for the specified shell (bash, zsh, fish, or powershell)",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return flagError{fmt.Errorf("Shell not specified.")}
			}
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(o.Out, true)
			case "zsh":
				return root.GenZshCompletion(o.Out)
			case "fish":
				return root.GenFishCompletion(o.Out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(o.Out)
			}
			return fmt.Errorf("Unsupported shell type %q.", args[0])
		},
	}
}
