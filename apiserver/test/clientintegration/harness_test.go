package clientintegration

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"seven.dev/api/client"
	"seven.dev/apiserver/internal/server"
)

// The harness follows apiserver/test/integration/harness_test.go (test files cannot be
// imported): a server on a fresh embedded etcd and free ports, stopped at cleanup.

type apiServer struct {
	t      *testing.T
	URL    string
	cancel context.CancelFunc
	done   chan error
}

type serverOption func(*server.Options)

func startServer(t *testing.T, mods ...serverOption) *apiServer {
	t.Helper()
	opts := server.NewOptions()
	opts.DataDir = t.TempDir()
	opts.EmbeddedEtcdClientURL = "http://127.0.0.1:0"
	opts.EmbeddedEtcdPeerURL = "http://127.0.0.1:0"
	opts.ShutdownTimeout = 5 * time.Second
	for _, m := range mods {
		m(opts)
	}
	level := slog.LevelWarn
	if os.Getenv("SEVEN_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, opts, log, prometheus.NewRegistry())
	if err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	as := &apiServer{t: t, URL: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { as.done <- s.Run(ctx, ln) }()
	select {
	case <-s.Ready():
	case err := <-as.done:
		t.Fatalf("server exited during start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not become ready")
	}
	t.Cleanup(as.stop)
	return as
}

func (s *apiServer) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("server exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		s.t.Error("server did not stop within 30s")
	}
}

// client returns a client of the server with client-side limiting off.
func (s *apiServer) client(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Host: s.URL, QPS: -1, UserAgent: "seven/clientintegration"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
