package cli

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"seven.dev/api/core"
)

// nodeMetrics and podMetrics are the fields of metrics.k8s.io/v1beta1 NodeMetrics and
// PodMetrics that top prints.
type nodeMetrics struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Usage core.ResourceList `json:"usage"`
}

type podMetrics struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Containers []containerMetrics `json:"containers"`
}

type containerMetrics struct {
	Name  string            `json:"name"`
	Usage core.ResourceList `json:"usage"`
}

// measuredResources are top's columns, in order.
var measuredResources = []core.ResourceName{core.ResourceCPU, core.ResourceMemory}

// newTopWriter aligns like upstream's top: a plain tabwriter (minimum width 6, padding 3)
// in which every cell, the last one too, ends with a tab, so lines keep upstream's
// trailing blanks and column blocks.
func newTopWriter(out io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(out, 6, 4, 3, ' ', 0)
}

func cells(w io.Writer, values ...string) {
	for _, v := range values {
		fmt.Fprintf(w, "%s\t", v)
	}
}

// usageCells renders usage as top does: CPU in whole millicores and memory in whole Mi,
// each followed by its share of available when available lists that resource.
func usageCells(usage, available core.ResourceList) []string {
	var out []string
	for _, res := range measuredResources {
		q := usage[res]
		switch res {
		case core.ResourceCPU:
			out = append(out, fmt.Sprintf("%dm", q.MilliValue()))
		default:
			out = append(out, fmt.Sprintf("%dMi", q.Value()/(1024*1024)))
		}
		if avail, ok := available[res]; ok {
			// 0% of nothing, as later upstream prints (1.32 divides by zero).
			fraction := 0.0
			if !avail.IsZero() {
				fraction = float64(q.MilliValue()) / float64(avail.MilliValue()) * 100
			}
			out = append(out, fmt.Sprintf("%d%%", int64(fraction)))
		}
	}
	return out
}

// printNodeMetrics prints top node's table. Nodes of available that have no metrics get
// a line of <unknown>s at the end, by name (upstream prints them in map order).
func printNodeMetrics(out io.Writer, metrics []nodeMetrics, available map[string]core.ResourceList, noHeaders bool, sortBy string) error {
	if len(metrics) == 0 {
		return nil
	}
	w := newTopWriter(out)
	sort.SliceStable(metrics, func(i, j int) bool {
		if less, ok := byUsage(metrics[i].Usage, metrics[j].Usage, sortBy); ok {
			return less
		}
		return metrics[i].Metadata.Name < metrics[j].Metadata.Name
	})
	if !noHeaders {
		cells(w, "NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)")
		fmt.Fprintln(w)
	}
	seen := map[string]bool{}
	for _, m := range metrics {
		cells(w, m.Metadata.Name)
		cells(w, usageCells(m.Usage, available[m.Metadata.Name])...)
		fmt.Fprintln(w)
		seen[m.Metadata.Name] = true
	}
	var missing []string
	for name := range available {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		cells(w, name)
		for range measuredResources {
			cells(w, "<unknown>", "<unknown>")
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}

// byUsage orders by the --sort-by resource, largest first (CPU compared in millicores);
// ok is false without --sort-by.
func byUsage(a, b core.ResourceList, sortBy string) (less, ok bool) {
	switch sortBy {
	case "cpu":
		return a[core.ResourceCPU].MilliValue() > b[core.ResourceCPU].MilliValue(), true
	case "memory":
		return a[core.ResourceMemory].Value() > b[core.ResourceMemory].Value(), true
	}
	return false, false
}

// podTotal is a pod's usage: its containers' added up.
func podTotal(m podMetrics) core.ResourceList {
	total := core.ResourceList{}
	for _, res := range measuredResources {
		q := total[res]
		for _, c := range m.Containers {
			q.Add(c.Usage[res])
		}
		total[res] = q
	}
	return total
}

// printPodMetrics prints top pod's table: NAMESPACE with --all-namespaces, a POD column
// and a line per container with --containers, and a total with --sum.
func printPodMetrics(out io.Writer, metrics []podMetrics, containers, withNamespace, noHeaders bool, sortBy string, sum bool) error {
	if len(metrics) == 0 {
		return nil
	}
	w := newTopWriter(out)
	// Upstream counts the extra columns only where it prints the header, so with
	// --no-headers its --sum lines sit as if there were none; so do these.
	columns := 3
	if !noHeaders {
		if withNamespace {
			cells(w, "NAMESPACE")
			columns++
		}
		if containers {
			cells(w, "POD")
			columns++
		}
		cells(w, "NAME", "CPU(cores)", "MEMORY(bytes)")
		fmt.Fprintln(w)
	}
	totals := make([]core.ResourceList, len(metrics))
	for i, m := range metrics {
		totals[i] = podTotal(m)
	}
	idx := make([]int, len(metrics))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		if less, ok := byUsage(totals[idx[x]], totals[idx[y]], sortBy); ok {
			return less
		}
		a, b := metrics[idx[x]], metrics[idx[y]]
		if withNamespace && a.Metadata.Namespace != b.Metadata.Namespace {
			return a.Metadata.Namespace < b.Metadata.Namespace
		}
		return a.Metadata.Name < b.Metadata.Name
	})
	for _, i := range idx {
		m := metrics[i]
		if !containers {
			if withNamespace {
				cells(w, m.Metadata.Namespace)
			}
			cells(w, m.Metadata.Name)
			cells(w, usageCells(totals[i], nil)...)
			fmt.Fprintln(w)
			continue
		}
		cs := append([]containerMetrics(nil), m.Containers...)
		sort.SliceStable(cs, func(x, y int) bool {
			if less, ok := byUsage(cs[x].Usage, cs[y].Usage, sortBy); ok {
				return less
			}
			return cs[x].Name < cs[y].Name
		})
		for _, c := range cs {
			if withNamespace {
				cells(w, m.Metadata.Namespace)
			}
			cells(w, m.Metadata.Name, c.Name)
			cells(w, usageCells(c.Usage, nil)...)
			fmt.Fprintln(w)
		}
	}
	if sum {
		grand := core.ResourceList{}
		for _, t := range totals {
			for _, res := range measuredResources {
				q := grand[res]
				q.Add(t[res])
				grand[res] = q
			}
		}
		cells(w, make([]string, columns-2)...)
		cells(w, "________", "________")
		fmt.Fprintln(w)
		cells(w, make([]string, columns-2)...) // the last of them is the total's empty name
		cells(w, usageCells(grand, nil)...)
		fmt.Fprintln(w)
	}
	return w.Flush()
}
