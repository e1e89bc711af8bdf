package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, got)
		}
	}
}

// TestWriteCommands covers create/apply/replace/delete/scale/label/annotate/patch/edit and -f.
func TestWriteCommands(t *testing.T) {
	e := newEnv(t)
	e.copyGuestbook()
	// apply: created, unchanged, configured; a field dropped from the manifest is removed.
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  a: \"1\"\n  b: \"2\"\n"
	e.write("cm.yaml", cm)
	contains(t, "apply", e.mustRun("apply", "-f", "cm.yaml"), "configmap/conf created")
	contains(t, "apply again", e.mustRun("apply", "-f", "cm.yaml"), "configmap/conf unchanged")
	e.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  a: \"3\"\n")
	contains(t, "apply changed", e.mustRun("apply", "-f", "cm.yaml"), "configmap/conf configured")
	got := e.mustRun("get", "cm", "conf", "-o", "jsonpath={.data}")
	if got != `{"a":"3"}` {
		t.Errorf("after 3-way apply data = %s", got)
	}
	// apply keeps what others set on the live object (3-way, not 2-way).
	e.mustRun("label", "cm", "conf", "owner=ops")
	contains(t, "apply keeps live labels", e.mustRun("apply", "-f", "cm.yaml"), "configmap/conf unchanged")
	contains(t, "live label kept", e.mustRun("get", "cm", "conf", "--show-labels"), "owner=ops")
	// -f - (stdin), a directory, a JSON List.
	r := e.runIn("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fromstdin\n", nil, "create", "-f", "-")
	contains(t, "stdin", r.out, "namespace/fromstdin created")
	e.write("dir/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d2\n")
	e.write("dir/b.json", `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1"},"stringData":{"k":"v"}}]}`)
	contains(t, "dir", e.mustRun("create", "-f", "dir"), "configmap/d1 created", "configmap/d2 created", "secret/s1 created")
	contains(t, "describe cm", e.mustRun("describe", "cm", "d1"), "Name:         d1", "BinaryData")
	contains(t, "describe secret", e.mustRun("describe", "secret", "s1"), "k:  1 bytes")
	// create with an existing object: upstream's error, exit 1.
	r = e.run("create", "-f", "frontend-controller.yaml", "-f", "frontend-controller.yaml")
	if r.code != 1 || !strings.Contains(r.err, `Error from server (AlreadyExists): error when creating "frontend-controller.yaml": replicationcontrollers "frontend" already exists`) {
		t.Errorf("double create: %d %q", r.code, r.err)
	}
	// scale preconditions.
	r = e.run("scale", "--current-replicas=2", "--replicas=4", "rc/frontend")
	if r.code != 1 || !strings.Contains(r.err, "error: Expected replicas to be 2, was 3") {
		t.Errorf("scale with wrong current replicas: %d %q", r.code, r.err)
	}
	r = e.run("scale", "--resource-version=1", "--replicas=4", "rc", "frontend")
	if r.code != 1 || !strings.Contains(r.err, "Expected resource version to be 1") {
		t.Errorf("scale with wrong resource version: %d %q", r.code, r.err)
	}
	rv := e.mustRun("get", "rc", "frontend", "-o", "jsonpath={.metadata.resourceVersion}")
	contains(t, "scale with preconditions", e.mustRun("scale", "--resource-version="+rv, "--current-replicas=3", "--replicas=4", "rc", "frontend"), "replicationcontroller/frontend scaled")
	// label/annotate with --overwrite and removal.
	r = e.run("label", "rc", "frontend", "name=other")
	if r.code != 1 || !strings.Contains(r.err, "'name' already has a value (frontend), and --overwrite is false") {
		t.Errorf("label without overwrite: %d %q", r.code, r.err)
	}
	contains(t, "label overwrite", e.mustRun("label", "--overwrite", "rc", "frontend", "tier=web"), "replicationcontroller/frontend labeled")
	contains(t, "label remove", e.mustRun("label", "rc", "frontend", "tier-"), "replicationcontroller/frontend unlabeled")
	contains(t, "annotate", e.mustRun("annotate", "rc", "frontend", "note=hello"), "replicationcontroller/frontend annotated")
	contains(t, "annotate remove", e.mustRun("annotate", "rc", "frontend", "note-"), "replicationcontroller/frontend annotated")
	// patch and replace.
	contains(t, "patch", e.mustRun("patch", "rc", "frontend", "-p", `{"spec":{"replicas":1}}`), "replicationcontroller/frontend patched")
	contains(t, "replace", e.mustRun("replace", "-f", "frontend-controller.yaml"), "replicationcontroller/frontend replaced")
	// edit: an invalid change re-opens the file with the error; the second pass fixes it.
	script := e.write("editor.sh", `#!/bin/sh
if grep -q 'was not valid' "$1"; then
  cp "$1" `+filepath.Join(e.dir, "seen.txt")+`
  sed -i 's/replicas: -1/replicas: 5/' "$1"
else
  sed -i 's/replicas: 3/replicas: -1/' "$1"
fi
`)
	_ = os.Chmod(script, 0o755)
	r = e.runIn("", []string{"EDITOR=" + script}, "edit", "rc", "frontend")
	contains(t, "edit", r.out, "replicationcontroller/frontend edited")
	seen, _ := os.ReadFile(filepath.Join(e.dir, "seen.txt"))
	contains(t, "edit error comment", string(seen), "# Please edit the object below", `# replicationcontrollers "frontend" was not valid:`)
	if got := e.mustRun("get", "rc", "frontend", "-o", "jsonpath={.spec.replicas}"); got != "5" {
		t.Errorf("replicas after edit = %s", got)
	}
	r = e.runIn("", []string{"EDITOR=true"}, "edit", "rc/frontend")
	contains(t, "edit unchanged", r.err, "Edit cancelled, no changes made.")
	// delete: by name, -l, --all, --grace-period, --cascade, -f, --wait.
	contains(t, "delete name", e.mustRun("delete", "cm", "d1", "--grace-period=0", "--wait"), `configmap "d1" deleted`)
	contains(t, "delete -l", e.mustRun("delete", "cm", "-l", "nothing=here"), "No resources found")
	contains(t, "delete --all", e.mustRun("delete", "secret", "--all", "--cascade=orphan", "--wait=false"), `secret "s1" deleted`)
	contains(t, "delete -f", e.mustRun("delete", "-f", "cm.yaml", "--cascade=background"), `configmap "conf" deleted`)
	contains(t, "delete foreground", e.mustRun("delete", "rc", "frontend", "--cascade=foreground", "--wait=false"), `replicationcontroller "frontend" deleted`)
	r = e.run("delete", "pod", "nope")
	if r.code != 1 || r.err != "Error from server (NotFound): pods \"nope\" not found\n" {
		t.Errorf("delete missing: %d %q", r.code, r.err)
	}
	contains(t, "get -o name", e.mustRun("get", "cm", "-o", "name"), "configmap/d2")
	contains(t, "get -o json single", e.mustRun("get", "cm", "d2", "-o", "json"), `"kind": "ConfigMap"`)
	contains(t, "get -o json list", e.mustRun("get", "cm", "-o", "json"), `"kind": "List"`)
}

// TestWatch: get -w prints the table, then a row per change.
func TestWatch(t *testing.T) {
	e := newEnv(t)
	e.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n")
	e.mustRun("create", "-f", "cm.yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "kubectl"), "-s", e.s.URL, "get", "configmaps", "-w")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) == 2 {
			cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "second", Namespace: "default"}}
			cm.APIVersion, cm.Kind = "v1", "ConfigMap"
			if _, err := client.ConfigMaps(e.c).Create(ctx, cm); err != nil {
				t.Fatal(err)
			}
		}
		if strings.HasPrefix(sc.Text(), "second") {
			break
		}
	}
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "NAME") || !strings.HasPrefix(lines[2], "second") {
		t.Fatalf("watch output: %q", lines)
	}
}

// TestClusterCommands covers version, cluster-info, api-resources, explain, config, logs,
// exec, top, completion, rollout and cordon/uncordon/drain.
func TestClusterCommands(t *testing.T) {
	e := newEnv(t)
	contains(t, "version", e.mustRun("version"), "Client Version: v1.32.0-seven", "Server Version:")
	contains(t, "cluster-info", e.mustRun("cluster-info"), "Kubernetes control plane is running at "+e.s.URL)
	contains(t, "api-resources", e.mustRun("api-resources"), "NAME", "replicationcontrollers", "rc", "deployments")
	contains(t, "api-versions", e.mustRun("api-versions"), "apps/v1", "v1")
	contains(t, "explain", e.mustRun("explain", "rc"), "KIND:       ReplicationController", "VERSION:    v1")
	contains(t, "completion bash", e.mustRun("completion", "bash"), "bash completion")
	contains(t, "completion zsh", e.mustRun("completion", "zsh"), "#compdef kubectl")
	r := e.run("top", "pods") // the metrics API is served; top_test.go covers it with a kubelet
	if r.code != 0 || r.err != "No resources found in default namespace.\n" {
		t.Errorf("top: %d %q", r.code, r.err)
	}
	e.write("pod.yaml", helloYAML)
	e.mustRun("create", "-f", "pod.yaml")
	r = e.run("logs", "hello-world", "--tail=10", "-c", "hello")
	if r.code != 1 || !strings.HasPrefix(r.err, "Error from server") {
		t.Errorf("logs (no kubelet yet): %d %q", r.code, r.err)
	}
	// exec (exec_test.go covers it against fake kubelets): the pod is not scheduled yet.
	r = e.run("exec", "-it", "hello-world", "--", "sh")
	if r.code != 1 || !strings.HasSuffix(r.err, "Error from server (BadRequest): pod hello-world does not have a host assigned\n") {
		t.Errorf("exec: %d %q", r.code, r.err)
	}
	// config: set-cluster, set-context, use-context, get-contexts, current-context, view.
	kc := filepath.Join(e.dir, "kc")
	cfg := func(args ...string) string {
		r := runBinary(t, filepath.Join(binDir, "kubectl"), e.dir, "", nil, append([]string{"--kubeconfig", kc, "config"}, args...)...)
		if r.code != 0 {
			t.Errorf("config %v: %d %s", args, r.code, r.err)
		}
		return r.out
	}
	cfg("set-cluster", "local", "--server="+e.s.URL)
	cfg("set-credentials", "admin", "--token=secret")
	cfg("set-context", "dev", "--cluster=local", "--user=admin", "--namespace=kube-system")
	contains(t, "use-context", cfg("use-context", "dev"), `Switched to context "dev".`)
	contains(t, "current-context", cfg("current-context"), "dev")
	contains(t, "get-contexts", cfg("get-contexts"), "*         dev    local     admin      kube-system")
	contains(t, "view", cfg("view"), "server: "+e.s.URL, "token: REDACTED")
	out := runBinary(t, filepath.Join(binDir, "kubectl"), e.dir, "", nil, "--kubeconfig", kc, "get", "ns", "kube-system")
	contains(t, "kubeconfig context", out.out, "kube-system")
	// rollout: history and undo read the replica sets' revisions (no controller manager: the
	// test writes the replica sets a deployment controller would).
	e.write("dep.yaml", depYAML)
	e.mustRun("create", "-f", "dep.yaml")
	ctx := context.Background()
	dep, err := client.Deployments(e.c).Get(ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	for rev, img := range map[string]string{"1": "nginx:1.7", "2": "nginx:1.9"} {
		rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "web-" + rev, Namespace: "default", Labels: map[string]string{"app": "web", "pod-template-hash": rev},
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": rev},
			OwnerReferences: []meta.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: dep.UID, Controller: &yes}}}}
		rs.APIVersion, rs.Kind = "apps/v1", "ReplicaSet"
		rs.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "web", "pod-template-hash": rev}}
		rs.Spec.Template = dep.Spec.Template
		rs.Spec.Template.Labels = map[string]string{"app": "web", "pod-template-hash": rev}
		rs.Spec.Template.Spec.Containers = []core.Container{{Name: "web", Image: img}}
		if _, err := client.ReplicaSets(e.c).Create(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	contains(t, "rollout history", e.mustRun("rollout", "history", "deployment/web"), "REVISION   CHANGE-CAUSE", "1          <none>", "2          <none>")
	contains(t, "rollout undo", e.mustRun("rollout", "undo", "deployment/web", "--to-revision=2"), "deployment.apps/web rolled back")
	if img := e.mustRun("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); img != "nginx:1.9" {
		t.Errorf("image after undo = %s", img)
	}
	contains(t, "rollout pause", e.mustRun("rollout", "pause", "deployment", "web"), "deployment.apps/web paused")
	contains(t, "rollout resume", e.mustRun("rollout", "resume", "deployment/web"), "deployment.apps/web resumed")
	contains(t, "rollout restart", e.mustRun("rollout", "restart", "deployment/web"), "deployment.apps/web restarted")
	contains(t, "rollout status", e.mustRun("rollout", "status", "deployment/web", "--watch=false"), "Waiting for deployment")
	// cordon/uncordon/drain: a DaemonSet pod is ignored, a controlled pod is evicted.
	e.write("node.yaml", "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n")
	e.mustRun("create", "-f", "node.yaml")
	contains(t, "cordon", e.mustRun("cordon", "n1"), "node/n1 cordoned")
	contains(t, "cordon again", e.mustRun("cordon", "n1"), "node/n1 already cordoned")
	contains(t, "uncordon", e.mustRun("uncordon", "n1"), "node/n1 uncordoned")
	for name, kind := range map[string]string{"ds-pod": "DaemonSet", "rs-pod": "ReplicaSet"} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", OwnerReferences: []meta.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: "x", UID: "u-" + name, Controller: &yes}}},
			Spec: core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c", Image: "i"}}}}
		p.APIVersion, p.Kind = "v1", "Pod"
		if _, err := client.Pods(e.c).Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	r = e.run("drain", "n1", "--grace-period=0", "--timeout=20s")
	if r.code != 1 || !strings.Contains(r.err, "cannot delete DaemonSet-managed Pods") {
		t.Errorf("drain without --ignore-daemonsets: %d %q", r.code, r.err)
	}
	r = e.run("drain", "n1", "--ignore-daemonsets", "--grace-period=0", "--timeout=20s")
	contains(t, "drain", r.out+r.err, "evicting pod default/rs-pod", "node/n1 drained", "ignoring DaemonSet-managed Pods")
	if _, err := client.Pods(e.c).Get(ctx, "default", "ds-pod"); err != nil {
		t.Errorf("drain removed the DaemonSet pod: %v", err)
	}
	contains(t, "drained node", e.mustRun("get", "node", "n1"), "SchedulingDisabled")
}
