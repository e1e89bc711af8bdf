package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/resource"
)

func decodeMetrics[T any](t *testing.T, doc string) []T {
	t.Helper()
	var out []T
	if err := json.Unmarshal([]byte(doc), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// visible shows a table's line-end blanks as '.' so expectations keep them.
func visible(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		body := strings.TrimRight(l, " \n")
		b.WriteString(body + strings.Repeat(".", len(strings.TrimSuffix(l, "\n"))-len(body)))
		if strings.HasSuffix(l, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestPrintNodeMetrics(t *testing.T) {
	metrics := `[{"metadata":{"name":"b"},"usage":{"cpu":"1500m","memory":"1Gi"}},
		{"metadata":{"name":"a"},"usage":{"cpu":"250000001n","memory":"3Gi"}}]`
	rl := func(cpu, mem string) core.ResourceList {
		l := core.ResourceList{}
		if cpu != "" {
			l[core.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			l[core.ResourceMemory] = resource.MustParse(mem)
		}
		return l
	}
	for _, tc := range []struct {
		name      string
		available map[string]core.ResourceList
		noHeaders bool
		sortBy    string
		want      string
	}{
		{"by name, nodes without metrics last", map[string]core.ResourceList{"a": rl("1", "4Gi"), "b": rl("3", "4Gi"), "d": nil, "c": nil}, false, "", `
NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)...
a      251m         25%         3072Mi          75%.........
b      1500m        50%         1024Mi          25%.........
c      <unknown>    <unknown>   <unknown>       <unknown>...
d      <unknown>    <unknown>   <unknown>       <unknown>...
`},
		{"sort by cpu, no headers", map[string]core.ResourceList{"a": rl("1", "4Gi"), "b": rl("3", "4Gi")}, true, "cpu", `
b     1500m   50%   1024Mi   25%...
a     251m    25%   3072Mi   75%...
`},
		// No memory in allocatable: no percentage cell; zero CPU: 0%.
		{"missing and zero allocatable", map[string]core.ResourceList{"a": rl("0", ""), "b": rl("3", "4Gi")}, false, "memory", `
NAME   CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)...
a      251m         0%       3072Mi..........
b      1500m        50%      1024Mi          25%...
`},
	} {
		var out bytes.Buffer
		if err := printNodeMetrics(&out, decodeMetrics[nodeMetrics](t, metrics), tc.available, tc.noHeaders, tc.sortBy); err != nil {
			t.Fatal(err)
		}
		if got, want := visible(out.String()), strings.TrimPrefix(tc.want, "\n"); got != want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}

func TestPrintPodMetrics(t *testing.T) {
	metrics := decodeMetrics[podMetrics](t, `[
		{"metadata":{"name":"web","namespace":"default"},"containers":[
			{"name":"nginx","usage":{"cpu":"12345678n","memory":"64Mi"}},
			{"name":"agent","usage":{"cpu":"1m","memory":"10Mi"}}]},
		{"metadata":{"name":"dns","namespace":"kube-system"},"containers":[
			{"name":"coredns","usage":{"cpu":"3m","memory":"20Mi"}}]}]`)
	for _, tc := range []struct {
		name                               string
		containers, withNS, noHeaders, sum bool
		sortBy                             string
		want                               string
	}{
		{"all namespaces", false, true, false, false, "", `
NAMESPACE     NAME   CPU(cores)   MEMORY(bytes)...
default       web    14m          74Mi............
kube-system   dns    3m           20Mi............
`},
		{"containers by memory", true, false, false, false, "memory", `
POD   NAME      CPU(cores)   MEMORY(bytes)...
web   nginx     13m          64Mi............
web   agent     1m           10Mi............
dns   coredns   3m           20Mi............
`},
		{"sum", false, false, false, true, "cpu", `
NAME   CPU(cores)   MEMORY(bytes)...
web    14m          74Mi............
dns    3m           20Mi............
       ________     ________........
       17m          94Mi............
`},
		// Upstream places the total as if the NAMESPACE column were not there when
		// headers are off.
		{"sum without headers", false, true, true, true, "", `
default       web        14m        74Mi...
kube-system   dns        3m         20Mi...
              ________   ________...
              17m        94Mi.......
`},
	} {
		var out bytes.Buffer
		ms := append([]podMetrics(nil), metrics...)
		if err := printPodMetrics(&out, ms, tc.containers, tc.withNS, tc.noHeaders, tc.sortBy, tc.sum); err != nil {
			t.Fatal(err)
		}
		if got, want := visible(out.String()), strings.TrimPrefix(tc.want, "\n"); got != want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}
