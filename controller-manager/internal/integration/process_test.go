package integration

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cmBinary returns the kube-controller-manager binary under test: $SEVEN_BIN's (what
// `make test` sets), else one built from the workspace for this test.
func cmBinary(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("SEVEN_BIN"); dir != "" {
		p := filepath.Join(dir, "kube-controller-manager")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p := filepath.Join(t.TempDir(), "kube-controller-manager")
	out, err := exec.Command("go", "build", "-o", p, "seven.dev/controller-manager/cmd/kube-controller-manager").CombinedOutput()
	if err != nil {
		t.Fatalf("build kube-controller-manager: %v\n%s", err, out)
	}
	return p
}

// cmProcess is a kube-controller-manager process started by a test.
type cmProcess struct {
	id string
	// health is the base URL of its /healthz and /metrics server.
	health string
	cmd    *exec.Cmd
	exited chan struct{}
	log    *lockedBuffer
}

// startCMProcess starts bin with leader-election identity id, serving health and metrics
// on a free loopback port, plus args. The process is stopped when the test ends (SIGTERM,
// SIGKILL after 10 s) and its log is printed if the test failed.
func startCMProcess(t *testing.T, bin, id string, args ...string) *cmProcess {
	t.Helper()
	port := freePort(t)
	p := &cmProcess{
		id:     id,
		health: "http://127.0.0.1:" + strconv.Itoa(port),
		exited: make(chan struct{}),
		log:    &lockedBuffer{},
	}
	args = append([]string{
		"--leader-elect-identity=" + id,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
	}, args...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", id, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s (pid %d) log:\n%s", id, p.cmd.Process.Pid, p.log.String())
		}
	})
	return p
}

// waitHealthy waits for /healthz to answer ok.
func (p *cmProcess) waitHealthy(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %v\n%s", p.id, p.cmd.ProcessState, p.log.String())
		default:
		}
		resp, err := http.Get(p.health + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not healthy at %s within %v:\n%s", p.id, p.health, timeout, p.log.String())
}

// stop ends the process with SIGTERM, SIGKILL after 10 s; a no-op once it has exited.
func (p *cmProcess) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// lockedBuffer is a process's output, written by exec's copying goroutine and read by
// the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
