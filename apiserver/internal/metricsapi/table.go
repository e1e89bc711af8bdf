package metricsapi

import (
	"encoding/json"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// The Table `kubectl get nodes.metrics.k8s.io` (or podmetrics) asks for has
// metrics-server's columns: the name, each resource's usage (a pod's summed over its
// containers) and the window.
var tableColumns = []meta.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: "Name of the resource"},
	{Name: "cpu", Type: "string", Format: "quantity"},
	{Name: "memory", Type: "string", Format: "quantity"},
	{Name: "Window", Type: "string", Format: "duration"},
}

// tableRow is one object's row: its metadata, usage and window.
type tableRow struct {
	meta   meta.ObjectMeta
	usage  core.ResourceList
	window time.Duration
}

func toTable(rows []tableRow) (*meta.Table, error) {
	t := &meta.Table{
		TypeMeta:          meta.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
		ColumnDefinitions: tableColumns,
		Rows:              []meta.TableRow{},
	}
	for _, r := range rows {
		cpu, mem := r.usage[core.ResourceCPU], r.usage[core.ResourceMemory]
		obj, err := json.Marshal(&meta.PartialObjectMetadata{
			TypeMeta:   meta.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"},
			ObjectMeta: r.meta,
		})
		if err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, meta.TableRow{
			Cells:  []any{r.meta.Name, cpu.String(), mem.String(), r.window.String()},
			Object: obj,
		})
	}
	return t, nil
}

// tableRows lists the rows of any of the four answer types.
func tableRows(v any) []tableRow {
	var rows []tableRow
	switch o := v.(type) {
	case *NodeMetrics:
		rows = append(rows, tableRow{o.ObjectMeta, o.Usage, o.Window.Duration})
	case *NodeMetricsList:
		for _, m := range o.Items {
			rows = append(rows, tableRow{m.ObjectMeta, m.Usage, m.Window.Duration})
		}
	case *PodMetrics:
		rows = append(rows, tableRow{o.ObjectMeta, sumContainers(o.Containers), o.Window.Duration})
	case *PodMetricsList:
		for _, m := range o.Items {
			rows = append(rows, tableRow{m.ObjectMeta, sumContainers(m.Containers), m.Window.Duration})
		}
	}
	return rows
}

// sumContainers is a pod's usage: its containers' added up.
func sumContainers(cs []ContainerMetrics) core.ResourceList {
	sum := core.ResourceList{}
	for _, c := range cs {
		for name, q := range c.Usage {
			total := sum[name] // a zero Quantity takes the format of what is added to it
			total.Add(q)
			sum[name] = total
		}
	}
	return sum
}
