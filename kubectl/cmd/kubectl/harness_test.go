package main

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

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// binDir holds the kubectl built once for all tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kubectl-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "kubectl"), "seven.dev/kubectl/cmd/kubectl").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building kubectl: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one kubectl run printed.
type result struct {
	out, err string
	code     int
}

// env is one test's API server and working directory.
type env struct {
	t   *testing.T
	s   *apiservertest.Server
	c   *client.Client
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := apiservertest.Start(t)
	return &env{t: t, s: s, c: s.Client(), dir: t.TempDir()}
}

// run runs our kubectl against the test server (with -s first, like the seeds).
func (e *env) run(args ...string) result {
	return e.runIn("", nil, args...)
}

func (e *env) runIn(stdin string, extraEnv []string, args ...string) result {
	e.t.Helper()
	return runBinary(e.t, filepath.Join(binDir, "kubectl"), e.dir, stdin, extraEnv, append([]string{"-s", e.s.URL}, args...)...)
}

// upstream runs /usr/bin/kubectl against the same server; ok is false when it is absent.
func (e *env) upstream(args ...string) (result, bool) {
	e.t.Helper()
	if _, err := os.Stat("/usr/bin/kubectl"); err != nil {
		return result{}, false
	}
	return runBinary(e.t, "/usr/bin/kubectl", e.dir, "", nil, append([]string{"-s", e.s.URL, "--cache-dir", filepath.Join(e.dir, ".cache")}, args...)...), true
}

func runBinary(t *testing.T, bin, dir, stdin string, extraEnv []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(dir, "no-such-kubeconfig"), "HOME="+dir)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %v: %v", bin, args, err)
	}
	return result{out: out.String(), err: errb.String(), code: code}
}

// mustRun runs kubectl and fails the test on a non-zero exit.
func (e *env) mustRun(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("kubectl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// write puts a file in the test's working directory.
func (e *env) write(name, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// copyGuestbook copies the repo's guestbook manifests into the working directory.
func (e *env) copyGuestbook() {
	e.t.Helper()
	files, _ := filepath.Glob("../../../examples/guestbook/*.yaml")
	if len(files) == 0 {
		e.t.Fatal("no guestbook manifests found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			e.t.Fatal(err)
		}
		e.write(filepath.Base(f), string(data))
	}
}

// fakeControllers plays replication controller manager and kubelet until ctx ends: it keeps
// each RC's pods at spec.replicas, marks them Running and Ready, and reports status.
func fakeControllers(ctx context.Context, c *client.Client, ns string) {
	rcs, pods := client.ReplicationControllers(c), client.Pods(c)
	n := 0
	for ctx.Err() == nil {
		list, err := rcs.List(ctx, ns, client.ListOptions{})
		if err == nil {
			for _, rc := range list.Items {
				sel := selector(rc.Spec.Selector)
				ps, err := pods.List(ctx, ns, client.ListOptions{LabelSelector: sel})
				if err != nil {
					continue
				}
				want := int32(1)
				if rc.Spec.Replicas != nil {
					want = *rc.Spec.Replicas
				}
				have := ps.Items
				for int32(len(have)) < want {
					n++
					p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("%s-%d", rc.Name, n), Namespace: ns, Labels: rc.Spec.Template.Labels}, Spec: rc.Spec.Template.Spec}
					p.APIVersion, p.Kind = "v1", "Pod"
					created, err := pods.Create(ctx, p)
					if err != nil {
						break
					}
					have = append(have, created)
				}
				for int32(len(have)) > want {
					last := have[len(have)-1]
					_ = pods.Delete(ctx, ns, last.Name, nil)
					have = have[:len(have)-1]
				}
				for _, p := range have {
					if len(p.Status.Conditions) == 0 {
						p.Status.Phase = core.PodRunning
						p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
						_, _ = pods.UpdateStatus(ctx, p)
					}
				}
				if rc.Status.Replicas != int32(len(have)) || rc.Status.ObservedGeneration != rc.Generation {
					rc.Status.Replicas = int32(len(have))
					rc.Status.ReadyReplicas = int32(len(have))
					rc.Status.ObservedGeneration = rc.Generation
					_, _ = rcs.UpdateStatus(ctx, rc)
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(30 * time.Millisecond):
		}
	}
}

func selector(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}
