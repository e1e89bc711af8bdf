package metricsapi

import (
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// Group and Version of the API; GroupVersion is what apiVersion says.
const (
	Group        = "metrics.k8s.io"
	Version      = "v1beta1"
	GroupVersion = Group + "/" + Version
)

// NodeMetrics is the CPU and memory use of one node, upstream's metrics.k8s.io/v1beta1 kind.
type NodeMetrics struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata"`
	// Timestamp is when the usage was read; Window is the interval the CPU rate covers.
	Timestamp meta.Time         `json:"timestamp"`
	Window    meta.Duration     `json:"window"`
	Usage     core.ResourceList `json:"usage"`
}

// NodeMetricsList is a list of NodeMetrics.
type NodeMetricsList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata"`
	Items         []NodeMetrics `json:"items"`
}

// PodMetrics is the CPU and memory use of the containers of one pod.
type PodMetrics struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata"`
	Timestamp       meta.Time          `json:"timestamp"`
	Window          meta.Duration      `json:"window"`
	Containers      []ContainerMetrics `json:"containers"`
}

// PodMetricsList is a list of PodMetrics.
type PodMetricsList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata"`
	Items         []PodMetrics `json:"items"`
}

// ContainerMetrics is the use of one container.
type ContainerMetrics struct {
	Name  string            `json:"name"`
	Usage core.ResourceList `json:"usage"`
}

// Discovery is the resource list of metrics.k8s.io/v1beta1 as metrics-server publishes it:
// read-only nodes and pods, with no singular name, short names or categories.
func Discovery() meta.APIResourceList {
	return meta.APIResourceList{
		TypeMeta:     meta.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: GroupVersion,
		APIResources: []meta.APIResource{
			{Name: "nodes", Namespaced: false, Kind: "NodeMetrics", Verbs: []string{"get", "list"}},
			{Name: "pods", Namespaced: true, Kind: "PodMetrics", Verbs: []string{"get", "list"}},
		},
	}
}
