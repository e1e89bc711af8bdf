package informerintegration

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

// apiServer is a kube-apiserver running in the test process.
type apiServer struct {
	t       *testing.T
	URL     string
	addr    string // host:port, kept across restarts
	dataDir string
	mods    []serverOption
	cancel  context.CancelFunc
	done    chan error
}

type serverOption func(*server.Options)

// startServer starts a server on a fresh embedded etcd (or the given data dir) on a free
// port; restart brings it back on the same port and data.
func startServer(t *testing.T, dataDir string, mods ...serverOption) *apiServer {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	s := &apiServer{t: t, addr: "127.0.0.1:0", dataDir: dataDir, mods: mods}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *apiServer) start() {
	t := s.t
	t.Helper()
	opts := server.NewOptions()
	opts.DataDir = s.dataDir
	opts.EmbeddedEtcdClientURL = "http://127.0.0.1:0"
	opts.EmbeddedEtcdPeerURL = "http://127.0.0.1:0"
	opts.ShutdownTimeout = 5 * time.Second
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
		t.Fatalf("server exited during start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not become ready")
	}
}

// stop shuts the server down gracefully and waits for it (idempotent).
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

// restart stops the server and starts it again on the same address and data.
func (s *apiServer) restart() {
	s.stop()
	s.start()
}

// client returns a client of the server without client-side rate limiting.
func (s *apiServer) client() *client.Client {
	c, err := client.New(client.Config{Host: s.URL, QPS: -1})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}
