package etcd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap/zapcore"
)

// Defaults of EmbeddedConfig.
const (
	DefaultClientURL    = "http://127.0.0.1:2379"
	DefaultPeerURL      = "http://127.0.0.1:2380"
	DefaultName         = "default"
	DefaultStartTimeout = 60 * time.Second
)

// EmbeddedConfig describes an embedded single-member etcd.
type EmbeddedConfig struct {
	// DataDir holds the member's WAL and database; it is created (mode 0700) if missing.
	DataDir string
	// ClientURL is where clients connect (default DefaultClientURL). Port 0 picks a free
	// port; Embedded.Endpoints reports the real one.
	ClientURL string
	// PeerURL is the member's peer address (default DefaultPeerURL). Port 0 picks a free port.
	PeerURL string
	// Name of the member (default DefaultName).
	Name string
	// Logger receives etcd's warnings and errors (default slog.Default()).
	Logger *slog.Logger
	// StartTimeout bounds the wait for the member to become ready (default DefaultStartTimeout;
	// replaying a large WAL can take a while).
	StartTimeout time.Duration
}

// Embedded is a running embedded etcd member.
type Embedded struct {
	etcd      *embed.Etcd
	endpoints []string
}

// StartEmbedded starts an etcd member in cfg.DataDir and waits until it serves clients.
// The member runs until Close; ctx only bounds the start-up.
func StartEmbedded(ctx context.Context, cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("start embedded etcd: data dir is required")
	}
	if cfg.ClientURL == "" {
		cfg.ClientURL = DefaultClientURL
	}
	if cfg.PeerURL == "" {
		cfg.PeerURL = DefaultPeerURL
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	clientURL, err := url.Parse(cfg.ClientURL)
	if err != nil {
		return nil, fmt.Errorf("start embedded etcd: client url %q: %w", cfg.ClientURL, err)
	}
	peerURL, err := url.Parse(cfg.PeerURL)
	if err != nil {
		return nil, fmt.Errorf("start embedded etcd: peer url %q: %w", cfg.PeerURL, err)
	}

	ec := embed.NewConfig()
	ec.Name = cfg.Name
	ec.Dir = cfg.DataDir
	ec.ListenClientUrls = []url.URL{*clientURL}
	ec.AdvertiseClientUrls = []url.URL{*clientURL}
	ec.ListenPeerUrls = []url.URL{*peerURL}
	ec.AdvertisePeerUrls = []url.URL{*peerURL}
	ec.InitialCluster = ec.InitialClusterFromName(cfg.Name)
	// The API server compacts on its own schedule (RunCompactor), keeping the watch window
	// it promises; etcd's auto-compaction stays off (retention "0", the default).
	ec.AutoCompactionRetention = "0"
	// Only requests slower than this are logged ("request stats"); left at zero, etcd logs
	// every request as expensive.
	ec.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration
	// etcd logs at info level by default, which drowns the API server's own logs; forward
	// only its warnings and errors into our slog output.
	ec.Logger = "zap"
	ec.LogLevel = "warn"
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(newZapLogger(cfg.Logger.With("component", "etcd"), zapcore.WarnLevel))

	e, err := embed.StartEtcd(ec)
	if err != nil {
		return nil, fmt.Errorf("start embedded etcd in %s (clients %s, peers %s): %w", cfg.DataDir, cfg.ClientURL, cfg.PeerURL, err)
	}
	timer := time.NewTimer(cfg.StartTimeout)
	defer timer.Stop()
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("start embedded etcd in %s: %w", cfg.DataDir, err)
	case <-timer.C:
		e.Server.Stop()
		e.Close()
		return nil, fmt.Errorf("start embedded etcd in %s: not ready after %s", cfg.DataDir, cfg.StartTimeout)
	case <-ctx.Done():
		e.Server.Stop()
		e.Close()
		return nil, fmt.Errorf("start embedded etcd in %s: %w", cfg.DataDir, ctx.Err())
	}

	endpoints := make([]string, 0, len(e.Clients))
	for _, l := range e.Clients {
		endpoints = append(endpoints, clientURL.Scheme+"://"+l.Addr().String())
	}
	cfg.Logger.Info("embedded etcd ready", "dataDir", cfg.DataDir, "endpoints", endpoints)
	return &Embedded{etcd: e, endpoints: endpoints}, nil
}

// Endpoints are the client URLs the member listens on, with real ports.
func (e *Embedded) Endpoints() []string { return append([]string(nil), e.endpoints...) }

// Err reports fatal errors of the running member (e.g. its listener failed).
func (e *Embedded) Err() <-chan error { return e.etcd.Err() }

// Close stops the member and waits for it to release its data dir and ports.
func (e *Embedded) Close() { e.etcd.Close() }
