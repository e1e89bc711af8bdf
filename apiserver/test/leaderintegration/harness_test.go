package leaderintegration

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

// startServer starts an API server on a fresh embedded etcd on free ports and returns its
// URL; the server stops when the test ends. (A trimmed copy of apiserver/test/integration's
// harness.)
func startServer(t *testing.T) string {
	t.Helper()
	opts := server.NewOptions()
	opts.DataDir = t.TempDir()
	opts.EmbeddedEtcdClientURL = "http://127.0.0.1:0"
	opts.EmbeddedEtcdPeerURL = "http://127.0.0.1:0"
	opts.ShutdownTimeout = 5 * time.Second
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
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("server exited during start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("server did not become ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server exit: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop within 30s")
		}
	})
	return "http://" + ln.Addr().String()
}

// newClient returns a client of its own, as a separate process would have.
func newClient(t *testing.T, host string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Host: host, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testLogger logs to the test at debug level when SEVEN_TEST_LOG is set.
func testLogger(name string) *slog.Logger {
	if os.Getenv("SEVEN_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("candidate", name)
}
