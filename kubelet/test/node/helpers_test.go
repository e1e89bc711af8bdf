package node_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/kubelet/pkg/container"
)

// execIn runs cmd in the pod's container through the runtime (no API server involved).
func (e *env) execIn(t *testing.T, p *core.Pod, cname string, cmd ...string) (string, int) {
	t.Helper()
	rs, err := e.rt.PodStatus(context.Background(), container.PodRef{UID: p.UID})
	if err != nil || rs.Latest(cname) == nil {
		t.Fatalf("exec: no container %s: %v", cname, err)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code, err := e.rt.Exec(ctx, rs.Latest(cname).ID, container.ExecOptions{Command: cmd, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatalf("exec %v: %v", cmd, err)
	}
	return out.String(), code
}

// kubeconfig writes a kubeconfig for upstream's kubectl pointing at the test API server.
func (e *env) kubeconfig(t *testing.T) string {
	path := filepath.Join(e.dir, "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
contexts:
- name: test
  context:
    cluster: test
    namespace: default
current-context: test
`, e.srv.URL)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func kubectl(t *testing.T, kc string, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("/usr/bin/kubectl"); err != nil {
		t.Skip("needs upstream kubectl at /usr/bin/kubectl")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/kubectl", append([]string{"--kubeconfig", kc}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func podReady(p *core.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == core.PodReady {
			return c.Status == core.ConditionTrue
		}
	}
	return false
}

// deleteAll deletes every pod of the default namespace and waits until they are gone.
func (e *env) deleteAll(t *testing.T, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	pods := client.Pods(e.c)
	l, err := pods.List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zero := int64(0)
	for _, p := range l.Items {
		_ = pods.Delete(ctx, "default", p.Name, &meta.DeleteOptions{GracePeriodSeconds: &zero})
	}
	_ = zero
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		l, err := pods.List(ctx, "default", client.ListOptions{})
		if err == nil && len(l.Items) == 0 {
			rps, err := e.rt.ListPods(ctx)
			if err == nil && len(rps) == 0 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("pods not gone in %s", d)
}

// waitDeleted waits until the pod default/name is gone from the API server.
func (e *env) waitDeleted(t *testing.T, name string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(100 * time.Millisecond) {
		if _, err := client.Pods(e.c).Get(context.Background(), "default", name); err != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod %s not deleted within %s", name, d)
		}
	}
}

// events returns the messages of the pod's events with reason.
func (e *env) events(t *testing.T, p *core.Pod, reason string) []string {
	l, err := client.Events(e.c).List(context.Background(), p.Namespace, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range l.Items {
		if ev.InvolvedObject.UID == p.UID && ev.Reason == reason {
			out = append(out, ev.Message)
		}
	}
	return out
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }
