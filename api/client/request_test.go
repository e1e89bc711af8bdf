package client

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

func TestErrorsDecodeToStatus(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		body   string
		ctype  string
		check  func(error) bool
		reason string
		msg    string
	}{
		{"not found", 404, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}`,
			"application/json", apierrors.IsNotFound, meta.StatusReasonNotFound, `pods "x" not found`},
		{"conflict", 409, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled","reason":"Conflict","code":409}`,
			"application/json", apierrors.IsConflict, meta.StatusReasonConflict, "Operation cannot be fulfilled"},
		{"already exists", 409, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"exists","reason":"AlreadyExists","code":409}`,
			"application/json", apierrors.IsAlreadyExists, meta.StatusReasonAlreadyExists, "exists"},
		{"invalid", 422, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"bad","reason":"Invalid","code":422,"details":{"causes":[{"reason":"FieldValueRequired","field":"spec.containers"}]}}`,
			"application/json", apierrors.IsInvalid, meta.StatusReasonInvalid, "bad"},
		{"gone", 410, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}`,
			"application/json", apierrors.IsGone, meta.StatusReasonExpired, "too old resource version"},
		{"status without code", 403, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no","reason":"Forbidden"}`,
			"application/json", apierrors.IsForbidden, meta.StatusReasonForbidden, "no"},
		{"proxy html", 502, `<html>bad gateway</html>`, "text/html",
			func(err error) bool { return apierrors.CodeOf(err) == 502 }, meta.StatusReasonUnknown, "<html>bad gateway</html>"},
		{"empty 500", 500, ``, "text/plain", apierrors.IsInternalError, meta.StatusReasonInternalError, "Internal Server Error"},
		{"429 without Retry-After is not retried", 429, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"slow down","reason":"TooManyRequests","code":429}`,
			"application/json", apierrors.IsTooManyRequests, meta.StatusReasonTooManyRequests, "slow down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.code)
				io.WriteString(w, tt.body)
			})
			c, _ := newClient(t, f.URL)
			_, err := Pods(c).Get(ctxT(t), "default", "x")
			if err == nil {
				t.Fatal("want an error")
			}
			var st *meta.Status
			if !errors.As(err, &st) {
				t.Fatalf("error %T is not a *meta.Status: %v", err, err)
			}
			if !tt.check(err) {
				t.Errorf("predicate false for %+v", st)
			}
			if st.Reason != tt.reason || int(st.Code) != tt.code || !strings.Contains(st.Message, tt.msg) {
				t.Errorf("got reason %q code %d message %q", st.Reason, st.Code, st.Message)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (HTTP errors are not retried)", n)
			}
		})
	}
}

func TestConnectionErrorsRetryOnlyGET(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "default"}})
	})
	tests := []struct {
		name         string
		refusals     int
		err          error
		call         func(*Client) error
		wantAttempts int
		wantErr      bool
	}{
		{"GET retried after refusals", 3, nil, func(c *Client) error {
			_, err := Pods(c).Get(ctxT(t), "default", "p")
			return err
		}, 4, false},
		{"GET retried after reset", 2, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, func(c *Client) error {
			_, err := Pods(c).List(ctxT(t), "", ListOptions{})
			return err
		}, 3, false},
		{"POST never retried", 3, nil, func(c *Client) error {
			_, err := Pods(c).Create(ctxT(t), &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p"}})
			return err
		}, 1, true},
		{"PUT never retried", 1, nil, func(c *Client) error {
			_, err := Pods(c).Update(ctxT(t), &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p"}})
			return err
		}, 1, true},
		{"DELETE never retried", 1, nil, func(c *Client) error {
			return Pods(c).Delete(ctxT(t), "default", "p", nil)
		}, 1, true},
		{"PATCH never retried", 1, nil, func(c *Client) error {
			_, err := Pods(c).Patch(ctxT(t), "default", "p", MergePatchType, []byte(`{}`), "")
			return err
		}, 1, true},
		{"GET gives up after MaxRetries", 100, nil, func(c *Client) error {
			_, err := Pods(c).Get(ctxT(t), "default", "p")
			return err
		}, DefaultMaxRetries + 1, true},
		{"non-connection errors are not retried", 5, errors.New("tls: handshake failure"), func(c *Client) error {
			_, err := Pods(c).Get(ctxT(t), "default", "p")
			return err
		}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &refusingTransport{n: tt.refusals, err: tt.err, next: http.DefaultTransport}
			c, sl := newClient(t, f.URL, func(cfg *Config) { cfg.Transport = rt })
			err := tt.call(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if rt.count() != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", rt.count(), tt.wantAttempts)
			}
			if got := len(sl.waits()); got != tt.wantAttempts-1 {
				t.Errorf("%d backoff waits, want %d", got, tt.wantAttempts-1)
			}
		})
	}
}

func TestGetRetriesUntilServerListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // now the port refuses connections
	c, err := New(Config{Host: addr, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	started := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			close(started)
			return
		}
		srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]string{"major": "1", "minor": "32"})
		})}}
		srv.Start()
		close(started)
	}()
	v, err := c.ServerVersion(ctxT(t))
	<-started
	if srv == nil {
		t.Skip("could not listen on the reserved port again")
	}
	defer srv.Close()
	if err != nil {
		t.Fatalf("GET was not retried until the server came up: %v", err)
	}
	if v["minor"] != "32" {
		t.Errorf("version %v", v)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name      string
		code      int
		header    string
		method    string
		failures  int
		wantCalls int
		wantWait  time.Duration
		wantErr   func(error) bool
	}{
		{"429 GET", 429, "1", http.MethodGet, 2, 3, time.Second, nil},
		{"429 POST: the server did not act, so resending is safe", 429, "2", http.MethodPost, 1, 2, 2 * time.Second, nil},
		{"503 GET", 503, "1", http.MethodGet, 1, 2, time.Second, nil},
		{"Retry-After is bounded", 429, "3600", http.MethodGet, 1, 2, maxRetryAfter, nil},
		{"retries are bounded", 429, "1", http.MethodGet, 1000, DefaultMaxRetries + 1, time.Second, apierrors.IsTooManyRequests},
		{"503 without Retry-After is an error", 503, "", http.MethodGet, 1, 1, 0, func(err error) bool { return apierrors.CodeOf(err) == 503 }},
		{"500 with Retry-After is an error", 500, "1", http.MethodGet, 1, 1, 0, apierrors.IsInternalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if int(calls.Add(1)) <= tt.failures {
					if tt.header != "" {
						w.Header().Set("Retry-After", tt.header)
					}
					writeJSON(w, tt.code, apierrors.FromHTTP(tt.code, nil, []byte("busy")))
					return
				}
				writeJSON(w, 200, &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p"}})
			})
			c, sl := newClient(t, f.URL)
			var err error
			if tt.method == http.MethodPost {
				_, err = Pods(c).Create(ctxT(t), &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p"}})
			} else {
				_, err = Pods(c).Get(ctxT(t), "default", "p")
			}
			if tt.wantErr == nil && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("unexpected error %v", err)
			}
			if int(calls.Load()) != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), tt.wantCalls)
			}
			waits := sl.waits()
			if len(waits) != tt.wantCalls-1 {
				t.Fatalf("waits %v, want %d", waits, tt.wantCalls-1)
			}
			for _, w := range waits {
				if w != tt.wantWait {
					t.Errorf("waited %v, want %v", w, tt.wantWait)
				}
			}
			for _, r := range f.requests() {
				if r.Method != tt.method {
					t.Errorf("method %s", r.Method)
				}
			}
		})
	}
}

func TestRetryAfterRespectsContext(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeJSON(w, 429, status(429, meta.StatusReasonTooManyRequests, "busy"))
	})
	c, err := New(Config{Host: f.URL, QPS: -1}) // real sleeps
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithTimeout(t, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Pods(c).Get(ctx, "default", "p")
	if err == nil || !errors.Is(err, contextDeadline) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if time.Since(start) > 4*time.Second {
		t.Errorf("waited %v despite the context's deadline", time.Since(start))
	}
}

func TestTimeoutAppliesToRequestsNotWatches(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("watch") == "true" {
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			time.Sleep(400 * time.Millisecond)
			io.WriteString(w, `{"type":"ADDED","object":{"metadata":{"name":"late","resourceVersion":"7"}}}`+"\n")
			return
		}
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	c, _ := newClient(t, f.URL, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
	start := time.Now()
	if _, err := Pods(c).Get(ctxT(t), "default", "p"); !errors.Is(err, contextDeadline) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("Timeout not applied: took %v", time.Since(start))
	}
	w, err := Pods(c).Watch(ctxT(t), "default", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ev, ok := <-w.ResultChan()
	if !ok || ev.Object.Name != "late" {
		t.Fatalf("watch cut by the request timeout: %v %+v", ok, ev)
	}
}

func TestQPSLimit(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{}) })
	// 20 QPS with a burst of 2: 8 requests need at least (8-2)/20 s = 300 ms. Only the
	// lower bound is asserted; a slow machine can only make it longer.
	c, err := New(Config{Host: f.URL, QPS: 20, Burst: 2})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 8 {
		if _, err := c.ServerVersion(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Errorf("8 requests at 20 QPS burst 2 took %v, want >= 300ms", el)
	}
	// The limiter waits under the context: a deadline shorter than the wait fails fast.
	ctx, cancel := contextWithTimeout(t, 10*time.Millisecond)
	defer cancel()
	c2, _ := New(Config{Host: f.URL, QPS: 0.1, Burst: 1})
	_, _ = c2.ServerVersion(ctxT(t))
	if _, err := c2.ServerVersion(ctx); err == nil || !strings.Contains(err.Error(), "rate limiter") {
		t.Errorf("err = %v, want a rate limiter error", err)
	}
}

func TestDefaultsAndDisabledLimiter(t *testing.T) {
	c, err := New(Config{Host: "127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	if c.limiter == nil || c.limiter.Limit() != DefaultQPS || c.limiter.Burst() != DefaultBurst {
		t.Errorf("default limiter %+v", c.limiter)
	}
	if c.Host() != "http://127.0.0.1:8080" {
		t.Errorf("bare host:port became %s", c.Host())
	}
	if !strings.HasPrefix(c.userAgent, "seven/") {
		t.Errorf("user agent %q", c.userAgent)
	}
	if c.maxRetries != DefaultMaxRetries {
		t.Errorf("max retries %d", c.maxRetries)
	}
	c, _ = New(Config{Host: "https://h:6443/prefix/", QPS: -1, MaxRetries: -1})
	if c.limiter != nil || c.maxRetries != 0 || c.base.Path != "/prefix" {
		t.Errorf("limiter %v retries %d path %q", c.limiter, c.maxRetries, c.base.Path)
	}
	for _, bad := range []string{"", "ftp://x", "http://"} {
		if _, err := New(Config{Host: bad}); err == nil {
			t.Errorf("host %q accepted", bad)
		}
	}
}

func TestHeadersAndAuth(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{}) })
	tokenFile := t.TempDir() + "/token"
	if err := writeFile(tokenFile, "from-file\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		auth string
	}{
		{"bearer", Config{BearerToken: "abc"}, "Bearer abc"},
		{"token file", Config{BearerTokenFile: tokenFile}, "Bearer from-file"},
		{"token wins over file", Config{BearerToken: "abc", BearerTokenFile: tokenFile}, "Bearer abc"},
		{"basic", Config{Username: "admin", Password: "s3cret"}, "Basic YWRtaW46czNjcmV0"},
		{"none", Config{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Host, cfg.QPS, cfg.UserAgent = f.URL, -1, "seven/test"
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ServerVersion(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			r := f.last(t)
			if got := r.Header.Get("Authorization"); got != tt.auth {
				t.Errorf("Authorization %q, want %q", got, tt.auth)
			}
			if r.Header.Get("User-Agent") != "seven/test" || r.Header.Get("Accept") != "application/json" {
				t.Errorf("headers %v", r.Header)
			}
		})
	}
}

func TestDoReturnsBodyAndStatus(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			writeJSON(w, 404, status(404, meta.StatusReasonNotFound, "nope"))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok:"+r.URL.RawQuery+":"+r.Header.Get("Content-Type"))
	})
	c, _ := newClient(t, f.URL)
	resp, err := c.Do(ctxT(t), http.MethodPost, "/raw", map[string][]string{"a": {"b"}}, []byte("x"), "text/plain", "*/*")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok:a=b:text/plain" {
		t.Errorf("body %q", b)
	}
	if got := f.last(t).Header.Get("Accept"); got != "*/*" {
		t.Errorf("Accept %q", got)
	}
	if _, err := c.Do(ctxT(t), http.MethodGet, "/missing", nil, nil, "", ""); !apierrors.IsNotFound(err) {
		t.Errorf("err = %v, want NotFound", err)
	}
}

func TestRetryableConnError(t *testing.T) {
	if !retryableConnError(io.ErrUnexpectedEOF) || retryableConnError(errors.New("x509: unknown authority")) {
		t.Error("classification")
	}
	var waits []time.Duration
	for i := range 6 {
		waits = append(waits, connBackoff(i))
	}
	if !slices.Equal(waits, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}) {
		t.Errorf("backoff %v", waits)
	}
}
