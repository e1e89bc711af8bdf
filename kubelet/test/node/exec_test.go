package node_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/remotecommand"
)

// TestExecOutput runs hundreds of short execs (sequentially, then several at a time,
// beside the pod's own exec readiness probe every second) and wants every output exact,
// without retries: through the runtime, the kubelet API's WebSocket exec and upstream
// kubectl through the API server.
func TestExecOutput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := bbPod("execs", core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sleep", "3600"},
		ReadinessProbe: &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"cat", "/etc/hostname"}}}, PeriodSeconds: 1}})
	if _, err := client.Pods(e.c).Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	p = e.waitPod(t, "execs", 30*time.Second, func(p *core.Pod) bool { return running(p) && podReady(p) })
	rs, err := e.rt.PodStatus(ctx, container.PodRef{UID: p.UID})
	if err != nil || rs.Latest("c") == nil {
		t.Fatalf("no container c: %v", err)
	}
	id := rs.Latest("c").ID

	t.Run("Runtime", func(t *testing.T) {
		// Every tenth exec also writes to stderr and exits 3: the streams stay apart.
		runMany(t, 200, 50, 6, func(i int) string {
			var stdout, stderr bytes.Buffer
			cmd := []string{"echo", fmt.Sprintf("hi-%d", i)}
			wantOut, wantErr, wantCode := fmt.Sprintf("hi-%d\n", i), "", 0
			if i%10 == 9 {
				cmd = []string{"sh", "-c", fmt.Sprintf("echo out-%d; echo err-%d >&2; exit 3", i, i)}
				wantOut, wantErr, wantCode = fmt.Sprintf("out-%d\n", i), fmt.Sprintf("err-%d\n", i), 3
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			code, err := e.rt.Exec(ctx, id, container.ExecOptions{Command: cmd, Stdout: &stdout, Stderr: &stderr})
			if err != nil || code != wantCode || stdout.String() != wantOut || stderr.String() != wantErr {
				return fmt.Sprintf("%v: exit %d, err %v, stdout %q, stderr %q", cmd, code, err, stdout.String(), stderr.String())
			}
			return ""
		})
	})
	t.Run("WebSocket", func(t *testing.T) {
		runMany(t, 100, 20, 4, func(i int) string {
			want := fmt.Sprintf("hi-%d\n", i)
			stdout, stderr, status, err := wsExec(ctx, "execs", "c", "echo", strings.TrimSpace(want))
			if err != nil || stdout != want || stderr != "" || !strings.Contains(status, `"status":"Success"`) {
				return fmt.Sprintf("echo %q: err %v, stdout %q, stderr %q, status %s", want, err, stdout, stderr, status)
			}
			return ""
		})
	})
	t.Run("Kubectl", func(t *testing.T) {
		kc := e.kubeconfig(t)
		runMany(t, 12, 4, 2, func(i int) string {
			want := fmt.Sprintf("hi-%d\n", i)
			out, err := kubectl(t, kc, 30*time.Second, "exec", "execs", "--", "echo", strings.TrimSpace(want))
			if err != nil || out != want {
				return fmt.Sprintf("kubectl exec echo %q: %v: %q", want, err, out)
			}
			return ""
		})
	})
}

// runMany runs one(i) for i in [0, n): the first seq one after the other, the rest from
// workers goroutines. one returns what went wrong, or "".
func runMany(t *testing.T, n, seq, workers int, one func(i int) string) {
	t.Helper()
	var mu sync.Mutex
	var failed []string
	record := func(i int) {
		if msg := one(i); msg != "" {
			mu.Lock()
			failed = append(failed, msg)
			mu.Unlock()
		}
	}
	for i := range seq {
		record(i)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				record(i)
			}
		}()
	}
	for i := seq; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Logf("%d/%d execs wrong", len(failed), n)
	for i, msg := range failed {
		if i == 10 {
			t.Errorf("... and %d more", len(failed)-i)
			break
		}
		t.Error(msg)
	}
}

// wsExec runs cmd through the test kubelet's WebSocket exec (v5.channel.k8s.io), as the
// API server's proxy would, and returns what came on stdout, stderr and the error channel.
func wsExec(ctx context.Context, pod, cname string, cmd ...string) (stdout, stderr, status string, err error) {
	q := url.Values{"command": cmd, "stdout": {"true"}, "stderr": {"true"}}
	u := fmt.Sprintf("ws://127.0.0.1:%d/exec/default/%s/%s?%s", kubeletPort, pod, cname, q.Encode())
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d := websocket.Dialer{Subprotocols: remotecommand.Protocols[:1], HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, u, nil)
	if err != nil {
		return "", "", "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetReadDeadline(deadline)
	var out, errOut bytes.Buffer
	for {
		_, msg, err := conn.ReadMessage()
		if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			return out.String(), errOut.String(), status, nil
		}
		if err != nil {
			return out.String(), errOut.String(), status, err
		}
		if len(msg) == 0 {
			continue
		}
		switch msg[0] {
		case remotecommand.ChanStdout:
			out.Write(msg[1:])
		case remotecommand.ChanStderr:
			errOut.Write(msg[1:])
		case remotecommand.ChanError:
			status += string(msg[1:])
		}
	}
}
