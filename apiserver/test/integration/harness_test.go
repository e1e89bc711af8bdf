package integration

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"seven.dev/apiserver/internal/testserver"
)

// apiServer is a kube-apiserver running in the test process, with HTTP helpers.
type apiServer struct {
	*testserver.Server
	t *testing.T
}

type serverOption = testserver.Option

// startServer starts a server on a fresh embedded etcd (or the given data dir) on free ports.
func startServer(t *testing.T, dataDir string, mods ...serverOption) *apiServer {
	t.Helper()
	return &apiServer{Server: testserver.Start(t, dataDir, mods...), t: t}
}

// stop shuts the server down gracefully and waits for it (idempotent).
func (s *apiServer) stop() { s.Stop() }

// response is what a request got back.
type response struct {
	Code   int
	Body   []byte
	Header http.Header
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %v\n%s", r.Code, err, r.Body)
	}
	return m
}

// do sends a request; body may be a string, []byte or any JSON-encodable value.
func (s *apiServer) do(method, path string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{Code: resp.StatusCode, Body: b, Header: resp.Header}
}

// mustDo is do that fails the test unless the code is want.
func (s *apiServer) mustDo(want int, method, path string, body any, headers ...string) map[string]any {
	s.t.Helper()
	r := s.do(method, path, body, headers...)
	if r.Code != want {
		s.t.Fatalf("%s %s: got %d, want %d\n%s", method, path, r.Code, want, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.json(s.t)
}

// expectStatus checks an error response is a Status with the code and reason.
func expectStatus(t *testing.T, r response, code int, reason string) map[string]any {
	t.Helper()
	if r.Code != code {
		t.Fatalf("got code %d, want %d: %s", r.Code, code, r.Body)
	}
	m := r.json(t)
	if m["kind"] != "Status" || m["apiVersion"] != "v1" || m["status"] != "Failure" {
		t.Fatalf("not a failure Status: %s", r.Body)
	}
	if int(m["code"].(float64)) != code {
		t.Fatalf("Status code %v, want %d", m["code"], code)
	}
	if reason != "" && m["reason"] != reason {
		t.Fatalf("reason %v, want %s: %s", m["reason"], reason, r.Body)
	}
	return m
}

// get walks a decoded JSON value by keys and indexes ("metadata", "name").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

// watchStream reads a watch's events one by one.
type watchStream struct {
	resp *http.Response
	dec  *json.Decoder
}

type watchEvent struct {
	Type   string         `json:"type"`
	Object map[string]any `json:"object"`
}

func (s *apiServer) watch(path string, headers ...string) *watchStream {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("watch %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		s.t.Fatalf("watch %s: %d %s", path, resp.StatusCode, b)
	}
	w := &watchStream{resp: resp, dec: json.NewDecoder(resp.Body)}
	s.t.Cleanup(w.close)
	return w
}

func (w *watchStream) close() { w.resp.Body.Close() }

// next returns the next event, or ok=false when the stream ends or timeout passes.
func (w *watchStream) next(timeout time.Duration) (watchEvent, bool) {
	type result struct {
		ev  watchEvent
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var ev watchEvent
		err := w.dec.Decode(&ev)
		ch <- result{ev, err}
	}()
	select {
	case r := <-ch:
		return r.ev, r.err == nil
	case <-time.After(timeout):
		w.close()
		<-ch
		return watchEvent{}, false
	}
}

func pod(name string, labels map[string]string) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "labels": labels},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox:1.36"}}},
	}
}
