package etcd

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap/zapcore"
)

// ClientConfig describes how to reach an etcd cluster (--etcd-servers and friends).
type ClientConfig struct {
	Endpoints []string
	// CAFile, CertFile and KeyFile are optional PEM files (--etcd-cafile, --etcd-certfile,
	// --etcd-keyfile). CertFile and KeyFile go together.
	CAFile, CertFile, KeyFile string
	// DialTimeout bounds the first connection (default 5s).
	DialTimeout time.Duration
	// Logger receives the client's warnings and errors (default slog.Default()).
	Logger *slog.Logger
}

// NewClient returns a client for the cluster. It does not wait for the cluster to answer:
// the first request reports an unreachable cluster.
func NewClient(cfg ClientConfig) (*clientv3.Client, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, errors.New("etcd client: no endpoints")
	}
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, fmt.Errorf("etcd client: cert file %q and key file %q must be given together", cfg.CertFile, cfg.KeyFile)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	var tlsConfig *tls.Config
	if cfg.CAFile != "" || cfg.CertFile != "" {
		info := transport.TLSInfo{CertFile: cfg.CertFile, KeyFile: cfg.KeyFile, TrustedCAFile: cfg.CAFile}
		var err error
		if tlsConfig, err = info.ClientConfig(); err != nil {
			return nil, fmt.Errorf("etcd client TLS (ca %q, cert %q, key %q): %w", cfg.CAFile, cfg.CertFile, cfg.KeyFile, err)
		}
	}
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   cfg.Endpoints,
		DialTimeout: cfg.DialTimeout,
		TLS:         tlsConfig,
		Logger:      newZapLogger(cfg.Logger.With("component", "etcd-client"), zapcore.WarnLevel),
		// Keepalives notice a dead member behind a silent connection (watches would hang).
		DialKeepAliveTime:    30 * time.Second,
		DialKeepAliveTimeout: 10 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client for %v: %w", cfg.Endpoints, err)
	}
	return c, nil
}
