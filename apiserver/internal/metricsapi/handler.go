package metricsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/fields"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/handlers"
)

// Cluster reads the nodes and pods the metrics describe. A Get of an absent object fails
// with the NotFound Status clients expect (`nodes "x" not found`), which is passed on as
// it is. Returned objects are only read.
type Cluster interface {
	GetNode(ctx context.Context, name string) (*core.Node, error)
	ListNodes(ctx context.Context) ([]*core.Node, error)
	GetPod(ctx context.Context, namespace, name string) (*core.Pod, error)
	// ListPods lists one namespace, or every namespace when namespace is "".
	ListPods(ctx context.Context, namespace string) ([]*core.Pod, error)
}

// Config wires a Handler.
type Config struct {
	Cluster Cluster
	// KubeletURL is the base URL of a node's kubelet API (http://<address>:<port>).
	KubeletURL func(*core.Node) (string, error)
	// Timeout bounds the reading of one kubelet, second read included (default 5s).
	Timeout time.Duration
	// Pause is the wait before a kubelet is read a second time (default 1s).
	Pause time.Duration
	// MaxWindow is the longest time since the previous read of a kubelet whose CPU rate
	// is still reported as current; older, the kubelet is read twice (default 1m).
	MaxWindow time.Duration
	// Transport dials the kubelets; a transport of the handler's own when nil.
	Transport http.RoundTripper
	Now       func() time.Time
	Logger    *slog.Logger
}

// Handler serves the resource paths of metrics.k8s.io/v1beta1; discovery of the group is
// the discovery handler's.
type Handler struct {
	cluster Cluster
	scraper *scraper
	now     func() time.Time
}

// New builds a Handler, filling the defaults of cfg.
func New(cfg Config) *Handler {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Pause <= 0 {
		cfg.Pause = time.Second
	}
	if cfg.MaxWindow <= 0 {
		cfg.MaxWindow = time.Minute
	}
	if cfg.Transport == nil {
		cfg.Transport = &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     90 * time.Second,
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Handler{
		cluster: cfg.Cluster,
		now:     cfg.Now,
		scraper: &scraper{
			kubeletURL: cfg.KubeletURL,
			client:     &http.Client{Transport: cfg.Transport},
			timeout:    cfg.Timeout,
			pause:      cfg.Pause,
			maxWindow:  cfg.MaxWindow,
			now:        cfg.Now,
			log:        cfg.Logger,
			lastRead:   map[string]time.Time{},
		},
	}
}

var (
	nodeMetricsResource = apierrors.Resource{Group: Group, Resource: "nodemetrics"}
	podMetricsResource  = apierrors.Resource{Group: Group, Resource: "podmetrics"}
)

// request is what a metrics path asks for.
type request struct {
	resource  string // "nodes" or "pods"
	namespace string // "" for nodes and for pods of every namespace
	name      string // "" for a list
	labels    labels.Selector
	fields    fields.Selector
}

// ServeHTTP answers GET /apis/metrics.k8s.io/v1beta1/nodes[/NAME], .../pods and
// .../namespaces/NS/pods[/NAME], with labelSelector and fieldSelector (metadata.name,
// and metadata.namespace for pods) on lists. Every failure is a Status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q, watch, ok := parsePath(r.URL.Path)
	if !ok {
		handlers.NotFound(w, r)
		return
	}
	res := apierrors.Resource{Group: Group, Resource: q.resource}
	if r.Method != http.MethodGet {
		handlers.WriteError(w, apierrors.NewMethodNotSupported(res, strings.ToLower(r.Method)))
		return
	}
	query := r.URL.Query()
	if b, err := strconv.ParseBool(query.Get("watch")); watch || (err == nil && b) {
		handlers.WriteError(w, apierrors.NewMethodNotSupported(res, "watch"))
		return
	}
	var err error
	if q.labels, err = labels.Parse(query.Get("labelSelector")); err != nil {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("unable to parse requirement: %v", err)))
		return
	}
	if q.fields, err = fields.Parse(query.Get("fieldSelector")); err != nil {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("invalid field selector: %v", err)))
		return
	}
	var out any
	switch {
	case q.resource == "nodes" && q.name != "":
		out, err = h.getNode(r.Context(), q.name)
	case q.resource == "nodes":
		out, err = h.listNodes(r.Context(), q)
	case q.name != "":
		out, err = h.getPod(r.Context(), q.namespace, q.name)
	default:
		out, err = h.listPods(r.Context(), q)
	}
	if err != nil {
		handlers.WriteError(w, err)
		return
	}
	if handlers.WantsTable(r) {
		if out, err = toTable(tableRows(out)); err != nil {
			handlers.WriteError(w, apierrors.NewInternalError(err))
			return
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		handlers.WriteError(w, apierrors.NewInternalError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}

// parsePath reads a resource path of the group; watch is true for the legacy /watch/ form.
func parsePath(path string) (q request, watch, ok bool) {
	rest, found := strings.CutPrefix(path, "/apis/"+GroupVersion+"/")
	if !found {
		return q, false, false
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if parts[0] == "watch" {
		watch, parts = true, parts[1:]
	}
	switch {
	case len(parts) == 1 && (parts[0] == "nodes" || parts[0] == "pods"):
		q.resource = parts[0]
	case len(parts) == 2 && parts[0] == "nodes":
		q.resource, q.name = "nodes", parts[1]
	case len(parts) >= 3 && len(parts) <= 4 && parts[0] == "namespaces" && parts[1] != "" && parts[2] == "pods":
		q.resource, q.namespace = "pods", parts[1]
		if len(parts) == 4 {
			q.name = parts[3]
		}
	default:
		return q, false, false
	}
	return q, watch, true
}

func (h *Handler) getNode(ctx context.Context, name string) (*NodeMetrics, error) {
	node, err := h.cluster.GetNode(ctx, name)
	if err != nil {
		return nil, err
	}
	smp, err := h.scraper.scrape(ctx, node)
	if err != nil {
		h.scraper.log.Info("no metrics from node", "node", name, "err", err)
		return nil, apierrors.NewNotFound(nodeMetricsResource, name)
	}
	m, ok := h.nodeMetrics(node, smp)
	if !ok {
		return nil, apierrors.NewNotFound(nodeMetricsResource, name)
	}
	m.TypeMeta = meta.TypeMeta{Kind: "NodeMetrics", APIVersion: GroupVersion}
	return &m, nil
}

func (h *Handler) listNodes(ctx context.Context, q request) (*NodeMetricsList, error) {
	all, err := h.cluster.ListNodes(ctx)
	if err != nil {
		return nil, err
	}
	if q.labels.Empty() && q.fields.Empty() {
		h.scraper.forgetExcept(all)
	}
	var nodes []*core.Node
	for _, n := range all {
		if q.labels.Matches(n.Labels) && q.fields.Matches(map[string]string{"metadata.name": n.Name}) {
			nodes = append(nodes, n)
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	samples := h.scraper.scrapeAll(ctx, nodes)
	out := &NodeMetricsList{TypeMeta: meta.TypeMeta{Kind: "NodeMetricsList", APIVersion: GroupVersion}, Items: []NodeMetrics{}}
	for _, n := range nodes {
		if smp := samples[n.Name]; smp != nil {
			if m, ok := h.nodeMetrics(n, smp); ok {
				out.Items = append(out.Items, m)
			}
		}
	}
	return out, nil
}

func (h *Handler) nodeMetrics(n *core.Node, smp *sample) (NodeMetrics, bool) {
	u, ok := smp.summary.nodeUsage()
	if !ok {
		return NodeMetrics{}, false
	}
	return NodeMetrics{
		ObjectMeta: meta.ObjectMeta{Name: n.Name, Labels: n.Labels, CreationTimestamp: meta.NewTime(h.now())},
		Timestamp:  meta.NewTime(smp.at),
		Window:     meta.Duration{Duration: smp.window},
		Usage:      u,
	}, true
}

func (h *Handler) getPod(ctx context.Context, namespace, name string) (*PodMetrics, error) {
	pod, err := h.cluster.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	notFound := apierrors.NewNotFound(podMetricsResource, namespace+"/"+name)
	if pod.Status.Phase != core.PodRunning || pod.Spec.NodeName == "" {
		return nil, notFound
	}
	node, err := h.cluster.GetNode(ctx, pod.Spec.NodeName)
	if err != nil {
		return nil, notFound
	}
	smp, err := h.scraper.scrape(ctx, node)
	if err != nil {
		h.scraper.log.Info("no metrics from node", "node", node.Name, "err", err)
		return nil, notFound
	}
	m, ok := h.podMetrics(pod, smp, smp.summary.containerUsage())
	if !ok {
		return nil, notFound
	}
	m.TypeMeta = meta.TypeMeta{Kind: "PodMetrics", APIVersion: GroupVersion}
	return &m, nil
}

func (h *Handler) listPods(ctx context.Context, q request) (*PodMetricsList, error) {
	all, err := h.cluster.ListPods(ctx, q.namespace)
	if err != nil {
		return nil, err
	}
	var pods []*core.Pod
	onNode := map[string]bool{}
	for _, p := range all {
		// Only running pods have metrics, as with metrics-server.
		if p.Status.Phase != core.PodRunning || p.Spec.NodeName == "" || !q.labels.Matches(p.Labels) ||
			!q.fields.Matches(map[string]string{"metadata.name": p.Name, "metadata.namespace": p.Namespace}) {
			continue
		}
		pods = append(pods, p)
		onNode[p.Spec.NodeName] = true
	}
	sort.Slice(pods, func(i, j int) bool {
		if pods[i].Namespace != pods[j].Namespace {
			return pods[i].Namespace < pods[j].Namespace
		}
		return pods[i].Name < pods[j].Name
	})
	out := &PodMetricsList{TypeMeta: meta.TypeMeta{Kind: "PodMetricsList", APIVersion: GroupVersion}, Items: []PodMetrics{}}
	if len(pods) == 0 {
		return out, nil
	}
	allNodes, err := h.cluster.ListNodes(ctx)
	if err != nil {
		return nil, err
	}
	var nodes []*core.Node
	for _, n := range allNodes {
		if onNode[n.Name] {
			nodes = append(nodes, n)
		}
	}
	samples := h.scraper.scrapeAll(ctx, nodes)
	usage := make(map[string]map[podKey]podUsage, len(samples))
	for name, smp := range samples {
		usage[name] = smp.summary.containerUsage()
	}
	for _, p := range pods {
		smp := samples[p.Spec.NodeName]
		if smp == nil {
			continue
		}
		if m, ok := h.podMetrics(p, smp, usage[p.Spec.NodeName]); ok {
			out.Items = append(out.Items, m)
		}
	}
	return out, nil
}

// podMetrics is the metrics of p from its node's sample; a pod of the same name that the
// kubelet still reports from before p (another uid) does not count.
func (h *Handler) podMetrics(p *core.Pod, smp *sample, usage map[podKey]podUsage) (PodMetrics, bool) {
	u, ok := usage[podKey{p.Namespace, p.Name}]
	if !ok || (u.uid != "" && p.UID != "" && u.uid != p.UID) {
		return PodMetrics{}, false
	}
	return PodMetrics{
		ObjectMeta: meta.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.Labels, CreationTimestamp: meta.NewTime(h.now())},
		Timestamp:  meta.NewTime(smp.at),
		Window:     meta.Duration{Duration: smp.window},
		Containers: u.containers,
	}, true
}
