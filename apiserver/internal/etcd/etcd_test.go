package etcd

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func startTestEtcd(t *testing.T) (*Embedded, *clientv3.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := StartEmbedded(ctx, EmbeddedConfig{
		DataDir:   filepath.Join(t.TempDir(), "etcd"),
		ClientURL: "http://127.0.0.1:0",
		PeerURL:   "http://127.0.0.1:0",
		Logger:    quietLogger(),
	})
	if err != nil {
		t.Fatalf("StartEmbedded: %v", err)
	}
	t.Cleanup(e.Close)
	c, err := NewClient(ClientConfig{Endpoints: e.Endpoints(), Logger: quietLogger()})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return e, c
}

func TestEmbeddedServesClients(t *testing.T) {
	t.Parallel()
	e, c := startTestEtcd(t)
	if eps := e.Endpoints(); len(eps) != 1 || strings.HasSuffix(eps[0], ":0") {
		t.Fatalf("Endpoints() = %v, want one endpoint with a real port", eps)
	}
	ctx := context.Background()
	if _, err := c.Put(ctx, "/a", "b"); err != nil {
		t.Fatalf("put: %v", err)
	}
	resp, err := c.Get(ctx, "/a")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "b" {
		t.Fatalf("get = %v, %v", resp, err)
	}
}

func TestEmbeddedPortInUse(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = StartEmbedded(context.Background(), EmbeddedConfig{
		DataDir:   filepath.Join(t.TempDir(), "etcd"),
		ClientURL: "http://" + l.Addr().String(),
		PeerURL:   "http://127.0.0.1:0",
		Logger:    quietLogger(),
	})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("StartEmbedded on a used port: err = %v, want address already in use", err)
	}
}

func TestEmbeddedRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "etcd")
	start := func() (*Embedded, *clientv3.Client) {
		e, err := StartEmbedded(context.Background(), EmbeddedConfig{DataDir: dir, ClientURL: "http://127.0.0.1:0", PeerURL: "http://127.0.0.1:0", Logger: quietLogger()})
		if err != nil {
			t.Fatalf("StartEmbedded: %v", err)
		}
		c, err := NewClient(ClientConfig{Endpoints: e.Endpoints(), Logger: quietLogger()})
		if err != nil {
			t.Fatalf("NewClient: %v", err)
		}
		return e, c
	}
	e, c := start()
	if _, err := c.Put(context.Background(), "/k", "v"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	e.Close()
	e, c = start()
	defer e.Close()
	defer c.Close()
	resp, err := c.Get(context.Background(), "/k")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("get after restart = %v, %v", resp, err)
	}
}

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	if _, err := NewClient(ClientConfig{}); err == nil {
		t.Error("NewClient without endpoints: want error")
	}
	if _, err := NewClient(ClientConfig{Endpoints: []string{"https://127.0.0.1:1"}, CertFile: "x.pem"}); err == nil {
		t.Error("NewClient with a cert but no key: want error")
	}
	if _, err := NewClient(ClientConfig{Endpoints: []string{"https://127.0.0.1:1"}, CAFile: filepath.Join(t.TempDir(), "missing.pem")}); err == nil {
		t.Error("NewClient with a missing CA file: want error")
	}
}

func TestCompactorKeepsOneInterval(t *testing.T) {
	t.Parallel()
	_, c := startTestEtcd(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunCompactor(ctx, c, 100*time.Millisecond, quietLogger())
	}()
	defer func() { cancel(); <-done }()

	first, err := c.Put(ctx, "/k", "0")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := c.Get(ctx, "/k", clientv3.WithRev(first.Header.Revision))
		if errors.Is(err, rpctypes.ErrCompacted) {
			break
		}
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("revision of the first put never compacted")
		}
		if _, err := c.Put(ctx, "/k", "x"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The newest revision is never compacted away: history of at least one interval stays.
	latest, err := c.Put(ctx, "/k", "y")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "/k", clientv3.WithRev(latest.Header.Revision)); err != nil {
		t.Fatalf("get at the latest revision: %v", err)
	}
}

func TestCompactorTwoServersShareTheWork(t *testing.T) {
	t.Parallel()
	_, c := startTestEtcd(t)
	ctx := context.Background()
	a := compactor{kv: c, logger: quietLogger()}
	b := compactor{kv: c, logger: quietLogger()}
	// a records, b loses the race and adopts a's version, a compacts on its next turn.
	for i, step := range []*compactor{&a, &b, &a, &b} {
		if err := step.tick(ctx); err != nil {
			t.Fatalf("tick %d: %v", i, err)
		}
	}
	resp, err := c.Get(ctx, CompactRevKey)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("get %s: %v %v", CompactRevKey, resp, err)
	}
	if got := resp.Kvs[0].Version; got != 2 {
		t.Errorf("%s version = %d, want 2 (one write per interval)", CompactRevKey, got)
	}
}
