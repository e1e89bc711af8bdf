package main

import (
	"strings"
	"testing"
)

const setImageYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
      - {name: init, image: busybox:1}
      containers:
      - {name: web, image: nginx:1}
      - {name: side, image: busybox:1}
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: rc
spec:
  replicas: 1
  selector: {app: rc}
  template:
    metadata:
      labels: {app: rc}
    spec:
      containers:
      - {name: rc, image: redis:1}
`

// TestSetImage: set image changes the named containers' images (init containers too, `*` all
// of them), says so like upstream, and refuses a container that does not exist.
func TestSetImage(t *testing.T) {
	e := newEnv(t)
	e.write("objs.yaml", setImageYAML)
	e.mustRun("create", "-f", "objs.yaml")
	images := func(kind, name, path string) string {
		return e.mustRun("get", kind, name, "-o", "jsonpath="+path)
	}

	out := e.mustRun("set", "image", "deployment/web", "web=nginx:2")
	if out != "deployment.apps/web image updated\n" {
		t.Errorf("set image: %q", out)
	}
	if got := images("deploy", "web", "{.spec.template.spec.containers[*].image}"); got != "nginx:2 busybox:1" {
		t.Errorf("after web=nginx:2: %q", got)
	}
	e.mustRun("set", "image", "deploy", "web", "*=busybox:2")
	if got := images("deploy", "web", "{.spec.template.spec.initContainers[*].image} {.spec.template.spec.containers[*].image}"); got != "busybox:2 busybox:2 busybox:2" {
		t.Errorf("after *=busybox:2: %q", got)
	}
	if got := images("deploy", "web", "{.metadata.generation}"); got != "3" {
		t.Errorf("generation %q after two updates, want 3", got)
	}
	out = e.mustRun("set", "image", "rc/rc", "rc=redis:2")
	if out != "replicationcontroller/rc image updated\n" || images("rc", "rc", "{.spec.template.spec.containers[0].image}") != "redis:2" {
		t.Errorf("rc: %q", out)
	}

	r := e.run("set", "image", "deployment/web", "nope=x:1")
	if r.code != 1 || !strings.Contains(r.err, `unable to find container named "nope"`) {
		t.Errorf("unknown container: %d %q", r.code, r.err)
	}
	r = e.run("set", "image", "deployment/web")
	if r.code == 0 || !strings.Contains(r.err, "at least one image update is required") {
		t.Errorf("no image: %d %q", r.code, r.err)
	}
	if up, ok := e.upstream("set", "image", "deployment/web", "web=nginx:3"); ok {
		if up.code != 0 || up.out != "deployment.apps/web image updated\n" {
			t.Errorf("upstream set image: %d %q %q", up.code, up.out, up.err)
		}
		if got := images("deploy", "web", "{.spec.template.spec.containers[0].image}"); got != "nginx:3" {
			t.Errorf("after upstream's set image: %q", got)
		}
	}
}
