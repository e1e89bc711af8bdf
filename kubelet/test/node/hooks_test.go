package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// TestLifecycleHooks: postStart runs before the container is reported Running, preStop runs
// before SIGTERM on delete, a failing postStart kills the container (FailedPostStartHook) so
// it is restarted.
func TestLifecycleHooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pods := client.Pods(e.c)
	dir := t.TempDir()
	vol := core.Volume{Name: "host", VolumeSource: core.VolumeSource{HostPath: &core.HostPathVolumeSource{Path: dir}}}
	mount := []core.VolumeMount{{Name: "host", MountPath: "/host"}}

	p := bbPod("hooks", core.RestartPolicyAlways, core.Container{Name: "c", VolumeMounts: mount,
		// The TERM trap records that SIGTERM came (the file's mtime says when).
		Command: []string{"sh", "-c", `trap 'echo term > /host/term; exit 0' TERM; while true; do sleep 0.1; done`},
		Lifecycle: &core.Lifecycle{
			PostStart: &core.LifecycleHandler{Exec: &core.ExecAction{Command: []string{"sh", "-c", "echo post > /host/poststart"}}},
			PreStop:   &core.LifecycleHandler{Exec: &core.ExecAction{Command: []string{"sh", "-c", "echo pre > /host/prestop; sleep 1"}}},
		}})
	p.Spec.Volumes = []core.Volume{vol}
	grace := int64(10)
	p.Spec.TerminationGracePeriodSeconds = &grace
	if _, err := pods.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	e.waitPod(t, "hooks", 30*time.Second, running)
	if got, err := os.ReadFile(filepath.Join(dir, "poststart")); err != nil || strings.TrimSpace(string(got)) != "post" {
		t.Errorf("postStart had not run when the pod was Running: %q %v", got, err)
	}

	if err := pods.Delete(ctx, "default", "hooks", nil); err != nil {
		t.Fatal(err)
	}
	e.waitDeleted(t, "hooks", 20*time.Second)
	pre, term := mtime(filepath.Join(dir, "prestop")), mtime(filepath.Join(dir, "term"))
	if pre.IsZero() || term.IsZero() {
		t.Fatalf("preStop at %v, SIGTERM at %v: one did not happen", pre, term)
	}
	// The hook sleeps 1 s after writing: SIGTERM must come after it returned.
	if d := term.Sub(pre); d < 900*time.Millisecond {
		t.Errorf("SIGTERM came %s after preStop started, before the hook returned", d)
	}

	bad := bbPod("badhook", core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sleep", "3600"},
		Lifecycle: &core.Lifecycle{PostStart: &core.LifecycleHandler{Exec: &core.ExecAction{Command: []string{"sh", "-c", "echo nope; exit 7"}}}}})
	created, err := pods.Create(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	e.waitPod(t, "badhook", 60*time.Second, func(p *core.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].RestartCount >= 1
	})
	msgs := e.events(t, created, "FailedPostStartHook")
	if len(msgs) == 0 || !strings.Contains(msgs[0], "exited with 7") || !strings.Contains(msgs[0], "nope") {
		t.Errorf("FailedPostStartHook events: %q", msgs)
	}
	zero := int64(0)
	_ = pods.Delete(ctx, "default", "badhook", &meta.DeleteOptions{GracePeriodSeconds: &zero})
	e.deleteAll(t, 60*time.Second)
}

// mtime is path's modification time; zero when it is missing.
func mtime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
