package allocator

import (
	"net/url"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// testEtcd is one embedded etcd member in t.TempDir(), listening on kernel-chosen loopback
// ports (never 2379/2380), stopped when the test ends.
type testEtcd struct {
	t        *testing.T
	endpoint string
}

func startEtcd(t *testing.T) *testEtcd {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name = "allocator-test"
	cfg.Dir = t.TempDir()
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.UnsafeNoFsync = true
	// Port 0: the kernel picks a free port; clients learn it from e.Clients below. The peer
	// URL is never dialled in a one-member cluster, so its :0 may stay symbolic.
	lc := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	lp := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{lc}, []url.URL{lc}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{lp}, []url.URL{lp}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("start embedded etcd: %v", err)
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatalf("embedded etcd: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("embedded etcd not ready after 20s")
	}
	return &testEtcd{t: t, endpoint: "http://" + e.Clients[0].Addr().String()}
}

// client opens a new connection, as a separate API server would.
func (e *testEtcd) client() *clientv3.Client {
	e.t.Helper()
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{e.endpoint},
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		e.t.Fatalf("etcd client for %s: %v", e.endpoint, err)
	}
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}
