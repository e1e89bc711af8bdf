package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeKubelet is the exec endpoint of a kubelet, written for kubectl's tests from the
// protocol (not from the kubelet's code, which kubectl must not import): a WebSocket
// server on 127.0.0.1 speaking the subprotocols it is given. Its "commands" exercise
// the protocol rather than run anything:
//
//	echo ARGS...       ARGS joined by spaces on stdout
//	both               "out" on stdout, then "err" on stderr
//	info               container, tty, stdin and the chosen protocol on stdout
//	cat                stdin to stdout until the client closes stdin
//	exit N             exits with code N
//	flood N            N lines on stdout, one message each, then exits with code 3
//	resize N           prints each of the first N terminal sizes as WxH
//	fail               ends with a Failure status that is not an exit code
//
// startDelay is how long the fake takes to "start" a command after the upgrade.
const startDelay = 100 * time.Millisecond

type fakeKubelet struct {
	t         *testing.T
	protocols []string
	srv       *httptest.Server

	mu    sync.Mutex
	paths []string // path and query of every exec request
}

func newFakeKubelet(t *testing.T, protocols ...string) *fakeKubelet {
	f := &fakeKubelet{t: t, protocols: protocols}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serveExec))
	t.Cleanup(f.srv.Close)
	return f
}

// port is where the kubelet listens, for the node's daemonEndpoints.
func (f *fakeKubelet) port() int32 {
	_, p, _ := net.SplitHostPort(f.srv.Listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return int32(n)
}

func (f *fakeKubelet) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

// session is one exec connection.
type session struct {
	ws       *websocket.Conn
	protocol string
	wmu      sync.Mutex
	stdin    *io.PipeReader
	resizes  chan string
}

func (s *session) send(ch byte, p []byte) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.ws.WriteMessage(websocket.BinaryMessage, append([]byte{ch}, p...))
}

func (f *fakeKubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path+"?"+r.URL.RawQuery)
	f.mu.Unlock()
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "exec" {
		http.Error(w, "not an exec path", http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	up := websocket.Upgrader{Subprotocols: f.protocols, CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	pr, pw := io.Pipe()
	s := &session{ws: ws, protocol: ws.Subprotocol(), stdin: pr, resizes: make(chan string, 16)}
	var closeStdin sync.Once
	endStdin := func() { closeStdin.Do(func() { pw.Close() }) }
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer endStdin()
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if len(msg) == 0 {
				continue
			}
			switch msg[0] {
			case 0:
				_, _ = pw.Write(msg[1:])
			case 4:
				var sz struct{ Width, Height int }
				if json.Unmarshal(msg[1:], &sz) == nil {
					s.resizes <- fmt.Sprintf("%dx%d", sz.Width, sz.Height)
				}
			case 255:
				if s.protocol == "v5.channel.k8s.io" && len(msg) == 2 && msg[1] == 0 {
					endStdin()
				}
			}
		}
	}()

	// A real kubelet answers after starting the process in containerd, tens of milliseconds
	// after the upgrade. Upstream kubectl 1.32 (client-go) starts reading the connection
	// before it has registered its streams and drops what comes in that window, its exit
	// status included; a fake that answers at once loses output to it on a busy machine.
	time.Sleep(startDelay)
	status := f.run(s, parts[3], q)
	s.send(3, status)
	s.wmu.Lock()
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	s.wmu.Unlock()
	select {
	case <-readerDone:
	case <-time.After(2 * time.Second):
	}
}

// run plays the command and returns the Status for the error channel.
func (f *fakeKubelet) run(s *session, container string, q map[string][]string) []byte {
	argv := q["command"]
	out := func(format string, a ...any) { s.send(1, []byte(fmt.Sprintf(format, a...))) }
	errOut := func(text string) {
		if q["tty"] != nil { // a terminal has no separate stderr
			s.send(1, []byte(text))
		} else {
			s.send(2, []byte(text))
		}
	}
	if len(argv) == 0 {
		return statusJSON("Failure", "InternalError", "no command", -1)
	}
	switch argv[0] {
	case "echo":
		out("%s\n", strings.Join(argv[1:], " "))
	case "both":
		out("out\n")
		errOut("err\n")
	case "info":
		out("container=%s tty=%v stdin=%v stderr=%v protocol=%s\n", container, q["tty"] != nil, q["stdin"] != nil, q["stderr"] != nil, s.protocol)
	case "cat":
		buf := make([]byte, 4096)
		for {
			n, err := s.stdin.Read(buf)
			if n > 0 {
				s.send(1, buf[:n])
			}
			if err != nil {
				break
			}
		}
	case "exit":
		code, _ := strconv.Atoi(argv[1])
		return statusJSON("Failure", "NonZeroExitCode", "command terminated with non-zero exit code", code)
	case "flood":
		n, _ := strconv.Atoi(argv[1])
		for i := 1; i <= n; i++ {
			out("line %d\n", i)
		}
		return statusJSON("Failure", "NonZeroExitCode", "command terminated with non-zero exit code", 3)
	case "resize":
		n, _ := strconv.Atoi(argv[1])
		for i := 0; i < n; i++ {
			select {
			case sz := <-s.resizes:
				out("%s\n", sz)
			case <-time.After(10 * time.Second):
				return statusJSON("Failure", "InternalError", "no resize arrived", -1)
			}
		}
	case "fail":
		return statusJSON("Failure", "InternalError", "boom", -1)
	default:
		errOut(fmt.Sprintf("fake kubelet: unknown command %q\n", argv[0]))
		return statusJSON("Failure", "NonZeroExitCode", "command terminated with non-zero exit code", 127)
	}
	return statusJSON("Success", "", "", -1)
}

// statusJSON is a metav1 Status as the kubelet writes it on the error channel.
func statusJSON(status, reason, message string, exitCode int) []byte {
	st := map[string]any{"metadata": map[string]any{}, "status": status}
	if reason != "" {
		st["reason"] = reason
		st["message"] = message
	}
	if exitCode >= 0 {
		st["details"] = map[string]any{"causes": []map[string]string{{"reason": "ExitCode", "message": strconv.Itoa(exitCode)}}}
	}
	b, _ := json.Marshal(st)
	return b
}
