// Package etcdtest starts a throwaway embedded etcd member for flanneld's tests and its overlay
// benchmark. It is never linked into flanneld itself.
package etcdtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Server is a running embedded etcd.
type Server struct {
	etcd *embed.Etcd
	cfg  *embed.Config
	// Endpoint is the client URL, e.g. http://127.0.0.1:41234.
	Endpoint string
}

// Start runs a single-member etcd with its data in dir, serving clients on host (an address
// of this machine: 127.0.0.1, or a test bridge's address that network namespaces can reach)
// on a free port. Peers listen on a free loopback port.
func Start(dir, host string) (*Server, error) {
	clientPort, err := freePort(host)
	if err != nil {
		return nil, err
	}
	peerPort, err := freePort("127.0.0.1")
	if err != nil {
		return nil, err
	}
	cu := url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(clientPort))}
	pu := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(peerPort))}
	cfg := embed.NewConfig()
	cfg.Name = "flanneld-test"
	cfg.Dir = dir
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	s := &Server{cfg: cfg, Endpoint: cu.String()}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	e, err := embed.StartEtcd(s.cfg)
	if err != nil {
		return fmt.Errorf("start embedded etcd in %s: %w", s.cfg.Dir, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		e.Close()
		return fmt.Errorf("embedded etcd in %s not ready after 30s", s.cfg.Dir)
	}
	s.etcd = e
	return nil
}

// Restart stops the member and starts it again on the same ports and data: clients see a
// disconnect and then the same history.
func (s *Server) Restart() error {
	s.etcd.Close()
	return s.start()
}

// Close stops the member.
func (s *Server) Close() { s.etcd.Close() }

// Client returns a client of the member; the caller closes it.
func (s *Server) Client() (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
}

// New starts a member for t in a temporary directory on 127.0.0.1 and returns it with a
// client; both are closed when t ends.
func New(t testing.TB) (*Server, *clientv3.Client) {
	t.Helper()
	return NewOn(t, "127.0.0.1")
}

// NewOn is New serving clients on host.
func NewOn(t testing.TB, host string) (*Server, *clientv3.Client) {
	t.Helper()
	s, err := Start(t.TempDir(), host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cli, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return s, cli
}

// Put writes key=value, failing t on error.
func Put(t testing.TB, cli *clientv3.Client, key, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, key, value); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
