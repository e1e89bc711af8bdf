package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/vishvananda/netlink"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"seven.dev/flanneld/internal/backend"
	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/ipmasq"
	"seven.dev/flanneld/internal/subnet"
	"seven.dev/flanneld/internal/subnetenv"
	"seven.dev/flanneld/internal/underlay"
)

// Options are flanneld's settings (its flags) and the dependencies it is built from.
type Options struct {
	EtcdEndpoints []string
	EtcdPrefix    string
	EtcdCAFile    string
	EtcdCertFile  string
	EtcdKeyFile   string
	// Ifaces are tried in order (names or addresses); empty means the default route's.
	Ifaces   []string
	PublicIP string
	IPMasq   bool
	// SubnetFile is written with the node's subnet (subnetenv.DefaultPath).
	SubnetFile string
	// HealthzAddr serves /healthz and /metrics; empty disables it.
	HealthzAddr string
	// LeaseTTL is the lease's lifetime (subnet.DefaultTTL); RenewMargin is how long before
	// expiry it is renewed (at most half the TTL).
	LeaseTTL    time.Duration
	RenewMargin time.Duration

	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Backends are the backend types this daemon can run.
	Backends backend.Registry
	// FindInterface picks the external interface; underlay.Find by default.
	FindInterface func(nl *netlink.Handle, ifaces []string, publicIP string) (backend.ExternalInterface, error)
	// IPTables runs iptables for -ip-masq; ipmasq.Exec by default.
	IPTables ipmasq.Runner
	// Netlink programs the kernel; a handle on the current network namespace by default.
	Netlink *netlink.Handle
}

// Timing of the daemon's loops.
const (
	configPoll     = time.Second
	configLogEvery = 5 * time.Second
	configTimeout  = 5 * time.Second // short, so an unreachable etcd is reported soon
	etcdTimeout    = 30 * time.Second
	retryWait      = 5 * time.Second
	resyncEvery    = time.Minute
)

func (o *Options) setDefaults() error {
	if len(o.EtcdEndpoints) == 0 {
		o.EtcdEndpoints = []string{"http://127.0.0.1:2379"}
	}
	if o.EtcdPrefix == "" {
		o.EtcdPrefix = "/coreos.com/network"
	}
	if o.SubnetFile == "" {
		o.SubnetFile = subnetenv.DefaultPath
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = subnet.DefaultTTL
	}
	if o.RenewMargin <= 0 || o.RenewMargin > o.LeaseTTL/2 {
		o.RenewMargin = min(time.Hour, o.LeaseTTL/2)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.FindInterface == nil {
		o.FindInterface = underlay.Find
	}
	if o.IPTables == nil {
		o.IPTables = ipmasq.Exec{}
	}
	if o.Netlink == nil {
		h, err := netlink.NewHandle()
		if err != nil {
			return fmt.Errorf("open netlink: %w", err)
		}
		o.Netlink = h
	}
	return nil
}

// Run is flanneld. It returns nil when ctx ends (SIGTERM), and an error when the node cannot
// get or keep a subnet: no interface, a full network, its subnet taken by another node.
func Run(ctx context.Context, o Options) error {
	if err := o.setDefaults(); err != nil {
		return err
	}
	log := o.Logger
	m := newMetrics()
	if o.HealthzAddr != "" {
		stop, err := serveHTTP(o.HealthzAddr, m, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	cli, err := newEtcdClient(o)
	if err != nil {
		return err
	}
	defer cli.Close()
	mgr := subnet.NewManager(cli, o.EtcdPrefix,
		subnet.WithTTL(o.LeaseTTL), subnet.WithLogger(log),
		subnet.WithErrorHook(func(op string) { m.etcdErrors.WithLabelValues(op).Inc() }))

	n, err := setUp(ctx, o, mgr, m)
	if ctx.Err() != nil {
		// SIGTERM during start-up is a clean stop, whatever step it interrupted.
		log.Info("stopping before start-up finished")
		return nil
	}
	if err != nil {
		return err
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{}, 3)
	go func() {
		defer func() { done <- struct{}{} }()
		if err := n.renewLoop(runCtx); err != nil {
			cancel(err)
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		_ = mgr.WatchLeases(runCtx, n.onEvents)
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		n.syncLoop(runCtx)
	}()
	<-runCtx.Done()
	for range 3 {
		<-done
	}
	if cause := context.Cause(runCtx); ctx.Err() == nil && cause != nil {
		return cause
	}
	log.Info("stopping; the subnet lease, routes and device are kept for the next start", "subnet", n.own().Subnet)
	return nil
}

// setUp takes the node from nothing to holding a lease with its device, subnet file and
// masquerade rules in place.
func setUp(ctx context.Context, o Options, mgr *subnet.Manager, m *metrics) (*node, error) {
	log := o.Logger
	ext, err := o.FindInterface(o.Netlink, o.Ifaces, o.PublicIP)
	if err != nil {
		return nil, fmt.Errorf("external interface: %w", err)
	}
	log.Info("using external interface", "iface", ext.Name, "addr", ext.Addr, "publicIP", ext.PublicIP, "mtu", ext.MTU)

	cfg, err := waitForConfig(ctx, mgr, log, o.EtcdEndpoints)
	if err != nil {
		return nil, err
	}
	log.Info("network config", "network", cfg.Network, "subnetLen", cfg.SubnetLen, "subnetMin", cfg.SubnetMin, "subnetMax", cfg.SubnetMax, "backend", cfg.Backend.Type)

	be, err := o.Backends.New(cfg, ext, o.Netlink)
	if err != nil {
		return nil, err
	}
	local, err := be.Prepare(ctx)
	if err != nil {
		return nil, err
	}
	attrs := subnet.Attrs{PublicIP: ext.PublicIP, BackendType: cfg.Backend.Type, BackendData: local.Data}
	lease, err := acquire(ctx, mgr, cfg, attrs, previousSubnet(o.SubnetFile, cfg, log), log)
	if err != nil {
		return nil, fmt.Errorf("acquire subnet lease: %w", err)
	}
	m.leaseExpiry.Set(float64(lease.Expiration.Unix()))
	log.Info("acquired subnet lease", "subnet", lease.Subnet, "expires", lease.Expiration.Format(time.RFC3339))

	if err := be.Activate(ctx, lease); err != nil {
		return nil, err
	}
	env := subnetenv.ForLease(cfg.Network, lease.Subnet, local.MTU, o.IPMasq)
	if err := subnetenv.Write(o.SubnetFile, env); err != nil {
		return nil, err
	}
	log.Info("wrote subnet file", "path", o.SubnetFile, "subnet", env.Subnet, "mtu", env.MTU)
	if o.IPMasq {
		err = ipmasq.Apply(ctx, o.IPTables, cfg.Network, lease.Subnet)
	} else {
		err = ipmasq.Remove(ctx, o.IPTables)
	}
	if err != nil {
		return nil, err
	}
	n := &node{mgr: mgr, be: be, cfg: cfg, log: log, m: m, kick: make(chan struct{}, 1), dirty: make(chan struct{}, 1), margin: o.RenewMargin}
	n.setLease(lease)
	return n, nil
}

func newEtcdClient(o Options) (*clientv3.Client, error) {
	var tlsCfg *tls.Config
	if o.EtcdCAFile != "" || o.EtcdCertFile != "" || o.EtcdKeyFile != "" {
		info := transport.TLSInfo{CertFile: o.EtcdCertFile, KeyFile: o.EtcdKeyFile, TrustedCAFile: o.EtcdCAFile}
		c, err := info.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("etcd TLS (-etcd-cafile %q, -etcd-certfile %q, -etcd-keyfile %q): %w", o.EtcdCAFile, o.EtcdCertFile, o.EtcdKeyFile, err)
		}
		tlsCfg = c
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   o.EtcdEndpoints,
		DialTimeout: 5 * time.Second,
		TLS:         tlsCfg,
		// flanneld reports etcd trouble in its own log lines and metrics.
		Logger: zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client for %v: %w", o.EtcdEndpoints, err)
	}
	return cli, nil
}

func serveHTTP(addr string, m *metrics, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("healthz/metrics address: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.Handle("/metrics", m.handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("healthz/metrics server stopped", "err", err)
		}
	}()
	log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// waitForConfig polls the config key until it holds a valid config, logging why it waits every
// few seconds. It returns an error only when ctx ends.
func waitForConfig(ctx context.Context, mgr *subnet.Manager, log *slog.Logger, endpoints []string) (*config.Config, error) {
	var lastLog time.Time
	lastErr := ""
	for {
		cctx, cancel := context.WithTimeout(ctx, configTimeout)
		cfg, err := mgr.GetConfig(cctx)
		cancel()
		if err == nil {
			return cfg, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Since(lastLog) >= configLogEvery || err.Error() != lastErr {
			lastLog, lastErr = time.Now(), err.Error()
			switch {
			case errors.Is(err, subnet.ErrNoConfig):
				log.Info("waiting for the network config; create it, e.g. etcdctl put "+mgr.ConfigKey()+` '{"Network":"172.17.0.0/16"}'`, "key", mgr.ConfigKey())
			case errors.Is(err, subnet.ErrInvalidConfig):
				log.Error("network config is invalid; waiting for it to be fixed", "key", mgr.ConfigKey(), "err", err)
			default:
				log.Warn("cannot read the network config from etcd; retrying", "endpoints", endpoints, "err", err)
			}
		}
		subnetSleep(ctx, configPoll)
	}
}

// previousSubnet is the subnet a previous run wrote to the subnet file, if it belongs to the
// configured network.
func previousSubnet(path string, cfg *config.Config, log *slog.Logger) netip.Prefix {
	env, err := subnetenv.Read(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return netip.Prefix{}
	case err != nil:
		log.Warn("ignoring unreadable subnet file", "path", path, "err", err)
		return netip.Prefix{}
	case env.Network != cfg.Network:
		log.Info("subnet file is for another network; not reusing its subnet", "path", path, "fileNetwork", env.Network, "network", cfg.Network)
		return netip.Prefix{}
	}
	return env.Lease()
}

// acquire retries Acquire through etcd trouble; a full network is returned at once.
func acquire(ctx context.Context, mgr *subnet.Manager, cfg *config.Config, attrs subnet.Attrs, previous netip.Prefix, log *slog.Logger) (subnet.Lease, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, etcdTimeout)
		l, err := mgr.Acquire(actx, cfg, attrs, previous)
		cancel()
		if err == nil || errors.Is(err, subnet.ErrNoFreeSubnet) || ctx.Err() != nil {
			return l, err
		}
		log.Warn("acquiring a subnet lease failed; retrying", "err", err)
		subnetSleep(ctx, retryWait)
	}
}

func subnetSleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
