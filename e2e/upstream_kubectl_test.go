package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const upstreamKubectl = "/usr/bin/kubectl"

// The upstream kubectl cannot tell our API server from a real one for the seeds' workflow.
func TestUpstreamKubectlAgainstAPIServer(t *testing.T) {
	if _, err := os.Stat(upstreamKubectl); err != nil {
		t.Skipf("upstream kubectl not installed at %s", upstreamKubectl)
	}
	s := startAPIServer(t)
	k := newKubectl(t, upstreamKubectl, s.URL)

	out := k.must("version")
	contains(t, "version", out, "Server Version: v1.32")

	// create -f for each seed manifest.
	for _, f := range []string{"redis-master-controller.yaml", "redis-master-service.yaml", "redis-slave-controller.yaml",
		"redis-slave-service.yaml", "frontend-controller.yaml", "frontend-service.yaml"} {
		out := k.must("create", "-f", repoPath("examples", "guestbook", f))
		contains(t, "create "+f, out, "created")
	}
	k.must("create", "-f", "testdata/nginx-pod.yaml")

	out = k.must("get", "rc")
	contains(t, "get rc", out, "NAME", "DESIRED", "CURRENT", "READY", "AGE", "redis-master", "redis-slave", "frontend")
	out = k.must("get", "svc")
	contains(t, "get svc", out, "CLUSTER-IP", "PORT(S)", "80:30001/TCP", "6379/TCP", "kubernetes")
	out = k.must("get", "rc,svc")
	contains(t, "get rc,svc", out, "replicationcontroller/frontend", "service/frontend")
	out = k.must("get", "pods")
	contains(t, "get pods", out, "NAME", "READY", "STATUS", "RESTARTS", "AGE", "nginx-2", "0/1", "Pending")
	out = k.must("get", "pods", "-o", "wide")
	contains(t, "get pods -o wide", out, "IP", "NODE", "NOMINATED NODE", "<none>")
	out = k.must("get", "pod", "nginx-2", "-o", "yaml")
	contains(t, "get -o yaml", out, "apiVersion: v1", "kind: Pod", "name: nginx-2", "restartPolicy: Never", "uid:")
	out = k.must("get", "svc", "frontend", "-o", "json")
	var svc map[string]any
	if err := json.Unmarshal([]byte(out), &svc); err != nil {
		t.Fatalf("get -o json: %v\n%s", err, out)
	}
	if ports := svc["spec"].(map[string]any)["ports"].([]any); ports[0].(map[string]any)["nodePort"] != float64(30001) {
		t.Errorf("frontend nodePort: %v", ports)
	}
	out = k.must("get", "rc", "-l", "name in (redis-master, redis-slave)")
	contains(t, "get -l set-based", out, "redis-master", "redis-slave")
	if strings.Contains(out, "frontend") {
		t.Errorf("label selector leaked frontend:\n%s", out)
	}
	out = k.must("get", "pods", "--all-namespaces")
	contains(t, "get --all-namespaces", out, "NAMESPACE", "default", "nginx-2")
	out = k.must("get", "ns")
	contains(t, "get ns", out, "default", "kube-system", "Active")

	out = k.must("describe", "rc", "frontend")
	contains(t, "describe rc", out, "Name:", "frontend", "Replicas:", "kubeguide/guestbook-php-frontend", "GET_HOSTS_FROM")
	out = k.must("describe", "pod", "nginx-2")
	contains(t, "describe pod", out, "Name:", "nginx-2", "Namespace:", "default", "docker.io/nginx:latest")
	out = k.must("describe", "svc", "frontend")
	contains(t, "describe svc", out, "NodePort:", "30001/TCP", "Selector:", "name=frontend")

	out = k.must("label", "pod", "nginx-2", "zone=test")
	contains(t, "label", out, "labeled")
	out = k.must("get", "pods", "-l", "zone=test")
	contains(t, "get -l after label", out, "nginx-2")

	out = k.must("scale", "rc", "redis-slave", "--replicas=3")
	contains(t, "scale", out, "scaled")
	out = k.must("get", "rc", "redis-slave", "-o", "jsonpath={.spec.replicas}")
	if strings.TrimSpace(out) != "3" {
		t.Errorf("replicas after scale: %q", out)
	}
	out = k.must("scale", "--current-replicas=3", "--replicas=4", "rc/redis-slave")
	contains(t, "scale --current-replicas", out, "scaled")
	if out, err := k.run("scale", "--current-replicas=1", "--replicas=5", "rc/redis-slave"); err == nil {
		t.Errorf("scale with a wrong --current-replicas succeeded:\n%s", out)
	}

	// apply twice: create, then update the image.
	out = k.must("apply", "-f", "testdata/web-rc.yaml")
	contains(t, "first apply", out, "created")
	out = k.must("apply", "-f", "testdata/web-rc.yaml")
	contains(t, "unchanged apply", out, "unchanged")
	out = k.must("apply", "-f", "testdata/web-rc-v2.yaml")
	contains(t, "second apply", out, "configured")
	out = k.must("get", "rc", "myweb", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
	if strings.TrimSpace(out) != "kubeguide/tomcat-app:v2" {
		t.Errorf("image after apply: %q", out)
	}

	// get -w prints a change.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	watch := exec.CommandContext(ctx, upstreamKubectl, "-s", s.URL, "--cache-dir", k.cache, "get", "rc", "myweb", "-w")
	watch.Env = append(os.Environ(), "KUBECONFIG=/dev/null", "HOME="+k.cache)
	stdout, err := watch.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	first := <-lines // header
	if !strings.Contains(first, "NAME") {
		t.Errorf("watch header: %q", first)
	}
	<-lines // the current state
	k.must("scale", "rc", "myweb", "--replicas=7")
	changed := false
	for !changed {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("kubectl get -w ended early")
			}
			if strings.Contains(l, "myweb") && strings.Contains(l, "7") {
				changed = true
			}
		case <-ctx.Done():
			t.Fatal("kubectl get -w did not print the change")
		}
	}
	cancel()
	_ = watch.Wait()

	// delete -f.
	for _, f := range []string{"frontend-controller.yaml", "frontend-service.yaml"} {
		out = k.must("delete", "-f", repoPath("examples", "guestbook", f))
		contains(t, "delete "+f, out, "deleted")
	}
	if out, err := k.run("get", "svc", "frontend"); err == nil || !strings.Contains(out, `services "frontend" not found`) {
		t.Errorf("after delete: %v %s", err, out)
	}
	// Errors look like upstream's.
	out, err = k.run("get", "pod", "nope")
	if err == nil || !strings.Contains(out, `Error from server (NotFound): pods "nope" not found`) {
		t.Errorf("get missing pod: %v %s", err, out)
	}
}
