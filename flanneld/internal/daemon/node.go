package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sort"
	"sync"
	"time"

	"seven.dev/flanneld/internal/backend"
	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/subnet"
)

// node is the steady state of a running flanneld: its lease, which renewLoop keeps, and the
// other nodes' leases, which the etcd watch feeds and syncLoop hands to the backend.
type node struct {
	mgr    *subnet.Manager
	be     backend.Backend
	cfg    *config.Config
	log    *slog.Logger
	m      *metrics
	margin time.Duration

	kick  chan struct{} // renew now: our lease changed in etcd
	dirty chan struct{} // remotes changed: reconcile

	mu      sync.Mutex
	lease   subnet.Lease
	remotes map[netip.Prefix]subnet.Lease
}

func (n *node) setLease(l subnet.Lease) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lease = l
}

func (n *node) own() subnet.Lease {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lease
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// onEvents folds a batch of lease events into remotes. Events about our own subnet that do not
// match what we hold (deleted, rewritten) make renewLoop look at once.
func (n *node) onEvents(evs []subnet.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	changed := false
	if n.remotes == nil { // the watch's first list: reconcile even if nobody else is there
		n.remotes = map[netip.Prefix]subnet.Lease{}
		changed = true
	}
	for _, ev := range evs {
		l := ev.Lease
		if l.Subnet == n.lease.Subnet {
			if ev.Type == subnet.Removed || !l.Attrs.Equal(n.lease.Attrs) {
				n.log.Warn("our subnet lease changed in etcd; checking it", "subnet", l.Subnet, "event", ev.Type)
				signal(n.kick)
			}
			continue
		}
		switch {
		case ev.Type == subnet.Removed:
			n.log.Info("node left", "subnet", l.Subnet, "publicIP", l.Attrs.PublicIP)
			delete(n.remotes, l.Subnet)
		case l.Attrs.BackendType != n.cfg.Backend.Type:
			n.log.Warn("ignoring a node that runs another backend", "subnet", l.Subnet, "publicIP", l.Attrs.PublicIP, "backend", l.Attrs.BackendType, "ours", n.cfg.Backend.Type)
			delete(n.remotes, l.Subnet)
		default:
			if _, known := n.remotes[l.Subnet]; known {
				n.log.Info("node changed", "subnet", l.Subnet, "publicIP", l.Attrs.PublicIP)
			} else {
				n.log.Info("node joined", "subnet", l.Subnet, "publicIP", l.Attrs.PublicIP)
			}
			n.remotes[l.Subnet] = l
		}
		changed = true
	}
	if changed {
		signal(n.dirty)
	}
}

func (n *node) snapshot() []subnet.Lease {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]subnet.Lease, 0, len(n.remotes))
	for _, l := range n.remotes {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subnet.Addr().Less(out[j].Subnet.Addr()) })
	return out
}

// syncLoop reconciles the backend whenever the remotes change, after a failure (soon), and
// every resyncEvery (to repair anything changed behind our back). It waits for the watch's
// first list so a restart does not drop routes it is about to need again.
func (n *node) syncLoop(ctx context.Context) {
	resync := time.NewTicker(resyncEvery)
	defer resync.Stop()
	var retry <-chan time.Time
	started := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.dirty:
			started = true
		case <-resync.C:
		case <-retry:
		}
		if !started {
			continue
		}
		remotes := n.snapshot()
		n.m.remoteSubnets.Set(float64(len(remotes)))
		if err := n.be.Reconcile(ctx, remotes); err != nil {
			n.m.backendErrors.Inc()
			n.log.Error("programming routes to other nodes failed; retrying", "err", err, "retryIn", retryWait)
			retry = time.After(retryWait)
			continue
		}
		retry = nil
		n.log.Debug("routes in step with leases", "remoteSubnets", len(remotes))
	}
}

// renewLoop renews the lease margin before it expires, or at once when kicked. Losing the
// subnet to another node ends the daemon with ErrSubnetLost.
func (n *node) renewLoop(ctx context.Context) error {
	wait := time.Until(n.own().Expiration) - n.margin
	for {
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-n.kick:
			t.Stop()
		}
		cur := n.own()
		rctx, cancel := context.WithTimeout(ctx, etcdTimeout)
		l, err := n.mgr.Renew(rctx, cur)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, subnet.ErrSubnetLost):
			n.log.Error("subnet lease lost: another node holds our subnet now; restart flanneld to get a new one", "subnet", cur.Subnet, "err", err)
			return err
		case err != nil:
			n.log.Warn("renewing the subnet lease failed; retrying", "subnet", cur.Subnet, "expires", cur.Expiration.Format(time.RFC3339), "err", err, "retryIn", retryWait)
			wait = retryWait
			continue
		}
		n.setLease(l)
		n.m.leaseExpiry.Set(float64(l.Expiration.Unix()))
		n.log.Info("renewed subnet lease", "subnet", l.Subnet, "expires", l.Expiration.Format(time.RFC3339))
		wait = time.Until(l.Expiration) - n.margin
	}
}
