package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// execCluster is a real API server with two nodes whose kubelets are fake exec endpoints:
// "node-v5" speaks v5 and v4, "node-v4" only v4 (an older kubelet).
type execCluster struct {
	*env
	v5, v4 *fakeKubelet
}

func newExecCluster(t *testing.T) *execCluster {
	t.Helper()
	c := &execCluster{env: newEnv(t),
		v5: newFakeKubelet(t, "v5.channel.k8s.io", "v4.channel.k8s.io"),
		v4: newFakeKubelet(t, "v4.channel.k8s.io")}
	c.addNode("node-v5", c.v5)
	c.addNode("node-v4", c.v4)
	return c
}

// addNode registers a node whose kubelet API is k: the API server's pods/exec proxy dials
// its InternalIP at status.daemonEndpoints.kubeletEndpoint.port.
func (c *execCluster) addNode(name string, k *fakeKubelet) {
	c.t.Helper()
	ctx := context.Background()
	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: name}}
	n.APIVersion, n.Kind = "v1", "Node"
	created, err := client.Nodes(c.c).Create(ctx, n)
	if err != nil {
		c.t.Fatal(err)
	}
	created.Status.Addresses = []core.NodeAddress{{Type: core.NodeInternalIP, Address: "127.0.0.1"}}
	created.Status.DaemonEndpoints.KubeletEndpoint.Port = k.port()
	created.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: core.ConditionTrue}}
	if _, err := client.Nodes(c.c).UpdateStatus(ctx, created); err != nil {
		c.t.Fatal(err)
	}
}

// podSpec describes one test pod.
type podSpec struct {
	name, node  string
	containers  []string
	labels      map[string]string
	annotations map[string]string
	phase       core.PodPhase
	ready       bool
}

func (c *execCluster) addPod(p podSpec) {
	c.t.Helper()
	ctx := context.Background()
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: p.name, Namespace: "default", Labels: p.labels, Annotations: p.annotations}}
	pod.APIVersion, pod.Kind = "v1", "Pod"
	pod.Spec.NodeName = p.node
	for _, n := range p.containers {
		pod.Spec.Containers = append(pod.Spec.Containers, core.Container{Name: n, Image: "busybox"})
	}
	created, err := client.Pods(c.c).Create(ctx, pod)
	if err != nil {
		c.t.Fatal(err)
	}
	created.Status.Phase = p.phase
	if p.ready {
		created.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
	}
	if _, err := client.Pods(c.c).UpdateStatus(ctx, created); err != nil {
		c.t.Fatal(err)
	}
}

// TestExec runs our kubectl exec against the real API server, whose pods/exec proxy
// reaches the fake kubelets; the subtests share one cluster.
func TestExec(t *testing.T) {
	c := newExecCluster(t)
	running := core.PodRunning
	c.addPod(podSpec{name: "web", node: "node-v5", containers: []string{"app"}, phase: running, ready: true})
	c.addPod(podSpec{name: "multi", node: "node-v5", containers: []string{"main", "sidecar"}, phase: running, ready: true})
	c.addPod(podSpec{name: "annotated", node: "node-v5", containers: []string{"a", "b"}, phase: running, ready: true,
		annotations: map[string]string{"kubectl.kubernetes.io/default-container": "b"}})
	c.addPod(podSpec{name: "done", node: "node-v5", containers: []string{"app"}, phase: core.PodSucceeded})
	c.addPod(podSpec{name: "old", node: "node-v4", containers: []string{"app"}, phase: running, ready: true})
	// The workloads' pods: an unscheduled one, a running one that is not ready and a ready
	// one, which exec picks.
	front := map[string]string{"app": "front"}
	c.addPod(podSpec{name: "front-pending", containers: []string{"php"}, labels: front, phase: core.PodPending})
	c.addPod(podSpec{name: "front-unready", node: "node-v5", containers: []string{"unready"}, labels: front, phase: running})
	c.addPod(podSpec{name: "front-ready", node: "node-v5", containers: []string{"php"}, labels: front, phase: running, ready: true})
	c.write("workloads.yaml", frontWorkloadsYAML)
	c.mustRun("create", "-f", "workloads.yaml")
	c.write("web.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: busybox\n")

	t.Run("commands", func(t *testing.T) { testExecCommands(t, c) })
	t.Run("upstream", func(t *testing.T) { testExecMatchesUpstream(t, c) })
	t.Run("tty", func(t *testing.T) { testExecTTY(t, c) })
}

// testExecCommands checks output, exit codes and errors of exec command lines.
func testExecCommands(t *testing.T, c *execCluster) {
	type tc struct {
		name   string
		stdin  string
		args   []string
		code   int
		out    string // exact stdout
		err    string // exact stderr
		errHas string // stderr contains (when err is not exact)
	}
	cases := []tc{
		{name: "stdout", args: []string{"exec", "web", "--", "echo", "hello", "world"}, out: "hello world\n"},
		{name: "stdout and stderr apart", args: []string{"exec", "web", "--", "both"}, out: "out\n", err: "err\n"},
		{name: "query", args: []string{"exec", "web", "--", "info"}, out: "container=app tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "stdin with -i", stdin: "line one\nline two\n", args: []string{"exec", "-i", "web", "--", "cat"}, out: "line one\nline two\n"},
		{name: "empty stdin with -i", args: []string{"exec", "-i", "web", "--", "cat"}, out: ""},
		{name: "stdin not sent without -i", stdin: "ignored", args: []string{"exec", "web", "--", "info"}, out: "container=app tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "exit code", args: []string{"exec", "web", "--", "exit", "7"}, code: 7, err: "command terminated with exit code 7\n"},
		{name: "exit code 255", args: []string{"exec", "web", "--", "exit", "255"}, code: 255, err: "command terminated with exit code 255\n"},
		{name: "no output lost", args: []string{"exec", "web", "--", "flood", "5000"}, code: 3, out: floodOutput(5000), err: "command terminated with exit code 3\n"},
		{name: "failure status", args: []string{"exec", "web", "--", "fail"}, code: 1, err: "error: boom\n"},
		{name: "-t without a terminal", args: []string{"exec", "-it", "web", "--", "info"},
			out: "container=app tty=false stdin=true stderr=true protocol=v5.channel.k8s.io\n",
			err: "Unable to use a TTY - input is not a terminal or the right kind of file\n"},
		{name: "-t without -i is ignored", args: []string{"exec", "-t", "web", "--", "info"}, out: "container=app tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "-q hides the TTY warning", args: []string{"exec", "-itq", "web", "--", "echo", "x"}, out: "x\n"},
		{name: "default container note", args: []string{"exec", "multi", "--", "info"},
			out: "container=main tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n",
			err: "Defaulted container \"main\" out of: main, sidecar\n"},
		{name: "-c", args: []string{"exec", "multi", "-c", "sidecar", "--", "info"}, out: "container=sidecar tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "default-container annotation", args: []string{"exec", "annotated", "--", "info"}, out: "container=b tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "v4 fallback", stdin: "in", args: []string{"exec", "-i", "old", "--", "info"}, out: "container=app tty=false stdin=true stderr=true protocol=v4.channel.k8s.io\n"},
		{name: "v4 exit code", args: []string{"exec", "old", "--", "exit", "2"}, code: 2, err: "command terminated with exit code 2\n"},
		{name: "pod/NAME", args: []string{"exec", "pod/web", "--", "echo", "ok"}, out: "ok\n"},
		{name: "rc/NAME picks the ready pod", args: []string{"exec", "rc/front", "--", "info"}, out: "container=php tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "deploy/NAME", args: []string{"exec", "deploy/front", "--", "info"}, out: "container=php tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "svc/NAME", args: []string{"exec", "svc/front", "--", "info"}, out: "container=php tty=false stdin=false stderr=true protocol=v5.channel.k8s.io\n"},
		{name: "-f", args: []string{"exec", "-f", "web.yaml", "--", "echo", "from file"}, out: "from file\n"},
		{name: "no pod for the selector", args: []string{"exec", "deploy/empty", "--pod-running-timeout=1s", "--", "date"}, code: 1,
			err: "error: timed out waiting for the condition: no pod of deployment/empty (selector app=nobody) appeared within 1s\n"},
		{name: "POD COMMAND is refused", args: []string{"exec", "web", "echo", "old", "style"}, code: 1,
			err: "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n"},
		{name: "deprecated -p", args: []string{"exec", "-p", "web", "--", "echo", "p"}, out: "p\n", errHas: "Flag --pod has been deprecated"},
		{name: "deprecated -p POD COMMAND", args: []string{"exec", "-p", "web", "-c", "app", "echo", "p"}, out: "p\n", errHas: "Flag --pod has been deprecated"},
		{name: "-n", args: []string{"exec", "-n", "default", "web", "--", "echo", "ns"}, out: "ns\n"},
		{name: "pod not found", args: []string{"exec", "nope", "--", "echo"}, code: 1, err: "Error from server (NotFound): pods \"nope\" not found\n"},
		{name: "completed pod", args: []string{"exec", "done", "--", "echo"}, code: 1, err: "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"},
		{name: "bad container", args: []string{"exec", "web", "-c", "nope", "--", "echo"}, code: 1, err: "Error from server (BadRequest): container nope is not valid for pod web\n"},
		{name: "no command", args: []string{"exec", "web"}, code: 1, err: "error: you must specify at least one command for the container\n"},
		{name: "no pod", args: []string{"exec", "--", "date"}, code: 1, err: "error: pod, type/name or --filename must be specified\n"},
		{name: "kind without selector", args: []string{"exec", "ns/default", "--", "date"}, code: 1,
			err: "error: cannot attach to *v1.Namespace: selector for *v1.Namespace not implemented\n"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := c.runIn(tt.stdin, nil, tt.args...)
			if r.code != tt.code || r.out != tt.out || (tt.errHas == "" && r.err != tt.err) || !strings.Contains(r.err, tt.errHas) {
				t.Errorf("kubectl %s:\ncode %d, want %d\nstdout %q\nwant   %q\nstderr %q\nwant   %q (contains %q)",
					strings.Join(tt.args, " "), r.code, tt.code, shorten(r.out), shorten(tt.out), r.err, tt.err, tt.errHas)
			}
		})
	}
	// What reached the kubelet: the container in the path, every argument as its own
	// command parameter, and the stream flags.
	found := false
	for _, p := range c.v5.requests() {
		if strings.HasPrefix(p, "/exec/default/web/app?") && strings.Contains(p, "command=echo&command=hello&command=world") {
			found = true
		}
	}
	if !found {
		t.Errorf("no exec of echo hello world in web/app reached the kubelet: %q", c.v5.requests())
	}
}

// testExecMatchesUpstream runs the same command lines through /usr/bin/kubectl (when it is
// installed) and checks that both kubectls print and exit alike. (Not the v4 fallback:
// kubectl 1.32 offers only v5 over WebSocket, then SPDY, which Seven's kubelet does not
// serve.)
func testExecMatchesUpstream(t *testing.T, c *execCluster) {
	if _, ok := c.upstream("version", "--client"); !ok {
		t.Skip("/usr/bin/kubectl is not installed")
	}
	for _, args := range [][]string{
		{"exec", "web", "--", "both"},
		{"exec", "web", "--", "exit", "42"},
		{"exec", "web", "--", "flood", "300"},
		{"exec", "-i", "web", "--", "cat"},
		{"exec", "-it", "web", "--", "echo", "x"},
		{"exec", "multi", "--", "echo", "x"},
		{"exec", "nope", "--", "echo"},
		{"exec", "done", "--", "echo"},
		{"exec", "web"},
		{"exec", "--", "date"},
		{"exec", "web", "--", "fail"},
		{"exec", "web", "-c", "nope", "--", "echo"},
		{"exec", "-t", "web", "--", "info"},
		{"exec", "-itq", "web", "--", "info"},
		{"exec", "web", "echo", "old", "style"},
		{"exec", "pod/web", "--", "echo", "x"},
		{"exec", "rc/front", "--", "info"},
		{"exec", "deploy/front", "--", "info"},
		{"exec", "svc/front", "--", "info"},
		{"exec", "-f", "web.yaml", "--", "info"},
		{"exec", "annotated", "--", "info"},
		{"exec", "multi", "-c", "sidecar", "--", "info"},
		{"exec", "ns/default", "--", "date"},
	} {
		ours := c.runIn("some input\n", nil, args...)
		upstream := func() result {
			r := runBinary(t, "/usr/bin/kubectl", c.dir, "some input\n", nil, append([]string{"-s", c.s.URL}, args...)...)
			r.err = klogLine.ReplaceAllString(r.err, "")
			return r
		}
		theirs := upstream()
		if strings.Contains(theirs.err, "closed all streams") {
			// client-go's WebSocket executor now and then loses the race between the last
			// frames and the close; that is upstream's own fault, so it gets another go.
			theirs = upstream()
		}
		if ours != theirs {
			t.Errorf("kubectl %s:\nours     %d %q %q\nupstream %d %q %q", strings.Join(args, " "),
				ours.code, shorten(ours.out), ours.err, theirs.code, shorten(theirs.out), theirs.err)
		}
	}
}

// klogLine is a log line of client-go inside upstream's kubectl ("E1122 13:40:01.123456
// 4242 v2.go:104] ..."), which its WebSocket executor writes now and then when the
// connection closes; it is not part of kubectl's output.
var klogLine = regexp.MustCompile(`(?m)^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [^\]]+\] .*\n`)

// frontWorkloadsYAML are objects whose selector matches the front-* pods (none of them
// runs pods of its own: no controller manager runs), and one that matches no pod.
const frontWorkloadsYAML = `apiVersion: v1
kind: ReplicationController
metadata:
  name: front
spec:
  replicas: 0
  selector:
    app: front
  template:
    metadata:
      labels:
        app: front
    spec:
      containers:
      - name: php
        image: php
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: front
spec:
  replicas: 0
  selector:
    matchLabels:
      app: front
  template:
    metadata:
      labels:
        app: front
    spec:
      containers:
      - name: php
        image: php
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: empty
spec:
  replicas: 0
  selector:
    matchLabels:
      app: nobody
  template:
    metadata:
      labels:
        app: nobody
    spec:
      containers:
      - name: c
        image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  selector:
    app: front
  ports:
  - port: 80
`

func floodOutput(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

func shorten(s string) string {
	if len(s) > 200 {
		return s[:100] + "..." + s[len(s)-100:]
	}
	return s
}
