package allocator

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
)

func mustCIDR(t *testing.T, s string) CIDRRange {
	t.Helper()
	r, err := NewCIDRRange(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustPorts(t *testing.T, s string) PortRange {
	t.Helper()
	r, err := NewPortRange(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func seeded(seed uint64) Option { return WithRand(rand.New(rand.NewPCG(seed, seed))) }

// checkErr asserts err wraps sentinel and carries upstream's exact message.
func checkErr(t *testing.T, what string, err, sentinel error, msg string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: err = %v, want %v", what, err, sentinel)
	}
	if err.Error() != msg {
		t.Errorf("%s: message %q, want %q", what, err.Error(), msg)
	}
}

func TestAllocateIP(t *testing.T) {
	ctx := context.Background()
	cli := startEtcd(t).client()
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	a := NewIPAllocator(cli, ServiceIPsPrefix+"/", mustCIDR(t, "10.254.0.0/16"), WithClock(func() time.Time { return now }))
	ip := netip.MustParseAddr("10.254.0.10")

	if err := a.Allocate(ctx, ip, "default/frontend"); err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	resp, err := cli.Get(ctx, "/registry/allocations/serviceips/10.254.0.10")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("allocation key: %v, %v", resp, err)
	}
	var rec map[string]string
	if err := json.Unmarshal(resp.Kvs[0].Value, &rec); err != nil {
		t.Fatalf("value %s: %v", resp.Kvs[0].Value, err)
	}
	if rec["owner"] != "default/frontend" || rec["time"] != "2024-05-01T12:00:00Z" {
		t.Errorf("value = %s", resp.Kvs[0].Value)
	}

	// The same owner again: idempotent.
	if err := a.Allocate(ctx, ip, "default/frontend"); err != nil {
		t.Errorf("Allocate by the same owner: %v", err)
	}
	// Another owner, through another connection, as another API server would.
	b := NewIPAllocator(startEtcdClientLike(t, cli), ServiceIPsPrefix, mustCIDR(t, "10.254.0.0/16"))
	checkErr(t, "double allocate", b.Allocate(ctx, ip, "default/redis"), ErrAllocated, "provided IP is already allocated")
	var aerr *Error
	if err := b.Allocate(ctx, ip, "default/redis"); !errors.As(err, &aerr) || aerr.Item != "10.254.0.10" {
		t.Errorf("Error.Item: %#v", aerr)
	}

	notInRange := "provided IP is not in the valid range. The range of valid IPs is 10.254.0.0/16"
	for _, s := range []string{"10.255.0.1", "10.254.0.0", "10.254.255.255", "192.168.0.1"} {
		checkErr(t, "allocate "+s, a.Allocate(ctx, netip.MustParseAddr(s), "default/x"), ErrNotInRange, notInRange)
	}
	if err := a.Allocate(ctx, netip.MustParseAddr("10.254.0.11"), ""); err == nil {
		t.Error("Allocate with an empty owner succeeded")
	}
	if n, err := a.Used(ctx); err != nil || n != 1 {
		t.Errorf("Used = %d, %v; want 1", n, err)
	}
}

// startEtcdClientLike is a second connection to the same etcd as cli.
func startEtcdClientLike(t *testing.T, cli *clientv3.Client) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: cli.Endpoints(), DialTimeout: 5 * time.Second, Logger: cli.GetLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestAllocatePort(t *testing.T) {
	ctx := context.Background()
	cli := startEtcd(t).client()
	a := NewPortAllocator(cli, ServiceNodePortsPrefix, mustPorts(t, DefaultNodePortRange))

	if err := a.Allocate(ctx, 30001, "default/frontend"); err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	if resp, err := cli.Get(ctx, "/registry/allocations/servicenodeports/30001"); err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("allocation key: %v, %v", resp, err)
	}
	// One Service may ask for the same port twice (TCP and UDP).
	if err := a.Allocate(ctx, 30001, "default/frontend"); err != nil {
		t.Errorf("Allocate by the same owner: %v", err)
	}
	checkErr(t, "double allocate", a.Allocate(ctx, 30001, "kube-system/dns"), ErrAllocated, "provided port is already allocated")
	notInRange := "provided port is not in the valid range. The range of valid ports is 30000-32767"
	for _, p := range []int{29999, 32768, 80, 0} {
		checkErr(t, fmt.Sprint("allocate ", p), a.Allocate(ctx, p, "default/x"), ErrNotInRange, notInRange)
	}
	for _, p := range []int{30000, 32767} {
		if err := a.Allocate(ctx, p, "default/edge"); err != nil {
			t.Errorf("Allocate(%d): %v", p, err)
		}
	}
	if n, err := a.Used(ctx); err != nil || n != 3 {
		t.Errorf("Used = %d, %v; want 3", n, err)
	}
}

// Two API servers, each with its own connection and allocator, hand out 1000 addresses from
// 20 goroutines between them into a range of 1022: no address may come out twice. The second
// case gives both servers the same random sequence and no random probes, so that they keep
// racing for the same free address and the create transaction is all that keeps them apart.
func TestAllocateNextConcurrentNoDuplicates(t *testing.T) {
	e := startEtcd(t)
	tests := []struct {
		name string
		a, b []Option
	}{
		{name: "distinct seeds", a: []Option{seeded(1)}, b: []Option{seeded(2)}},
		{name: "same seed, scan only", a: []Option{seeded(3), WithRandomProbes(0)}, b: []Option{seeded(3), WithRandomProbes(0)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := fmt.Sprintf("%s-%d", ServiceIPsPrefix, i)
			testConcurrent(t, e, prefix,
				NewIPAllocator(e.client(), prefix, mustCIDR(t, "10.254.0.0/22"), tt.a...),
				NewIPAllocator(e.client(), prefix, mustCIDR(t, "10.254.0.0/22"), tt.b...))
		})
	}
}

func testConcurrent(t *testing.T, e *testEtcd, prefix string, servers ...*Allocator[netip.Addr]) {
	ctx := context.Background()
	r := mustCIDR(t, "10.254.0.0/22")
	const workers, each = 20, 50

	var mu sync.Mutex
	got := make(map[netip.Addr]string)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			a := servers[w%len(servers)]
			for i := range each {
				owner := fmt.Sprintf("ns/svc-%d-%d", w, i)
				ip, err := a.AllocateNext(ctx, owner)
				if err != nil {
					errs <- fmt.Errorf("worker %d: AllocateNext %d: %w", w, i, err)
					return
				}
				mu.Lock()
				prev, dup := got[ip]
				got[ip] = owner
				mu.Unlock()
				if dup {
					errs <- fmt.Errorf("%s handed out twice: to %s and %s", ip, prev, owner)
					return
				}
				if !r.Contains(ip) {
					errs <- fmt.Errorf("%s is outside %s", ip, r)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(got) != workers*each {
		t.Fatalf("%d distinct addresses, want %d", len(got), workers*each)
	}
	// What etcd recorded agrees with what the callers were told.
	resp, err := e.client().Get(ctx, prefix+"/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != workers*each {
		t.Fatalf("%d keys in etcd, want %d", len(resp.Kvs), workers*each)
	}
	for _, kv := range resp.Kvs {
		ip := netip.MustParseAddr(string(kv.Key[len(prefix)+1:]))
		var rec record
		if err := json.Unmarshal(kv.Value, &rec); err != nil || rec.Owner != got[ip] {
			t.Errorf("%s recorded for %q, handed to %q (%v)", ip, rec.Owner, got[ip], err)
		}
	}

	// The rest of the range goes too, and then it is full for both servers.
	for i := range r.Size() - workers*each {
		if _, err := servers[i%2].AllocateNext(ctx, "ns/rest"); err != nil {
			t.Fatalf("AllocateNext with %d left: %v", r.Size()-workers*each-i, err)
		}
	}
	for _, a := range servers {
		_, err := a.AllocateNext(ctx, "ns/late")
		checkErr(t, "AllocateNext on a full range", err, ErrFull, "range is full")
	}
}

func TestAllocateNextFull(t *testing.T) {
	ctx := context.Background()
	e := startEtcd(t)
	for _, probes := range []int{0, 3, defaultProbes} {
		t.Run(fmt.Sprintf("ips/probes=%d", probes), func(t *testing.T) {
			prefix := fmt.Sprintf("/test/ips-%d", probes)
			r := mustCIDR(t, "192.168.7.0/29")
			a := NewIPAllocator(e.client(), prefix, r, WithRandomProbes(probes), seeded(uint64(probes)))
			seen := map[netip.Addr]bool{}
			for i := range r.Size() {
				ip, err := a.AllocateNext(ctx, fmt.Sprintf("ns/s%d", i))
				if err != nil {
					t.Fatalf("AllocateNext %d: %v", i, err)
				}
				if seen[ip] || !r.Contains(ip) {
					t.Fatalf("AllocateNext %d = %s: duplicate or out of range (have %v)", i, ip, seen)
				}
				seen[ip] = true
			}
			_, err := a.AllocateNext(ctx, "ns/one-too-many")
			checkErr(t, "full /29", err, ErrFull, "range is full")
		})
		t.Run(fmt.Sprintf("ports/probes=%d", probes), func(t *testing.T) {
			prefix := fmt.Sprintf("/test/ports-%d", probes)
			r := mustPorts(t, "30000-30004")
			a := NewPortAllocator(e.client(), prefix, r, WithRandomProbes(probes), seeded(uint64(probes)))
			seen := map[int]bool{}
			for i := range r.Size() {
				p, err := a.AllocateNext(ctx, fmt.Sprintf("ns/s%d", i))
				if err != nil {
					t.Fatalf("AllocateNext %d: %v", i, err)
				}
				if seen[p] || !r.Contains(p) {
					t.Fatalf("AllocateNext %d = %d: duplicate or out of range (have %v)", i, p, seen)
				}
				seen[p] = true
			}
			_, err := a.AllocateNext(ctx, "ns/one-too-many")
			checkErr(t, "full 5-port range", err, ErrFull, "range is full")
		})
	}
	// A range with nothing in it is full from the start.
	_, err := NewPortAllocator(e.client(), "/test/empty", PortRange{}).AllocateNext(ctx, "ns/s")
	checkErr(t, "empty range", err, ErrFull, "range is full")
	if _, err := NewPortAllocator(e.client(), "/test/empty", PortRange{}).AllocateNext(ctx, ""); err == nil {
		t.Error("AllocateNext with an empty owner succeeded")
	}
}

func TestReleaseAndReuse(t *testing.T) {
	ctx := context.Background()
	cli := startEtcd(t).client()
	r := mustPorts(t, "30000+4")
	a := NewPortAllocator(cli, ServiceNodePortsPrefix, r, seeded(7))
	for i := range r.Size() {
		if _, err := a.AllocateNext(ctx, fmt.Sprintf("ns/s%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Release(ctx, 30002); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if n, err := a.Used(ctx); err != nil || n != 4 {
		t.Errorf("Used after release = %d, %v; want 4", n, err)
	}
	// Releasing again, or something never allocated or out of range, is fine.
	for _, p := range []int{30002, 30002, 40000} {
		if err := a.Release(ctx, p); err != nil {
			t.Errorf("Release(%d): %v", p, err)
		}
	}
	// The only free port is the released one.
	p, err := a.AllocateNext(ctx, "ns/new")
	if err != nil || p != 30002 {
		t.Fatalf("AllocateNext after release = %d, %v; want 30002", p, err)
	}
	// An explicit request for a released port by somebody else succeeds too.
	if err := a.Release(ctx, 30004); err != nil {
		t.Fatal(err)
	}
	if err := a.Allocate(ctx, 30004, "other/svc"); err != nil {
		t.Errorf("Allocate a released port: %v", err)
	}
}

func TestNewAllocatorRejectsRootPrefix(t *testing.T) {
	for _, prefix := range []string{"", "/", "//"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPortAllocator(prefix %q) did not panic", prefix)
				}
			}()
			NewPortAllocator(nil, prefix, PortRange{})
		}()
	}
}
