// Package testserver runs kube-apiserver in the test process, on an embedded etcd in a
// temporary directory, for the API server's own integration tests. Restart brings the
// server back on the same address and data, as an operator's restart would.
//
// It is test support only: nothing outside tests may import it.
package testserver

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

// Option adjusts the server's options before it starts.
type Option func(*server.Options)

// Server is a kube-apiserver running in the test process.
type Server struct {
	// URL is the server's plain-HTTP address; it survives Restart.
	URL string
	// DataDir holds the embedded etcd.
	DataDir string

	t      testing.TB
	addr   string
	mods   []Option
	cancel context.CancelFunc
	done   chan error
}

// Start starts a server on a fresh embedded etcd (or on dataDir when not empty) and stops
// it when the test ends.
func Start(t testing.TB, dataDir string, mods ...Option) *Server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	s := &Server{t: t, addr: "127.0.0.1:0", DataDir: dataDir, mods: mods}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	t := s.t
	t.Helper()
	opts := server.NewOptions()
	opts.DataDir = s.DataDir
	opts.EmbeddedEtcdClientURL = "http://127.0.0.1:0"
	opts.EmbeddedEtcdPeerURL = "http://127.0.0.1:0"
	opts.ShutdownTimeout = 5 * time.Second
	opts.Profiling = false
	for _, m := range s.mods {
		m(opts)
	}
	level := slog.LevelWarn
	if os.Getenv("SEVEN_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, opts, log, prometheus.NewRegistry())
	if err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		cancel()
		t.Fatalf("listen on %s: %v", s.addr, err)
	}
	s.addr = ln.Addr().String()
	s.URL = "http://" + s.addr
	s.cancel, s.done = cancel, make(chan error, 1)
	go func() { s.done <- srv.Run(ctx, ln) }()
	select {
	case <-srv.Ready():
	case err := <-s.done:
		s.cancel = nil
		t.Fatalf("server exited during start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not become ready")
	}
}

// Stop shuts the server down gracefully and waits for it. It is safe to call twice.
func (s *Server) Stop() {
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

// Restart stops the server and starts it again on the same address and data.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Client returns a client of the server without client-side rate limiting.
func (s *Server) Client() *client.Client {
	c, err := client.New(client.Config{Host: s.URL, QPS: -1})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}
