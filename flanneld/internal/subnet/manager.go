package subnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/flanneld/internal/config"
)

// DefaultTTL is how long a lease lives without renewal, as in flannel.
const DefaultTTL = 24 * time.Hour

// maxClaimAttempts bounds how often Acquire retries after losing a race for a subnet. Every lost
// race means another node won one, so a few dozen attempts cover any realistic start-up storm.
const maxClaimAttempts = 64

var (
	// ErrNoConfig means <prefix>/config does not exist (yet).
	ErrNoConfig = errors.New("network config not found")
	// ErrInvalidConfig means <prefix>/config exists but cannot be used.
	ErrInvalidConfig = errors.New("invalid network config")
	// ErrSubnetLost means the node's subnet now belongs to another node, so this one cannot
	// keep it: its pods' addresses are no longer its own.
	ErrSubnetLost = errors.New("subnet lease lost to another node")
)

// Manager keeps a node's lease in etcd and reads everyone else's.
type Manager struct {
	cli    *clientv3.Client
	prefix string
	ttl    time.Duration
	log    *slog.Logger
	onErr  func(op string)
	now    func() time.Time

	mu  sync.Mutex // guards rnd
	rnd *rand.Rand
}

// Option configures a Manager.
type Option func(*Manager)

// WithTTL sets the lease TTL (DefaultTTL otherwise). etcd rounds it up to whole seconds and to
// its own minimum.
func WithTTL(d time.Duration) Option { return func(m *Manager) { m.ttl = d } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(m *Manager) { m.log = l } }

// WithErrorHook is called with the operation's name ("list", "txn", "watch", ...) whenever an
// etcd call fails; the daemon counts them in a metric.
func WithErrorHook(f func(op string)) Option { return func(m *Manager) { m.onErr = f } }

// WithRand seeds the choice among free subnets, for reproducible tests.
func WithRand(r *rand.Rand) Option { return func(m *Manager) { m.rnd = r } }

// NewManager returns a Manager for the network under prefix (e.g. /coreos.com/network).
func NewManager(cli *clientv3.Client, prefix string, opts ...Option) *Manager {
	m := &Manager{
		cli:    cli,
		prefix: strings.TrimSuffix(prefix, "/"),
		ttl:    DefaultTTL,
		log:    slog.New(slog.DiscardHandler),
		onErr:  func(string) {},
		now:    time.Now,
		rnd:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// ConfigKey is where the network config lives.
func (m *Manager) ConfigKey() string { return m.prefix + "/config" }

// SubnetsPrefix is the directory of leases, with its trailing slash.
func (m *Manager) SubnetsPrefix() string { return m.prefix + "/subnets/" }

// Key is the key of the lease on p.
func (m *Manager) Key(p netip.Prefix) string { return m.SubnetsPrefix() + SubnetKey(p) }

func (m *Manager) fail(op string, err error) error {
	if err != nil && !errors.Is(err, context.Canceled) {
		m.onErr(op)
	}
	return err
}

// GetConfig reads and parses the network config. It returns an error wrapping ErrNoConfig
// when the key is missing and ErrInvalidConfig when the document is unusable.
func (m *Manager) GetConfig(ctx context.Context) (*config.Config, error) {
	resp, err := m.cli.Get(ctx, m.ConfigKey())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", m.ConfigKey(), m.fail("get_config", err))
	}
	if len(resp.Kvs) == 0 {
		return nil, fmt.Errorf("%s: %w", m.ConfigKey(), ErrNoConfig)
	}
	cfg, err := config.Parse(resp.Kvs[0].Value)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %w", ErrInvalidConfig, m.ConfigKey(), err)
	}
	return cfg, nil
}

// Leases lists every lease and the etcd revision the list was read at. Malformed entries are
// logged and skipped.
func (m *Manager) Leases(ctx context.Context) ([]Lease, int64, error) {
	resp, err := m.cli.Get(ctx, m.SubnetsPrefix(), clientv3.WithPrefix())
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", m.SubnetsPrefix(), m.fail("list", err))
	}
	out := make([]Lease, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		l, err := leaseFromKV(kv.Key, kv.Value, kv.Lease, kv.ModRevision)
		if err != nil {
			m.log.Warn("skipping malformed subnet lease", "key", string(kv.Key), "err", err)
			continue
		}
		out = append(out, l)
	}
	return out, resp.Header.Revision, nil
}

func leaseFromKV(key, value []byte, etcdLease, modRev int64) (Lease, error) {
	p, err := ParseSubnetKey(string(key))
	if err != nil {
		return Lease{}, err
	}
	a, err := DecodeAttrs(value)
	if err != nil {
		return Lease{}, err
	}
	return Lease{Subnet: p, Attrs: a, EtcdLease: clientv3.LeaseID(etcdLease), ModRevision: modRev}, nil
}

// Acquire gets the node a subnet: previous (read from the node's subnet file) if still free or
// still its own, else the lease that carries the node's public IP, else a free one. It
// publishes attrs in the lease. Losing a race to another node is retried; a full network is
// an error wrapping ErrNoFreeSubnet.
func (m *Manager) Acquire(ctx context.Context, cfg *config.Config, attrs Attrs, previous netip.Prefix) (Lease, error) {
	value, err := EncodeAttrs(attrs)
	if err != nil {
		return Lease{}, err
	}
	for attempt := 1; ; attempt++ {
		leases, _, err := m.Leases(ctx)
		if err != nil {
			return Lease{}, err
		}
		m.mu.Lock()
		choice, err := Choose(cfg, leases, attrs.PublicIP, previous, m.rnd)
		m.mu.Unlock()
		if err != nil {
			return Lease{}, err
		}
		l, won, err := m.claim(ctx, choice, attrs, value)
		if err != nil {
			return Lease{}, err
		}
		if won {
			return l, nil
		}
		if attempt >= maxClaimAttempts {
			return Lease{}, fmt.Errorf("acquire a subnet in %s: lost %d races for one, giving up", cfg.Network, attempt)
		}
		m.log.Debug("another node took the subnet first; choosing again", "subnet", choice.Subnet, "attempt", attempt)
	}
}

// claim writes the lease on c.Subnet under a fresh etcd lease, in a transaction that succeeds
// only if nobody else wrote the key since we looked: absent for a new lease, unchanged for a
// takeover. won is false when another node got there first.
func (m *Manager) claim(ctx context.Context, c Choice, attrs Attrs, value []byte) (l Lease, won bool, err error) {
	key := m.Key(c.Subnet)
	grant, err := m.cli.Grant(ctx, ttlSeconds(m.ttl))
	if err != nil {
		return Lease{}, false, fmt.Errorf("grant etcd lease for %s: %w", key, m.fail("grant", err))
	}
	cmp := clientv3.Compare(clientv3.CreateRevision(key), "=", 0)
	if c.Existing != nil {
		cmp = clientv3.Compare(clientv3.ModRevision(key), "=", c.Existing.ModRevision)
	}
	resp, err := m.cli.Txn(ctx).If(cmp).Then(clientv3.OpPut(key, string(value), clientv3.WithLease(grant.ID))).Commit()
	if err != nil || !resp.Succeeded {
		m.revoke(grant.ID)
		if err != nil {
			return Lease{}, false, fmt.Errorf("write lease %s: %w", key, m.fail("txn", err))
		}
		return Lease{}, false, nil
	}
	if c.Existing != nil && c.Existing.EtcdLease != 0 && c.Existing.EtcdLease != grant.ID {
		// The key moved to the new etcd lease; the old one holds nothing now.
		m.revoke(c.Existing.EtcdLease)
	}
	return Lease{
		Subnet:      c.Subnet,
		Attrs:       attrs,
		Expiration:  m.now().Add(time.Duration(grant.TTL) * time.Second),
		EtcdLease:   grant.ID,
		ModRevision: resp.Header.Revision,
	}, true, nil
}

// revoke drops an etcd lease we no longer need. It is best effort: an unrevoked lease expires.
func (m *Manager) revoke(id clientv3.LeaseID) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := m.cli.Revoke(ctx, id); err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		m.fail("revoke", err)
		m.log.Debug("revoke unused etcd lease", "lease", fmt.Sprintf("%x", int64(id)), "err", err)
	}
}

// Renew extends the node's lease by a full TTL. If the etcd lease has gone (expired, revoked)
// or the key was deleted, it claims the same subnet again; if another node holds it by now,
// the error wraps ErrSubnetLost. The returned lease is always on l.Subnet.
func (m *Manager) Renew(ctx context.Context, l Lease) (Lease, error) {
	key := m.Key(l.Subnet)
	ka, err := m.cli.KeepAliveOnce(ctx, l.EtcdLease)
	switch {
	case err == nil:
		resp, err := m.cli.Get(ctx, key)
		if err != nil {
			return l, fmt.Errorf("read lease %s: %w", key, m.fail("get", err))
		}
		if len(resp.Kvs) == 1 && clientv3.LeaseID(resp.Kvs[0].Lease) == l.EtcdLease {
			l.Expiration = m.now().Add(time.Duration(ka.TTL) * time.Second)
			l.ModRevision = resp.Kvs[0].ModRevision
			return l, nil
		}
		m.revoke(l.EtcdLease)
	case errors.Is(err, rpctypes.ErrLeaseNotFound):
	default:
		return l, fmt.Errorf("renew lease %s: %w", key, m.fail("keepalive", err))
	}
	m.log.Warn("subnet lease is gone from etcd (expired, revoked or deleted); claiming it again", "subnet", l.Subnet)
	return m.Reclaim(ctx, l)
}

// Reclaim writes the node's lease on l.Subnet again after it vanished or changed, unless
// another node has taken the subnet meanwhile (ErrSubnetLost).
func (m *Manager) Reclaim(ctx context.Context, l Lease) (Lease, error) {
	key := m.Key(l.Subnet)
	value, err := EncodeAttrs(l.Attrs)
	if err != nil {
		return l, err
	}
	for attempt := 0; attempt < 3; attempt++ {
		resp, err := m.cli.Get(ctx, key)
		if err != nil {
			return l, fmt.Errorf("read lease %s: %w", key, m.fail("get", err))
		}
		c := Choice{Subnet: l.Subnet}
		if len(resp.Kvs) == 1 {
			kv := resp.Kvs[0]
			cur, err := leaseFromKV(kv.Key, kv.Value, kv.Lease, kv.ModRevision)
			if err == nil && cur.Attrs.PublicIP != l.Attrs.PublicIP {
				return l, fmt.Errorf("%w: %s now belongs to %s", ErrSubnetLost, l.Subnet, cur.Attrs.PublicIP)
			}
			if err != nil {
				cur = Lease{Subnet: l.Subnet, EtcdLease: clientv3.LeaseID(kv.Lease)}
			}
			cur.ModRevision = kv.ModRevision
			c.Existing = &cur
		}
		n, won, err := m.claim(ctx, c, l.Attrs, value)
		if err != nil {
			return l, err
		}
		if won {
			return n, nil
		}
	}
	return l, fmt.Errorf("%w: %s keeps changing under us", ErrSubnetLost, l.Subnet)
}

func ttlSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}
