package subnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/flanneld/internal/etcdtest"
)

const prefix = "/coreos.com/network"

func attrs(ip string) Attrs {
	return Attrs{PublicIP: netip.MustParseAddr(ip), BackendType: "vxlan", BackendData: json.RawMessage(`{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:01"}`)}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAcquireWritesLeaseAndReusesIt(t *testing.T) {
	_, cli := etcdtest.New(t)
	ctx := ctxT(t)
	cfg := mustConfig(t, `{"Network":"172.17.0.0/16", "SubnetMin": "172.17.1.0", "SubnetMax": "172.17.254.0"}`)
	m := NewManager(cli, prefix+"/")

	l, err := m.Acquire(ctx, cfg, attrs("10.250.0.1"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Contains(l.Subnet) {
		t.Fatalf("acquired %s, outside the config", l.Subnet)
	}
	key := prefix + "/subnets/" + SubnetKey(l.Subnet)
	resp, err := cli.Get(ctx, key)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("get %s: %v %v", key, resp, err)
	}
	if got, want := string(resp.Kvs[0].Value), `{"PublicIP":"10.250.0.1","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:01"}}`; got != want {
		t.Errorf("lease value = %s, want %s", got, want)
	}
	ttl, err := cli.TimeToLive(ctx, clientv3.LeaseID(resp.Kvs[0].Lease))
	if err != nil || ttl.GrantedTTL != int64(DefaultTTL/time.Second) {
		t.Errorf("lease TTL = %+v, %v; want %d s", ttl, err, int64(DefaultTTL/time.Second))
	}
	if d := time.Until(l.Expiration); d < DefaultTTL-time.Minute || d > DefaultTTL {
		t.Errorf("expiration in %s, want about %s", d, DefaultTTL)
	}

	// Restart with the subnet file: same subnet, new attributes published, one key only.
	a2 := attrs("10.250.0.1")
	a2.BackendData = json.RawMessage(`{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:02"}`)
	again, err := m.Acquire(ctx, cfg, a2, l.Subnet)
	if err != nil || again.Subnet != l.Subnet {
		t.Fatalf("reacquire with previous = %s, %v; want %s", again.Subnet, err, l.Subnet)
	}
	// Restart without the subnet file: found by public IP.
	third, err := m.Acquire(ctx, cfg, a2, netip.Prefix{})
	if err != nil || third.Subnet != l.Subnet {
		t.Fatalf("reacquire by public IP = %s, %v; want %s", third.Subnet, err, l.Subnet)
	}
	leases, _, err := m.Leases(ctx)
	if err != nil || len(leases) != 1 || !leases[0].Attrs.Equal(a2) {
		t.Fatalf("leases = %+v, %v; want one with the new attributes", leases, err)
	}
	// The etcd leases replaced along the way were revoked, not left to expire.
	ll, err := cli.Leases(ctx)
	if err != nil || len(ll.Leases) != 1 {
		t.Errorf("etcd leases = %+v, %v; want exactly one", ll, err)
	}

	// Another node gets another subnet even when it asks for ours.
	other, err := m.Acquire(ctx, cfg, attrs("10.250.0.2"), l.Subnet)
	if err != nil || other.Subnet == l.Subnet {
		t.Fatalf("other node got %s, %v", other.Subnet, err)
	}
}

// Nodes starting at once on a network with exactly as many subnets as nodes all get one.
func TestAcquireConcurrentDistinct(t *testing.T) {
	_, cli := etcdtest.New(t)
	ctx := ctxT(t)
	const n = 20
	cfg := mustConfig(t, fmt.Sprintf(`{"Network":"10.50.0.0/16","SubnetMin":"10.50.1.0","SubnetMax":"10.50.%d.0"}`, n))
	var wg sync.WaitGroup
	got := make([]netip.Prefix, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			m := NewManager(cli, prefix, WithRand(rand.New(rand.NewPCG(uint64(i), 7))))
			l, err := m.Acquire(ctx, cfg, attrs(fmt.Sprintf("10.250.0.%d", i+1)), netip.Prefix{})
			got[i], errs[i] = l.Subnet, err
		})
	}
	wg.Wait()
	seen := map[netip.Prefix]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		if j, dup := seen[got[i]]; dup {
			t.Fatalf("nodes %d and %d both got %s", j, i, got[i])
		}
		seen[got[i]] = i
	}
	_, err := NewManager(cli, prefix).Acquire(ctx, cfg, attrs("10.250.0.99"), netip.Prefix{})
	if !errors.Is(err, ErrNoFreeSubnet) {
		t.Fatalf("21st node: %v, want ErrNoFreeSubnet", err)
	}
}

func TestRenew(t *testing.T) {
	_, cli := etcdtest.New(t)
	ctx := ctxT(t)
	cfg := mustConfig(t, `{"Network":"10.60.0.0/16"}`)
	m := NewManager(cli, prefix, WithTTL(time.Hour))
	l, err := m.Acquire(ctx, cfg, attrs("10.250.0.1"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("extends", func(t *testing.T) {
		r, err := m.Renew(ctx, l)
		if err != nil || r.Subnet != l.Subnet || r.EtcdLease != l.EtcdLease || r.Expiration.Before(l.Expiration) {
			t.Fatalf("Renew = %+v, %v", r, err)
		}
	})
	t.Run("after revoke, claims the same subnet again", func(t *testing.T) {
		if _, err := cli.Revoke(ctx, l.EtcdLease); err != nil {
			t.Fatal(err)
		}
		r, err := m.Renew(ctx, l)
		if err != nil || r.Subnet != l.Subnet || r.EtcdLease == l.EtcdLease {
			t.Fatalf("Renew after revoke = %+v, %v", r, err)
		}
		l = r
	})
	t.Run("after the key is deleted, claims it again", func(t *testing.T) {
		if _, err := cli.Delete(ctx, m.Key(l.Subnet)); err != nil {
			t.Fatal(err)
		}
		r, err := m.Renew(ctx, l)
		if err != nil || r.Subnet != l.Subnet {
			t.Fatalf("Renew after delete = %+v, %v", r, err)
		}
		resp, _ := cli.Get(ctx, m.Key(l.Subnet))
		if len(resp.Kvs) != 1 || clientv3.LeaseID(resp.Kvs[0].Lease) != r.EtcdLease {
			t.Fatalf("key after renew: %+v", resp.Kvs)
		}
		l = r
	})
	t.Run("lost to another node", func(t *testing.T) {
		if _, err := cli.Revoke(ctx, l.EtcdLease); err != nil {
			t.Fatal(err)
		}
		thief := NewManager(cli, prefix)
		if _, err := thief.Acquire(ctx, cfg, attrs("10.250.0.2"), l.Subnet); err != nil {
			t.Fatal(err)
		}
		_, err := m.Renew(ctx, l)
		if !errors.Is(err, ErrSubnetLost) {
			t.Fatalf("Renew = %v, want ErrSubnetLost", err)
		}
	})
}

func TestGetConfig(t *testing.T) {
	_, cli := etcdtest.New(t)
	ctx := ctxT(t)
	m := NewManager(cli, "/atomic.io/network")
	if _, err := m.GetConfig(ctx); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("GetConfig without key = %v, want ErrNoConfig", err)
	}
	etcdtest.Put(t, cli, "/atomic.io/network/config", `{"Network":"172.17.0.0/16",`)
	if _, err := m.GetConfig(ctx); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("GetConfig of bad JSON = %v, want ErrInvalidConfig", err)
	}
	etcdtest.Put(t, cli, "/atomic.io/network/config", `{"Network":"172.17.0.0/16", "SubnetMin": "172.17.1.0", "SubnetMax": "172.17.254.0"}`)
	cfg, err := m.GetConfig(ctx)
	if err != nil || cfg.Capacity() != 254 {
		t.Fatalf("GetConfig = %+v, %v", cfg, err)
	}
}

// eventLog collects WatchLeases' batches for assertions.
type eventLog struct {
	mu  sync.Mutex
	evs []Event
}

func (e *eventLog) add(evs []Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, evs...)
}

// waitFor waits until the log holds an event of type typ for subnet and returns it.
func (e *eventLog) waitFor(t *testing.T, typ EventType, subnet netip.Prefix, pred func(Lease) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		for _, ev := range e.evs {
			if ev.Type == typ && ev.Lease.Subnet == subnet && (pred == nil || pred(ev.Lease)) {
				e.mu.Unlock()
				return
			}
		}
		e.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t.Fatalf("no %v event for %s; got %v", typ, subnet, e.evs)
}

func watch(t *testing.T, m *Manager) *eventLog {
	log := &eventLog{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.WatchLeases(ctx, log.add)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return log
}

func TestWatchLeases(t *testing.T) {
	t.Parallel() // etcd takes seconds to stop while a watch is open
	srv, cli := etcdtest.New(t)
	ctx := ctxT(t)
	cfg := mustConfig(t, `{"Network":"10.70.0.0/16"}`)
	m := NewManager(cli, prefix, WithTTL(2*time.Second))
	first, err := m.Acquire(ctx, cfg, attrs("10.250.0.1"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	log := watch(t, NewManager(cli, prefix))
	log.waitFor(t, Added, first.Subnet, nil) // the initial list

	second, err := m.Acquire(ctx, cfg, attrs("10.250.0.2"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, Added, second.Subnet, nil)

	changed := attrs("10.250.0.2")
	changed.BackendData = json.RawMessage(`{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:99"}`)
	if _, err := m.Acquire(ctx, cfg, changed, second.Subnet); err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, Added, second.Subnet, func(l Lease) bool { return l.Attrs.Equal(changed) })

	if _, err := cli.Revoke(ctx, first.EtcdLease); err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, Removed, first.Subnet, nil)

	// etcd goes away and comes back: the watch resumes and sees what happened meanwhile.
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	third, err := m.Acquire(ctx, cfg, attrs("10.250.0.3"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, Added, third.Subnet, nil)

	// Nobody renews: the 2 s lease expires and the watch reports it.
	log.waitFor(t, Removed, third.Subnet, nil)
}

// A watcher that resumes from a compacted revision lists again and reports the difference.
func TestWatchRelistsAfterCompaction(t *testing.T) {
	_, cli := etcdtest.New(t)
	ctx := ctxT(t)
	cfg := mustConfig(t, `{"Network":"10.80.0.0/16"}`)
	m := NewManager(cli, prefix)
	a, err := m.Acquire(ctx, cfg, attrs("10.250.0.1"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Acquire(ctx, cfg, attrs("10.250.0.2"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	leases, rev, err := m.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// What a watcher knew before it was disconnected...
	w := &watcher{m: m, known: map[netip.Prefix]Lease{}}
	w.replace(leases)
	w.rev = rev
	// ...then another lease comes, one goes, and etcd compacts the history in between.
	// (c is acquired first so that it cannot be handed a's subnet.)
	c, err := m.Acquire(ctx, cfg, attrs("10.250.0.3"), netip.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Revoke(ctx, a.EtcdLease); err != nil {
		t.Fatal(err)
	}
	now, err := cli.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Compact(ctx, now.Header.Revision); err != nil {
		t.Fatal(err)
	}

	log := &eventLog{}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.run(wctx, log.add, false) }()
	t.Cleanup(func() { cancel(); <-done })
	log.waitFor(t, Removed, a.Subnet, nil)
	log.waitFor(t, Added, c.Subnet, nil)
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, ev := range log.evs {
		if ev.Lease.Subnet == b.Subnet {
			t.Errorf("unchanged lease %s reported again: %v", b.Subnet, ev.Type)
		}
	}
}
