package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binDir is where `make build` put the binaries.
func binDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SEVEN_BIN")
	if dir == "" {
		abs, err := filepath.Abs("../_output/bin")
		if err != nil {
			t.Fatal(err)
		}
		dir = abs
	}
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		t.Fatalf("kube-apiserver binary not found in %s (run make build): %v", dir, err)
	}
	return dir
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// apiServerProc is a kube-apiserver binary started by a test.
type apiServerProc struct {
	URL string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// startAPIServer runs the built kube-apiserver on embedded etcd in a temp dir.
func startAPIServer(t *testing.T) *apiServerProc {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(filepath.Join(binDir(t), "kube-apiserver"),
		"--data-dir="+t.TempDir(),
		"--insecure-bind-address=127.0.0.1",
		"--port="+strconv.Itoa(port),
		"--embedded-etcd-client-url=http://127.0.0.1:"+strconv.Itoa(freePort(t)),
		"--embedded-etcd-peer-url=http://127.0.0.1:"+strconv.Itoa(freePort(t)),
		"--service-cluster-ip-range=10.254.0.0/16",
		"--logtostderr=true", "--v=0")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &apiServerProc{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, log: &log}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("kube-apiserver log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("kube-apiserver not ready in 60s:\n%s", log.String())
	return nil
}

// kubectl runs a kubectl binary against the server with a fresh discovery cache.
type kubectl struct {
	t      *testing.T
	bin    string
	server string
	cache  string
}

func newKubectl(t *testing.T, bin, server string) *kubectl {
	return &kubectl{t: t, bin: bin, server: server, cache: t.TempDir()}
}

func (k *kubectl) run(args ...string) (string, error) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"-s", k.server, "--cache-dir", k.cache}, args...)
	cmd := exec.CommandContext(ctx, k.bin, full...)
	cmd.Env = append(os.Environ(), "KUBECONFIG=/dev/null", "HOME="+k.cache)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs kubectl and fails the test on a non-zero exit.
func (k *kubectl) must(args ...string) string {
	k.t.Helper()
	out, err := k.run(args...)
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func repoPath(parts ...string) string {
	return filepath.Join(append([]string{".."}, parts...)...)
}

func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

var _ = fmt.Sprintf
