package proxier

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/kube-proxy/internal/rules"
)

// Kernel is what a sync needs from the machine; *iptables.Runner implements it.
type Kernel interface {
	Restore(ctx context.Context, data []byte) error
	// EnsureJumps makes sure the built-in chains jump to kube-proxy's and returns the
	// KUBE- chains the nat table had.
	EnsureJumps(ctx context.Context) (natChains []string, err error)
	Conntrack(ctx context.Context, args []string) error
	Sysctl(ctx context.Context, setting string) error
}

// NFTKernel is what nftables mode needs from the machine; *nftables.Runner implements it.
type NFTKernel interface {
	Apply(ctx context.Context, script []byte) error
	Objects(ctx context.Context) (chains, sets []string, err error)
}

// Config configures a Proxier.
type Config struct {
	Rules rules.Options
	// Kernel runs conntrack and sysctl, and in iptables mode the iptables commands.
	Kernel Kernel
	// NFT, when set, selects nftables mode: rules go to table ip kube-proxy through nft
	// and Kernel's iptables methods are not used.
	NFT NFTKernel
	// MinSyncPeriod coalesces changes: syncs start at least this far apart (default 1s).
	MinSyncPeriod time.Duration
	// SyncPeriod is the longest time between two syncs (default 30s); a sync with nothing
	// changed writes nothing.
	SyncPeriod time.Duration
	// FullSyncPeriod is the longest time between two full syncs, which rewrite every rule
	// (default 1h, upstream's FullSyncPeriod): 1.7 s of CPU for 10,000 services in
	// nftables mode, several in iptables mode.
	FullSyncPeriod time.Duration
	Logger         *slog.Logger
	// Metrics records the syncs; nil records nothing.
	Metrics *Metrics
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Proxier programs one node's service rules.
type Proxier struct {
	cfg Config

	mu        sync.Mutex
	services  map[string]*core.Service
	endpoints map[string]*core.Endpoints
	changed   map[string]bool
	needFull  bool
	ready     bool // the informers have synced: the maps are complete
	lastOK    time.Time
	lastFull  time.Time // the last successful full sync

	trigger chan struct{}
	// state is only touched by Sync, which Run calls from one goroutine.
	state       *rules.State
	nftState    *rules.NFTState
	localnetSet bool
	warnedScale bool
}

// manyServices is where iptables mode starts to be slow (see docs/kube-proxy.md, "Scale").
const manyServices = 1000

// New returns a Proxier; nothing happens until Run.
func New(cfg Config) *Proxier {
	if cfg.MinSyncPeriod <= 0 {
		cfg.MinSyncPeriod = time.Second
	}
	if cfg.SyncPeriod <= 0 {
		cfg.SyncPeriod = 30 * time.Second
	}
	if cfg.FullSyncPeriod <= 0 {
		cfg.FullSyncPeriod = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Proxier{
		cfg:       cfg,
		services:  map[string]*core.Service{},
		endpoints: map[string]*core.Endpoints{},
		changed:   map[string]bool{},
		needFull:  true,
		trigger:   make(chan struct{}, 1),
	}
}

// ServiceHandler is the informer handler for Services.
func (p *Proxier) ServiceHandler() informer.Handler[*core.Service] {
	return informer.Handler[*core.Service]{
		OnAdd:    func(s *core.Service, _ bool) { p.SetService(s) },
		OnUpdate: func(_, s *core.Service) { p.SetService(s) },
		OnDelete: func(s *core.Service, _ bool) { p.DeleteService(s.Namespace, s.Name) },
	}
}

// EndpointsHandler is the informer handler for Endpoints.
func (p *Proxier) EndpointsHandler() informer.Handler[*core.Endpoints] {
	return informer.Handler[*core.Endpoints]{
		OnAdd:    func(e *core.Endpoints, _ bool) { p.SetEndpoints(e) },
		OnUpdate: func(_, e *core.Endpoints) { p.SetEndpoints(e) },
		OnDelete: func(e *core.Endpoints, _ bool) { p.DeleteEndpoints(e.Namespace, e.Name) },
	}
}

// SetService records a new or changed Service.
func (p *Proxier) SetService(s *core.Service) {
	key := informer.Key(s.Namespace, s.Name)
	p.mu.Lock()
	if old := p.services[key]; old == s || old != nil && old.ResourceVersion != "" && old.ResourceVersion == s.ResourceVersion {
		p.mu.Unlock()
		return // a resync: nothing changed
	}
	p.services[key] = s
	p.markLocked(key)
}

// DeleteService records a deleted Service.
func (p *Proxier) DeleteService(namespace, name string) {
	key := informer.Key(namespace, name)
	p.mu.Lock()
	delete(p.services, key)
	p.markLocked(key)
}

// SetEndpoints records new or changed Endpoints.
func (p *Proxier) SetEndpoints(e *core.Endpoints) {
	key := informer.Key(e.Namespace, e.Name)
	p.mu.Lock()
	if old := p.endpoints[key]; old == e || old != nil && old.ResourceVersion != "" && old.ResourceVersion == e.ResourceVersion {
		p.mu.Unlock()
		return
	}
	p.endpoints[key] = e
	p.markLocked(key)
}

// DeleteEndpoints records deleted Endpoints.
func (p *Proxier) DeleteEndpoints(namespace, name string) {
	key := informer.Key(namespace, name)
	p.mu.Lock()
	delete(p.endpoints, key)
	p.markLocked(key)
}

// markLocked notes key as changed, unlocks, and wakes the loop.
func (p *Proxier) markLocked(key string) {
	p.changed[key] = true
	p.mu.Unlock()
	p.kick()
}

func (p *Proxier) kick() {
	select {
	case p.trigger <- struct{}{}:
	default:
	}
}

// SetReady tells the proxier the informers have synced, so the first sync sees every
// service instead of removing the rules of those not yet listed.
func (p *Proxier) SetReady() {
	p.mu.Lock()
	p.ready = true
	p.mu.Unlock()
	p.kick()
}

// Known returns how many Services and Endpoints the proxier has been told about.
func (p *Proxier) Known() (services, endpoints int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.services), len(p.endpoints)
}

// Healthy reports whether a sync succeeded within twice the sync period (upstream's
// /healthz rule).
func (p *Proxier) Healthy() (bool, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.lastOK.IsZero() && p.cfg.Now().Sub(p.lastOK) < 2*p.cfg.SyncPeriod, p.lastOK
}

// Run syncs until ctx ends: after changes (at most once per MinSyncPeriod) and at least
// every SyncPeriod, fully every FullSyncPeriod (see Sync). It returns when ctx is done.
func (p *Proxier) Run(ctx context.Context) {
	periodic := time.NewTicker(p.cfg.SyncPeriod)
	defer periodic.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.trigger:
		case <-periodic.C:
		}
		// Coalesce: wait out the rest of the minimum period; changes meanwhile join in.
		if wait := p.cfg.MinSyncPeriod - time.Since(last); !last.IsZero() && wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		if err := p.Sync(ctx); err != nil && ctx.Err() == nil {
			p.cfg.Logger.Error("sync proxy rules failed", "err", err)
			// Retry after the minimum period.
			p.kick()
		}
	}
}

// Sync brings the rules up to date once: a partial sync of what changed, or a full one the
// first time, after a failure, and when the last full one is FullSyncPeriod old. Run calls
// it; tests and the benchmark may call it directly, but never concurrently with Run or
// itself.
func (p *Proxier) Sync(ctx context.Context) error {
	p.mu.Lock()
	if !p.ready {
		p.mu.Unlock()
		return nil
	}
	now := p.cfg.Now()
	full := p.needFull || p.state == nil && p.nftState == nil || now.Sub(p.lastFull) >= p.cfg.FullSyncPeriod
	changed := p.changed
	p.changed = map[string]bool{}
	p.needFull = false
	in := rules.Input{Services: maps.Clone(p.services), Endpoints: maps.Clone(p.endpoints), Changed: changed}
	p.mu.Unlock()

	start := time.Now()
	err := p.sync(ctx, in, full)
	if err != nil {
		p.mu.Lock()
		for k := range changed {
			p.changed[k] = true
		}
		p.needFull = true
		p.mu.Unlock()
		p.cfg.Metrics.failed()
		return err
	}
	p.mu.Lock()
	p.lastOK = p.cfg.Now()
	if full {
		p.lastFull = now
	}
	p.mu.Unlock()
	p.cfg.Metrics.synced(time.Since(start), full, p.lastOK)
	return nil
}

func (p *Proxier) sync(ctx context.Context, in rules.Input, full bool) error {
	start := time.Now()
	k := p.cfg.Kernel
	if full {
		in.Changed = nil
		if p.cfg.Rules.LocalhostNodePorts && !p.localnetSet {
			if err := k.Sysctl(ctx, "net.ipv4.conf.all.route_localnet=1"); err != nil {
				return err
			}
			p.localnetSet = true
		}
	}
	var conntrack []rules.ConntrackEntry
	var chains, size int
	var isFull bool
	if p.cfg.NFT != nil {
		if full && p.nftState == nil {
			// What an earlier kube-proxy left; later full syncs know it from their state,
			// since a failed transaction changes nothing.
			var err error
			if in.ExistingChains, in.ExistingSets, err = p.cfg.NFT.Objects(ctx); err != nil {
				return err
			}
		}
		res := rules.BuildNFT(p.cfg.Rules, in, p.nftState)
		if err := p.cfg.NFT.Apply(ctx, res.Script); err != nil {
			return err
		}
		p.nftState = res.State
		p.cfg.Metrics.nftRules(res.Rules)
		conntrack, chains, size, isFull = res.Conntrack, res.ChainsWritten, len(res.Script), res.Full
	} else {
		if full {
			existing, err := k.EnsureJumps(ctx)
			if err != nil {
				return err
			}
			in.ExistingChains = existing
		}
		res := rules.Build(p.cfg.Rules, in, p.state)
		if err := k.Restore(ctx, res.Restore); err != nil {
			return err
		}
		p.state = res.State
		p.cfg.Metrics.rules(res.NATRules, res.FilterRules)
		conntrack, chains, size, isFull = res.Conntrack, res.ChainsWritten, len(res.Restore), res.Full
	}
	for _, c := range conntrack {
		if err := k.Conntrack(ctx, c.Args()); err != nil {
			// The rules are in; a leftover flow is not worth a full resync.
			p.cfg.Logger.Warn("delete stale UDP conntrack entries", "args", c.Args(), "err", err)
		}
	}
	p.cfg.Logger.Debug("synced proxy rules", "full", isFull, "chains", chains,
		"bytes", size, "services", len(in.Services), "took", time.Since(start))
	if p.cfg.NFT == nil && len(in.Services) > manyServices && !p.warnedScale {
		p.warnedScale = true
		p.cfg.Logger.Warn("iptables mode gets slow with this many services: iptables-legacy copies the whole table on every change and iptables-nft loads large tables slowly; --proxy-mode=nftables applies a change in milliseconds",
			"services", len(in.Services), "took", time.Since(start))
	}
	return nil
}
