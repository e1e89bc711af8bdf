package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const debianPython = "/usr/bin/python3"

// The official Python client (Debian's python3-kubernetes) lists and watches.
func TestPythonClientListAndWatch(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import kubernetes").Run(); err != nil {
		t.Skipf("python3-kubernetes not installed for %s: %v", debianPython, err)
	}
	s := startAPIServer(t)
	k := newKubectl(t, upstreamKubectlOrSkip(t), s.URL)
	k.must("create", "-f", repoPath("examples", "guestbook", "redis-master-controller.yaml"))
	k.must("create", "-f", "testdata/nginx-pod.yaml")
	script := `
import sys, threading, time
from kubernetes import client, watch
cfg = client.Configuration()
cfg.host = sys.argv[1]
api = client.ApiClient(cfg)
v1 = client.CoreV1Api(api)
pods = v1.list_namespaced_pod("default")
print("pods:", ",".join(p.metadata.name for p in pods.items))
allpods = v1.list_pod_for_all_namespaces()
print("allpods:", len(allpods.items))
rcs = v1.list_namespaced_replication_controller("default")
print("rcs:", ",".join(r.metadata.name + "=" + str(r.spec.replicas) for r in rcs.items))
svc = v1.read_namespaced_service("kubernetes", "default")
print("svc:", svc.spec.cluster_ip, svc.spec.ports[0].port)
nodes = v1.list_node()
print("nodes:", len(nodes.items))
def later():
    time.sleep(1)
    v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-python"), data={"k": "v"}))
threading.Thread(target=later).start()
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, "default", resource_version=pods.metadata.resource_version, timeout_seconds=20):
    print("event:", ev["type"], ev["object"].metadata.name)
    if ev["object"].metadata.name == "from-python":
        w.stop()
print("done")
`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, debianPython, "-c", script, s.URL)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	contains(t, "python client", string(out),
		"pods: nginx-2", "rcs: redis-master=1", "svc: 10.254.0.1 443", "nodes: 0", "event: ADDED from-python", "done")
	if !strings.Contains(string(out), "allpods: 1") {
		t.Errorf("all-namespaces list:\n%s", out)
	}
}

func upstreamKubectlOrSkip(t *testing.T) string {
	if _, err := os.Stat(upstreamKubectl); err != nil {
		t.Skipf("upstream kubectl not installed")
	}
	return upstreamKubectl
}
