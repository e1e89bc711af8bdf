package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/api/defaults"
	"seven.dev/api/scheme"
	"seven.dev/api/validation"
	"seven.dev/apiserver/internal/allocator"
	"seven.dev/apiserver/internal/etcd"
	"seven.dev/apiserver/internal/registry"
	"seven.dev/apiserver/internal/storage"
)

// Server is a running kube-apiserver.
type Server struct {
	opts     *Options
	log      *slog.Logger
	client   *clientv3.Client
	embedded *etcd.Embedded
	registry *registry.Registry
	scheme   *scheme.Scheme
	stores   map[*scheme.Kind]storage.Store
	raw      []*storage.EtcdStore
	ips      *allocator.Allocator[netipAddr]
	ports    *allocator.Allocator[int]
	metrics  *metrics
	handler  http.Handler
	listener net.Listener
	ready    chan struct{}
	// stopWatches ends every open watch (set by routes).
	stopWatches func()
}

// New connects to (or starts) etcd and builds every part; Run serves.
func New(ctx context.Context, opts *Options, log *slog.Logger, reg *prometheus.Registry) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: log, scheme: scheme.Default(), stores: map[*scheme.Kind]storage.Store{}, ready: make(chan struct{})}
	endpoints := opts.EtcdServers
	if len(endpoints) == 0 {
		emb, err := etcd.StartEmbedded(ctx, etcd.EmbeddedConfig{DataDir: opts.DataDir,
			ClientURL: opts.EmbeddedEtcdClientURL, PeerURL: opts.EmbeddedEtcdPeerURL, Logger: log})
		if err != nil {
			return nil, err
		}
		s.embedded = emb
		endpoints = emb.Endpoints()
		log.Info("embedded etcd started", "dataDir", opts.DataDir, "endpoints", endpoints)
	}
	client, err := etcd.NewClient(etcd.ClientConfig{Endpoints: endpoints, CAFile: opts.EtcdCAFile,
		CertFile: opts.EtcdCertFile, KeyFile: opts.EtcdKeyFile, Logger: log})
	if err != nil {
		s.closeEtcd()
		return nil, err
	}
	s.client = client
	s.metrics = newMetrics(reg)
	for _, k := range s.scheme.Kinds() {
		st, err := storage.New(client, storage.Config{
			Resource:       k.Resource,
			Namespaced:     k.Namespaced,
			New:            k.New,
			AttrsOf:        attrsFunc(k),
			WatchCacheSize: opts.WatchCacheSize,
		}, log, storage.WithBookmarkInterval(opts.BookmarkInterval))
		if err != nil {
			s.closeEtcd()
			return nil, fmt.Errorf("storage for %s: %w", k.Resource, err)
		}
		s.raw = append(s.raw, st)
		s.stores[k] = s.metrics.instrument(k.Resource, st)
	}
	ipRange, err := allocator.NewCIDRRange(opts.ServiceClusterIPRange)
	if err != nil {
		s.closeEtcd()
		return nil, fmt.Errorf("--service-cluster-ip-range: %w", err)
	}
	portRange, err := allocator.NewPortRange(opts.ServiceNodePortRange)
	if err != nil {
		s.closeEtcd()
		return nil, fmt.Errorf("--service-node-port-range: %w", err)
	}
	s.ips = allocator.NewIPAllocator(client, "/registry/allocations/serviceips/", ipRange)
	s.ports = allocator.NewPortAllocator(client, "/registry/allocations/servicenodeports/", portRange)
	s.registry = registry.New(registry.Config{
		Scheme:           s.scheme,
		Stores:           s.stores,
		Validator:        validator{},
		Defaulter:        defaults.Default,
		ServiceIPs:       ipAllocator{s.ips},
		ServiceNodePorts: portAllocator{s.ports},
		Logger:           log,
	})
	s.handler = s.routes(ctx)
	return s, nil
}

type validator struct{}

func (validator) Validate(obj metaObject) fieldErrors { return validation.Validate(obj) }
func (validator) ValidateUpdate(obj, old metaObject) fieldErrors {
	return validation.ValidateUpdate(obj, old)
}

func attrsFunc(k *scheme.Kind) func(metaObject) storage.Attrs {
	return func(o metaObject) storage.Attrs {
		return storage.Attrs{Labels: o.GetObjectMeta().Labels, Fields: k.SelectableFields(o)}
	}
}

func (s *Server) closeEtcd() {
	if s.client != nil {
		_ = s.client.Close()
	}
	if s.embedded != nil {
		s.embedded.Close()
	}
}

// Handler is the server's HTTP handler (tests serve it on their own listener).
func (s *Server) Handler() http.Handler { return s.handler }

// Run starts the background loops, bootstraps, serves until ctx ends, then shuts down
// gracefully. If ln is nil it listens on the insecure address and port.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	defer s.closeEtcd()
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	for _, st := range s.raw {
		if err := st.Start(bg); err != nil {
			return err
		}
		defer st.Stop()
	}
	for _, st := range s.raw {
		if err := st.WaitReady(ctx); err != nil {
			return fmt.Errorf("watch cache: %w", err)
		}
	}
	if err := s.registry.Start(bg); err != nil {
		return err
	}
	if s.opts.EtcdCompactionInterval > 0 {
		go etcd.RunCompactor(bg, s.client, s.opts.EtcdCompactionInterval, s.log)
	}
	if err := s.bootstrap(ctx); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	go s.repairLoop(bg)
	close(s.ready)
	if ln == nil {
		var err error
		addr := net.JoinHostPort(s.opts.InsecureBindAddress, strconv.Itoa(s.opts.InsecurePort))
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
	s.listener = ln
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
	// Watches never go idle: end them when shutdown begins so Shutdown can finish.
	srv.RegisterOnShutdown(s.stopWatches)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("serving", "address", ln.Addr().String())
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	stopBG()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// Ready is closed once the server has bootstrapped.
func (s *Server) Ready() <-chan struct{} { return s.ready }
