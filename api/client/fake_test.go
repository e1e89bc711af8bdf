package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"seven.dev/api/meta"
)

// seen is one request a fake server received.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// fakeServer is an httptest server that records requests and answers with handle.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []seen
	handle http.HandlerFunc
}

func newFake(t *testing.T, handle http.HandlerFunc) *fakeServer {
	t.Helper()
	f := &fakeServer{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		f.handle(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func (f *fakeServer) last(t *testing.T) seen {
	t.Helper()
	r := f.requests()
	if len(r) == 0 {
		t.Fatal("no request reached the server")
	}
	return r[len(r)-1]
}

// sleeps records the waits a client asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(done <-chan struct{}, d time.Duration) bool {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	select {
	case <-done:
		return false
	default:
		return true
	}
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient builds a client for url with unlimited QPS and waits recorded, not slept.
func newClient(t *testing.T, url string, mods ...func(*Config)) (*Client, *sleeps) {
	t.Helper()
	cfg := Config{Host: url, QPS: -1}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &sleeps{}
	c.sleep = s.sleep
	return c, s
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func status(code int32, reason, msg string) *meta.Status {
	return &meta.Status{TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status: meta.StatusFailure, Code: code, Reason: reason, Message: msg}
}

// refusingTransport fails the first n round trips as a refused connection would, then
// passes requests on.
type refusingTransport struct {
	mu       sync.Mutex
	n        int
	attempts int
	err      error
	next     http.RoundTripper
}

func (rt *refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.attempts++
	fail := rt.attempts <= rt.n
	rt.mu.Unlock()
	if fail {
		if r.Body != nil {
			r.Body.Close()
		}
		if rt.err != nil {
			return nil, rt.err
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return rt.next.RoundTrip(r)
}

func (rt *refusingTransport) count() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.attempts
}

// watcherGoroutines counts live watch goroutines of this package.
func watcherGoroutines() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "client.(*watcher[")
}

// waitNoWatchers fails the test unless every watch goroutine ends soon.
func waitNoWatchers(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for watcherGoroutines() > 0 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("watch goroutines leaked:\n%s", buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var contextDeadline = context.DeadlineExceeded

func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	t.Helper()
	return context.WithTimeout(context.Background(), d)
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
