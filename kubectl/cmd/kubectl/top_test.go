package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// statsSummary is the /stats/summary a fake kubelet serves: node and container usage in
// nanocores and working-set bytes. It is written from the summary format, not from the
// kubelet's code, which kubectl must not import.
type statsSummary struct {
	nodeNanoCores, nodeBytes uint64
	pods                     []statsPod
}

type statsPod struct {
	namespace, name string
	containers      [][3]any // name, nanocores, bytes
}

func (s statsSummary) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/stats/summary" {
		http.NotFound(w, r)
		return
	}
	pods := []any{}
	for _, p := range s.pods {
		cs := []any{}
		for _, c := range p.containers {
			cs = append(cs, map[string]any{"name": c[0],
				"cpu": map[string]any{"usageNanoCores": c[1]}, "memory": map[string]any{"workingSetBytes": c[2]}})
		}
		pods = append(pods, map[string]any{"podRef": map[string]any{"namespace": p.namespace, "name": p.name}, "containers": cs})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"node": map[string]any{"cpu": map[string]any{"usageNanoCores": s.nodeNanoCores}, "memory": map[string]any{"workingSetBytes": s.nodeBytes}},
		"pods": pods,
	})
}

// topEnv is an API server with node-1 (a kubelet with metrics) and node-2 (a kubelet that
// is down), and pods on node-1: default/web (two containers), default/db, kube-system/dns.
// Its kubeconfig points at the server, for both kubectls.
type topEnv struct {
	*env
	kubeconfig string
}

func newTopEnv(t *testing.T) *topEnv {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	kubelet := httptest.NewServer(http.HandlerFunc(statsSummary{
		nodeNanoCores: 750_000_000, nodeBytes: 512 << 20,
		pods: []statsPod{
			{"default", "web", [][3]any{{"nginx", 12_345_678, 64 << 20}, {"log-shipper", 1_000_000, 10 << 20}}},
			{"default", "db", [][3]any{{"postgres", 200_000_000, 256<<20 + 4096}}},
			{"kube-system", "dns", [][3]any{{"coredns", 3_000_000, 20 << 20}}},
		},
	}.serve))
	t.Cleanup(kubelet.Close)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead.Close()
	for _, n := range []struct {
		name string
		addr string
		zone string
	}{{"node-1", kubelet.Listener.Addr().String(), "a"}, {"node-2", dead.Addr().String(), "b"}} {
		_, p, _ := net.SplitHostPort(n.addr)
		port, _ := strconv.Atoi(p)
		node := &core.Node{ObjectMeta: meta.ObjectMeta{Name: n.name, Labels: map[string]string{"zone": n.zone}}}
		node.Status.Capacity = core.ResourceList{core.ResourceCPU: resource.MustParse("2"), core.ResourceMemory: resource.MustParse("4Gi")}
		node.Status.Allocatable = core.ResourceList{core.ResourceCPU: resource.MustParse("1500m"), core.ResourceMemory: resource.MustParse("2Gi")}
		node.Status.Addresses = []core.NodeAddress{{Type: core.NodeInternalIP, Address: "127.0.0.1"}}
		node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
		if _, err := client.Nodes(e.c).Create(ctx, node); err != nil {
			t.Fatalf("create node %s: %v", n.name, err)
		}
	}
	for _, p := range []struct{ ns, name, app string }{{"default", "web", "web"}, {"default", "db", "db"}, {"kube-system", "dns", "dns"}} {
		pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: p.ns, Name: p.name, Labels: map[string]string{"app": p.app}}}
		pod.Spec.NodeName = "node-1"
		pod.Spec.Containers = []core.Container{{Name: "c", Image: "busybox"}}
		created, err := client.Pods(e.c).Create(ctx, pod)
		if err != nil {
			t.Fatalf("create pod %s/%s: %v", p.ns, p.name, err)
		}
		created.Status.Phase = core.PodRunning
		if _, err := client.Pods(e.c).UpdateStatus(ctx, created); err != nil {
			t.Fatalf("mark pod %s/%s running: %v", p.ns, p.name, err)
		}
	}
	kc := e.write("kubeconfig", fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
contexts:
- name: test
  context:
    cluster: test
    user: test
users:
- name: test
  user: {}
current-context: test
`, e.s.URL))
	return &topEnv{env: e, kubeconfig: kc}
}

// ours runs Seven's kubectl through the kubeconfig (t is the running (sub)test).
func (e *topEnv) ours(t *testing.T, args ...string) result {
	t.Helper()
	return runBinary(t, filepath.Join(binDir, "kubectl"), e.dir, "", []string{"KUBECONFIG=" + e.kubeconfig}, args...)
}

// theirs runs the upstream kubectl through the same kubeconfig with a fresh discovery
// cache; ok is false when it is not installed.
func (e *topEnv) theirs(t *testing.T, args ...string) (result, bool) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/kubectl"); err != nil {
		return result{}, false
	}
	cache := filepath.Join(t.TempDir(), "cache")
	return runBinary(t, "/usr/bin/kubectl", e.dir, "", []string{"KUBECONFIG=" + e.kubeconfig}, append([]string{"--cache-dir", cache}, args...)...), true
}

// trimLines drops the blanks top leaves at the end of every line, so that expectations
// can be written in Go source; the comparison with upstream keeps them.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func TestTop(t *testing.T) {
	e := newTopEnv(t)
	for _, tc := range []struct {
		args string
		want string // stdout with line-end blanks trimmed; for failures, stderr
		code int
	}{
		// 750m of 1500m allocatable and 512Mi of 2Gi; node-2's kubelet is down.
		{"top node", `NAME     CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)
node-1   750m         50%         512Mi           25%
node-2   <unknown>    <unknown>   <unknown>       <unknown>
`, 0},
		// Against capacity: 750m of 2 cores, 512Mi of 4Gi.
		{"top node node-1 --show-capacity", `NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)
node-1   750m         37%      512Mi           12%
`, 0},
		{"top nodes -l zone=a --no-headers", "node-1   750m   50%   512Mi   25%\n", 0},
		{"top node -l zone=b", "error: metrics not available yet\n", 1},
		{"top node node-2", `Error from server (NotFound): nodemetrics.metrics.k8s.io "node-2" not found` + "\n", 1},
		{"top node nope", `Error from server (NotFound): nodes "nope" not found` + "\n", 1},
		{"top node node-1 -l zone=a", "error: only one of NAME or --selector can be provided\n", 1},
		{"top node --sort-by=disk", "error: --sort-by accepts only cpu or memory\n", 1},
		// web is 12345678n + 1000000n = 13.3m, shown rounded up; db's 256Mi and 4 KiB shows as 256Mi.
		{"top pod", `NAME   CPU(cores)   MEMORY(bytes)
db     200m         256Mi
web    14m          74Mi
`, 0},
		{"top pods -A --sort-by=memory", `NAMESPACE     NAME   CPU(cores)   MEMORY(bytes)
default       db     200m         256Mi
default       web    14m          74Mi
kube-system   dns    3m           20Mi
`, 0},
		{"top po web --containers", `POD   NAME          CPU(cores)   MEMORY(bytes)
web   log-shipper   1m           10Mi
web   nginx         13m          64Mi
`, 0},
		{"top pod -A --containers --sort-by=cpu -l app!=db", `NAMESPACE     POD   NAME          CPU(cores)   MEMORY(bytes)
default       web   nginx         13m          64Mi
default       web   log-shipper   1m           10Mi
kube-system   dns   coredns       3m           20Mi
`, 0},
		{"top pod -n kube-system --no-headers", "dns   3m    20Mi\n", 0},
		{"top pod --sum", `NAME   CPU(cores)   MEMORY(bytes)
db     200m         256Mi
web    14m          74Mi
       ________     ________
       214m         330Mi
`, 0},
		{"top pod --field-selector metadata.name=web", `NAME   CPU(cores)   MEMORY(bytes)
web    14m          74Mi
`, 0},
		{"top pod -l app=none", "No resources found in default namespace.\n", 0},
		{"top pod nope", `Error from server (NotFound): pods "nope" not found` + "\n", 1},
		{"top pod web -l app=web", "error: only one of NAME or selector can be provided\n", 1},
	} {
		t.Run(tc.args, func(t *testing.T) {
			t.Parallel() // the commands only read
			args := strings.Fields(tc.args)
			r := e.ours(t, args...)
			got := r.out
			if tc.code != 0 || r.out == "" {
				got = r.err
			}
			if r.code != tc.code || trimLines(got) != tc.want {
				t.Fatalf("kubectl %s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d and\n%s", tc.args, r.code, r.out, r.err, tc.code, tc.want)
			}
			// Upstream prints the same, byte for byte (blanks at line ends included).
			up, ok := e.theirs(t, args...)
			if !ok {
				return
			}
			if up.code != r.code || up.out != r.out || up.err != r.err {
				t.Errorf("kubectl %s differs from upstream:\nours (exit %d):\n%q\n%q\nupstream (exit %d):\n%q\n%q", tc.args, r.code, r.out, r.err, up.code, up.out, up.err)
			}
		})
	}
}

// A server without metrics.k8s.io (a cluster with no metrics-server) gets upstream's error.
func TestTopWithoutMetricsAPI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api":
			fmt.Fprint(w, `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}`)
		case "/apis":
			fmt.Fprint(w, `{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404}`)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	for _, args := range [][]string{{"top", "node"}, {"top", "pod", "-A"}} {
		args = append([]string{"-s", srv.URL}, args...)
		r := runBinary(t, filepath.Join(binDir, "kubectl"), dir, "", nil, args...)
		if r.code != 1 || r.out != "" || r.err != "error: Metrics API not available\n" {
			t.Errorf("kubectl %v: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.err)
		}
		if _, err := os.Stat("/usr/bin/kubectl"); err != nil {
			continue
		}
		up := runBinary(t, "/usr/bin/kubectl", dir, "", nil, append([]string{"--cache-dir", filepath.Join(t.TempDir(), "cache")}, args...)...)
		if up.code != r.code || up.err != r.err {
			t.Errorf("kubectl %v: upstream exit %d, stderr %q", args, up.code, up.err)
		}
	}
}
