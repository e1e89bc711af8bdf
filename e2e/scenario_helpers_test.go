package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/e2e/cluster"
)

// scenario is one of the seeds' scenarios on the shared cluster, in a namespace of its own
// that is deleted (and waited for) when the test ends.
type scenario struct {
	t   *testing.T
	c   *cluster.Cluster
	api *client.Client
	ns  string
	// k is our kubectl; up the upstream one (nil when it is not installed).
	k, up *kubectl
}

func newScenario(t *testing.T, ns string) *scenario {
	t.Helper()
	c := sharedCluster(t)
	for _, d := range []string{"kubelet", "kube-scheduler", "kube-controller-manager", "kube-proxy", "flanneld", "registry"} {
		if !c.Available(d) {
			t.Fatalf("%s is not running in the shared cluster: %+v", d, c.Unavailable)
		}
	}
	api, err := client.New(client.Config{Host: c.APIURL, QPS: -1, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := &scenario{t: t, c: c, api: api, ns: ns, k: newKubectl(t, binDir(t)+"/kubectl", c.APIURL)}
	if _, err := os.Stat(upstreamKubectl); err == nil {
		s.up = newKubectl(t, upstreamKubectl, c.APIURL)
	}
	ctx := context.Background()
	if _, err := client.Namespaces(api).Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: ns}}); err != nil {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
	t.Cleanup(func() { s.deleteNamespace() })
	return s
}

// deleteNamespace deletes the scenario's namespace and waits until it and its pods are gone,
// so the next scenario finds the cluster as this one found it.
func (s *scenario) deleteNamespace() {
	ctx := context.Background()
	if err := client.Namespaces(s.api).Delete(ctx, "", s.ns, nil); err != nil && !apierrors.IsNotFound(err) {
		s.t.Errorf("delete namespace %s: %v", s.ns, err)
		return
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		_, err := client.Namespaces(s.api).Get(ctx, "", s.ns)
		if apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	pods, _ := client.Pods(s.api).List(ctx, s.ns, client.ListOptions{})
	s.t.Errorf("namespace %s not gone after 2m; %d pods left", s.ns, len(pods.Items))
}

// pods lists the scenario's pods matching selector that are not being deleted.
func (s *scenario) pods(selector string) []*core.Pod {
	s.t.Helper()
	l, err := client.Pods(s.api).List(context.Background(), s.ns, client.ListOptions{LabelSelector: selector})
	if err != nil {
		s.t.Fatalf("list pods %q: %v", selector, err)
	}
	var out []*core.Pod
	for _, p := range l.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// waitReady waits until exactly n pods match selector and all are Running and Ready, and
// returns them.
func (s *scenario) waitReady(selector string, n int, d time.Duration) []*core.Pod {
	s.t.Helper()
	var got []*core.Pod
	deadline := time.Now().Add(d)
	for {
		got = s.pods(selector)
		ready := 0
		for _, p := range got {
			if podReady(p) {
				ready++
			}
		}
		if len(got) == n && ready == n {
			return got
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	out, _ := s.k.run("get", "pods", "-n", s.ns, "-o", "wide")
	s.t.Fatalf("pods %q: want %d Running and Ready within %s; have:\n%s", selector, n, d, out)
	return nil
}

func podReady(p *core.Pod) bool {
	if p.Status.Phase != core.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == core.PodReady {
			return c.Status == core.ConditionTrue
		}
	}
	return false
}

// nodesOf returns the distinct nodes the pods run on.
func nodesOf(pods []*core.Pod) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pods {
		if !seen[p.Spec.NodeName] {
			seen[p.Spec.NodeName] = true
			out = append(out, p.Spec.NodeName)
		}
	}
	sort.Strings(out)
	return out
}

// node returns the cluster node named name.
func (s *scenario) node(name string) cluster.Node {
	s.t.Helper()
	for _, n := range s.c.Nodes {
		if n.Name == name {
			return n
		}
	}
	s.t.Fatalf("no node %q", name)
	return cluster.Node{}
}

// onNode runs a command in node's network namespace (curl, ip) and returns its output.
func onNode(n cluster.Node, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.Netns}, args...)...).CombinedOutput()
	return string(out), err
}

// curl fetches url from the root namespace (node "") or from inside a node.
func curl(n *cluster.Node, url string) (string, error) {
	args := []string{"curl", "-sS", "--max-time", "5", "--fail", url}
	if n != nil {
		return onNode(*n, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	return string(out), err
}

// eventually retries f every 500 ms until it returns nil or d passes; it fails the test with
// f's last error.
func eventually(t *testing.T, what string, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, d, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// exec runs a command in a pod's container with kubectl k and returns stdout and stderr.
func (s *scenario) exec(k *kubectl, pod, container string, cmd ...string) (string, error) {
	args := []string{"exec", "-n", s.ns, pod}
	if container != "" {
		args = append(args, "-c", container)
	}
	out, err := k.run(append(append(args, "--"), cmd...)...)
	if err != nil {
		return out, fmt.Errorf("kubectl exec %s %s: %w: %s", pod, strings.Join(cmd, " "), err, out)
	}
	return out, nil
}

// execKubectl is the kubectl the scenarios exec with to look inside pods: upstream's when
// installed (the reference), else ours. Scenario 7 checks both.
func (s *scenario) execKubectl() *kubectl {
	if s.up != nil {
		return s.up
	}
	return s.k
}

// containerPID is the host PID of the pod's first container, from the node's containerd
// namespace.
func (s *scenario) containerPID(p *core.Pod) int {
	s.t.Helper()
	if len(p.Status.ContainerStatuses) == 0 {
		s.t.Fatalf("%s has no container status", p.Name)
	}
	id := strings.TrimPrefix(p.Status.ContainerStatuses[0].ContainerID, "containerd://")
	out, err := exec.Command("ctr", "--address", s.c.Config.ContainerdSocket(), "-n", s.c.Config.Prefix+"-"+p.Spec.NodeName,
		"tasks", "ls").CombinedOutput()
	if err != nil {
		s.t.Fatalf("ctr tasks ls: %v %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == id {
			pid, err := strconv.Atoi(f[1])
			if err == nil {
				return pid
			}
		}
	}
	s.t.Fatalf("no task %s of %s in:\n%s", id, p.Name, out)
	return 0
}

// cgroupDir is the cgroup v1 directory of pid for controller ctrl (cpu, memory).
func cgroupDir(t *testing.T, pid int, ctrl string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 && slices.Contains(strings.Split(f[1], ","), ctrl) {
			return filepath.Join("/sys/fs/cgroup", f[1], f[2])
		}
	}
	t.Fatalf("pid %d has no %s cgroup:\n%s", pid, ctrl, data)
	return ""
}

// podGet fetches http://host:port<path> from inside pod with busybox nc (busybox's static
// wget crashes) and returns the body.
func (s *scenario) podGet(k *kubectl, pod, host string, port int, path string) (string, error) {
	// The sleep keeps nc's stdin open until the answer is in: nc quits at stdin's end.
	cmd := fmt.Sprintf(`(printf 'GET %s HTTP/1.0\r\n\r\n'; sleep 1) | nc -w 3 %s %d`, path, host, port)
	out, err := s.exec(k, pod, "", "sh", "-c", cmd)
	if err != nil {
		return "", err
	}
	_, body, ok := strings.Cut(out, "\r\n\r\n")
	if !ok || !strings.HasPrefix(out, "HTTP/1.") {
		return "", fmt.Errorf("GET http://%s:%d%s from %s: %q", host, port, path, pod, out)
	}
	return body, nil
}
