// Package apiservertest runs a real kube-apiserver (the built binary, on an embedded
// etcd in a temporary directory) for the tests of the daemons and clients that talk to
// it. The daemons never import the API server's code; their tests start its binary.
//
// The binary is taken from $SEVEN_BIN (what `make test` sets), else built once per test
// process from the workspace with `go build`.
package apiservertest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"seven.dev/api/client"
)

// Server is a kube-apiserver started by a test.
type Server struct {
	// URL is the plain-HTTP address of the API.
	URL string
	// DataDir holds the embedded etcd; Restart keeps it.
	DataDir string

	t    testing.TB
	args []string
	port int
	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// Option adjusts the server's flags.
type Option func(*[]string)

// Flag passes an extra flag, e.g. Flag("--default-watch-cache-size=20").
func Flag(f string) Option { return func(a *[]string) { *a = append(*a, f) } }

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
)

// binary returns the path of kube-apiserver, building it if needed.
func binary(t testing.TB) string {
	if dir := os.Getenv("SEVEN_BIN"); dir != "" {
		p := filepath.Join(dir, "kube-apiserver")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	buildOnce.Do(func() {
		removeStaleBuilds()
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("apiservertest-%d", os.Getpid()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "kube-apiserver")
		out, err := exec.Command("go", "build", "-o", builtPath, "seven.dev/apiserver/cmd/kube-apiserver").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build kube-apiserver: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtPath
}

// removeStaleBuilds removes the build directories of test processes that have ended (a
// process cannot remove its own: the binary is used until it exits).
func removeStaleBuilds() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "apiservertest-*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "apiservertest-"))
		if err == nil && syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // its process is still running (or is not ours to probe)
		}
		_ = os.RemoveAll(d)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs a kube-apiserver and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir(), port: freePort(t)}
	s.URL = "http://127.0.0.1:" + strconv.Itoa(s.port)
	for _, o := range opts {
		o(&s.args)
	}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	args := append([]string{
		"--data-dir=" + s.DataDir,
		"--insecure-bind-address=127.0.0.1",
		"--port=" + strconv.Itoa(s.port),
		"--embedded-etcd-client-url=http://127.0.0.1:" + strconv.Itoa(freePort(s.t)),
		"--embedded-etcd-peer-url=http://127.0.0.1:" + strconv.Itoa(freePort(s.t)),
		"--profiling=false",
	}, s.args...)
	cmd := exec.Command(binary(s.t), args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.cmd, s.log = cmd, &log
	s.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	s.t.Fatalf("kube-apiserver not ready within 60s:\n%s", log.String())
}

// Stop ends the server with SIGTERM (SIGKILL after 20 s). It is safe to call twice.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	if s.t.Failed() {
		s.t.Logf("kube-apiserver log:\n%s", s.log.String())
	}
}

// Restart stops the server and starts it again on the same port and data.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Client returns a client for the server (no rate limiting).
func (s *Server) Client() *client.Client {
	s.t.Helper()
	c, err := client.New(client.Config{Host: s.URL, QPS: -1})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}
