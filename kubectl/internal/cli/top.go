package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/fields"
	"seven.dev/api/labels"
)

// The resource metrics API kubectl top reads; Seven's kube-apiserver serves it itself
// (upstream clusters serve it through metrics-server).
const (
	metricsGroup   = "metrics.k8s.io"
	metricsVersion = "v1beta1"
	metricsPrefix  = "/apis/" + metricsGroup + "/" + metricsVersion
)

// metricsCreationDelay is how long after its creation a pod may have no metrics yet
// before top calls that a failure, as upstream does.
const metricsCreationDelay = 2 * time.Minute

// topOptions are the flags of top node and top pod.
type topOptions struct {
	selector      string
	fieldSelector string
	sortBy        string
	noHeaders     bool
	showCapacity  bool
	containers    bool
	sum           bool
	protobuf      bool // accepted for compatibility: the answer is JSON either way
}

// newTopCommand is `kubectl top node|pod`.
func (o *Options) newTopCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Display resource (CPU/memory) usage",
		Long: "Display resource (CPU/memory) usage.\n\n" +
			" The top command allows you to see the resource consumption for nodes or pods.\n\n" +
			" This command requires the Metrics API (metrics.k8s.io) to be served; Seven's kube-apiserver serves it itself.",
		// Like upstream: without a subcommand, the help goes to stderr and the exit code is 1.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return flagError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			cmd.SetOut(o.Err)
			_ = cmd.Help()
			return exitError{code: 1}
		},
	}
	cmd.AddCommand(o.newTopNode(), o.newTopPod())
	return cmd
}

func (o *Options) newTopNode() *cobra.Command {
	t := &topOptions{protobuf: true}
	cmd := &cobra.Command{
		Use:                   "node [NAME | -l label]",
		DisableFlagsInUseLine: true,
		Aliases:               []string{"nodes", "no"},
		Short:                 "Display resource (CPU/memory) usage of nodes",
		Long:                  "Display resource (CPU/memory) usage of nodes.\n\n The top-node command allows you to see the resource consumption of nodes.",
		Example:               "  # Show metrics for all nodes\n  kubectl top node\n\n  # Show metrics for a given node\n  kubectl top node NODE_NAME",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := topName(cmd, args)
			if err != nil {
				return err
			}
			return o.runTopNode(t, name)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&t.selector, "selector", "l", "", "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.")
	f.StringVar(&t.sortBy, "sort-by", "", "If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'.")
	f.BoolVar(&t.noHeaders, "no-headers", false, "If present, print output without headers")
	f.BoolVar(&t.showCapacity, "show-capacity", false, "Print node resources based on Capacity instead of Allocatable(default) of the nodes.")
	f.BoolVar(&t.protobuf, "use-protocol-buffers", true, "Enables using protocol-buffers to access Metrics API.")
	return cmd
}

func (o *Options) newTopPod() *cobra.Command {
	t := &topOptions{protobuf: true}
	cmd := &cobra.Command{
		Use:                   "pod [NAME | -l label]",
		DisableFlagsInUseLine: true,
		Aliases:               []string{"pods", "po"},
		Short:                 "Display resource (CPU/memory) usage of pods",
		Long: "Display resource (CPU/memory) usage of pods.\n\n" +
			" The 'top pod' command allows you to see the resource consumption of pods.\n\n" +
			" Due to the metrics pipeline delay, they may be unavailable for a few minutes since pod creation.",
		Example: "  # Show metrics for all pods in the default namespace\n  kubectl top pod\n\n" +
			"  # Show metrics for all pods in the given namespace\n  kubectl top pod --namespace=NAMESPACE\n\n" +
			"  # Show metrics for a given pod and its containers\n  kubectl top pod POD_NAME --containers\n\n" +
			"  # Show metrics for the pods defined by label name=myLabel\n  kubectl top pod -l name=myLabel",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := topName(cmd, args)
			if err != nil {
				return err
			}
			return o.runTopPod(t, name)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&t.selector, "selector", "l", "", "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.")
	f.StringVar(&t.fieldSelector, "field-selector", "", "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.")
	f.StringVar(&t.sortBy, "sort-by", "", "If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'.")
	f.BoolVar(&t.containers, "containers", false, "If present, print usage of containers within a pod.")
	f.BoolVar(&t.noHeaders, "no-headers", false, "If present, print output without headers.")
	f.BoolVar(&t.sum, "sum", false, "Print the sum of the resource usage")
	f.BoolVar(&t.protobuf, "use-protocol-buffers", true, "Enables using protocol-buffers to access Metrics API.")
	o.addAllNamespaces(cmd)
	return cmd
}

// topName is the optional NAME argument; more than one is a usage error.
func topName(cmd *cobra.Command, args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		return args[0], nil
	}
	return "", flagError{errors.New(cmd.Use)}
}

// validSortBy checks --sort-by, before anything is sent.
func (t *topOptions) validSortBy() error {
	if t.sortBy != "" && t.sortBy != "cpu" && t.sortBy != "memory" {
		return errors.New("--sort-by accepts only cpu or memory")
	}
	return nil
}

func (o *Options) runTopNode(t *topOptions, name string) error {
	if err := t.validSortBy(); err != nil {
		return err
	}
	if name != "" && t.selector != "" {
		return errors.New("only one of NAME or --selector can be provided")
	}
	if _, err := labels.Parse(t.selector); err != nil {
		return err
	}
	if err := o.checkMetricsAPI(); err != nil {
		return err
	}
	var metrics []nodeMetrics
	if name != "" {
		var m nodeMetrics
		if err := o.getJSON(metricsPrefix+"/nodes/"+url.PathEscape(name), nil, &m); err != nil {
			return err
		}
		metrics = append(metrics, m)
	} else {
		var l struct {
			Items []nodeMetrics `json:"items"`
		}
		if err := o.getJSON(metricsPrefix+"/nodes", selectorQuery(t.selector, ""), &l); err != nil {
			return err
		}
		metrics = l.Items
	}
	if len(metrics) == 0 {
		return errors.New("metrics not available yet")
	}
	cl, err := o.client()
	if err != nil {
		return err
	}
	var nodes []*core.Node
	if name != "" {
		n, err := client.Nodes(cl).Get(o.ctx, "", name)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
	} else {
		l, err := client.Nodes(cl).List(o.ctx, "", client.ListOptions{LabelSelector: t.selector})
		if err != nil {
			return err
		}
		nodes = l.Items
	}
	available := make(map[string]core.ResourceList, len(nodes))
	for _, n := range nodes {
		if t.showCapacity {
			available[n.Name] = n.Status.Capacity
		} else {
			available[n.Name] = n.Status.Allocatable
		}
	}
	return printNodeMetrics(o.Out, metrics, available, t.noHeaders, t.sortBy)
}

func (o *Options) runTopPod(t *topOptions, name string) error {
	if err := t.validSortBy(); err != nil {
		return err
	}
	if name != "" && (t.selector != "" || t.fieldSelector != "") {
		return errors.New("only one of NAME or selector can be provided")
	}
	if _, err := labels.Parse(t.selector); err != nil {
		return err
	}
	if _, err := fields.Parse(t.fieldSelector); err != nil {
		return err
	}
	if err := o.checkMetricsAPI(); err != nil {
		return err
	}
	ns := o.ns()
	var metrics []podMetrics
	switch {
	case name != "":
		path := metricsPrefix + "/namespaces/" + url.PathEscape(ns) + "/pods/" + url.PathEscape(name)
		if o.allNamespaces {
			path = metricsPrefix + "/pods/" + url.PathEscape(name) // as upstream asks, with no namespace
		}
		var m podMetrics
		if err := o.getJSON(path, nil, &m); err != nil {
			return err
		}
		metrics = append(metrics, m)
	default:
		path := metricsPrefix + "/namespaces/" + url.PathEscape(ns) + "/pods"
		if o.allNamespaces {
			path = metricsPrefix + "/pods"
		}
		var l struct {
			Items []podMetrics `json:"items"`
		}
		if err := o.getJSON(path, selectorQuery(t.selector, t.fieldSelector), &l); err != nil {
			return err
		}
		metrics = l.Items
	}
	if len(metrics) == 0 {
		// Say why there is nothing: pods too young to have metrics, pods that should have
		// them, or no pods at all.
		if err := o.explainNoPodMetrics(t, name); err != nil {
			return err
		}
		if o.allNamespaces {
			fmt.Fprintln(o.Err, "No resources found")
		} else {
			fmt.Fprintf(o.Err, "No resources found in %s namespace.\n", ns)
		}
	}
	return printPodMetrics(o.Out, metrics, t.containers, o.allNamespaces, t.noHeaders, t.sortBy, t.sum)
}

// explainNoPodMetrics is upstream's verifyEmptyMetrics: nil when there are no pods to
// report on, otherwise the error that says why they have no metrics. Like upstream it
// looks in the current namespace even with --all-namespaces.
func (o *Options) explainNoPodMetrics(t *topOptions, name string) error {
	cl, err := o.client()
	if err != nil {
		return err
	}
	var pods []*core.Pod
	if name != "" {
		p, err := client.Pods(cl).Get(o.ctx, o.ns(), name)
		if err != nil {
			return err
		}
		pods = append(pods, p)
	} else {
		l, err := client.Pods(cl).List(o.ctx, o.ns(), client.ListOptions{LabelSelector: t.selector, FieldSelector: t.fieldSelector})
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			return nil
		}
		pods = l.Items
	}
	for _, p := range pods {
		if age := time.Since(p.CreationTimestamp.Time); age > metricsCreationDelay {
			return fmt.Errorf("Metrics not available for pod %s/%s, age: %s", p.Namespace, p.Name, age)
		}
	}
	return errors.New("metrics not available yet")
}

// checkMetricsAPI fails with upstream's message unless /apis lists metrics.k8s.io/v1beta1.
func (o *Options) checkMetricsAPI() error {
	cl, err := o.client()
	if err != nil {
		return err
	}
	groups, err := cl.ServerGroups(o.ctx)
	if err != nil {
		return err
	}
	for _, g := range groups.Groups {
		if g.Name != metricsGroup {
			continue
		}
		for _, v := range g.Versions {
			if v.Version == metricsVersion {
				return nil
			}
		}
	}
	return errors.New("Metrics API not available")
}

// getJSON reads path and decodes the answer into v.
func (o *Options) getJSON(path string, q url.Values, v any) error {
	cl, err := o.client()
	if err != nil {
		return err
	}
	resp, err := cl.Do(o.ctx, "GET", path, q, nil, "", "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decoding the answer of GET %s: %w", path, err)
	}
	return nil
}

func selectorQuery(labelSelector, fieldSelector string) url.Values {
	q := url.Values{}
	if labelSelector != "" {
		q.Set("labelSelector", labelSelector)
	}
	if fieldSelector != "" {
		q.Set("fieldSelector", fieldSelector)
	}
	return q
}
