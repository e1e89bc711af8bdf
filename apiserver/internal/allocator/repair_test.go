package allocator

import (
	"context"
	"encoding/json"
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRepair(t *testing.T) {
	ctx := context.Background()
	cli := startEtcd(t).client()
	clock := &fakeClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	r := mustCIDR(t, "10.254.0.0/16")
	a := NewIPAllocator(cli, ServiceIPsPrefix, r, WithClock(clock.Now))
	alloc := func(ip, owner string) {
		t.Helper()
		if err := a.Allocate(ctx, netip.MustParseAddr(ip), owner); err != nil {
			t.Fatalf("Allocate(%s, %s): %v", ip, owner, err)
		}
	}
	put := func(key, val string) {
		t.Helper()
		if _, err := cli.Put(ctx, key, val); err != nil {
			t.Fatal(err)
		}
	}

	// Old allocations, made ten minutes before the repair.
	alloc("10.254.0.1", "default/kubernetes")              // in use: kept
	alloc("10.254.0.20", "default/crashed")                // a create that never stored its Service: released
	alloc("10.254.0.21", "default/old-name")               // in use by someone else: reowned
	put(ServiceIPsPrefix+"/10.254.0.22", "not json")       // unreadable, unused: released
	put(ServiceIPsPrefix+"/10.100.0.5", `{"owner":"a/b"}`) // from an older, different range, unused: released
	put(ServiceIPsPrefix+"/10.100.0.6", `{"owner":"a/c"}`) // from an older range but still used: kept
	put(ServiceIPsPrefix+"/not-an-ip", "{}")               // not ours to judge: kept
	put(ServiceIPsPrefix+"x/10.254.0.23", "{}")            // a sibling prefix: untouched
	clock.Step(10 * time.Minute)
	// Young allocations: creates that may still be in flight.
	alloc("10.254.0.30", "default/in-flight")  // unused but young: kept
	alloc("10.254.0.31", "default/also-young") // used by another owner but young: kept as is

	inUse := map[string]string{
		"10.254.0.1":  "default/kubernetes",
		"10.254.0.21": "default/frontend",
		"10.254.0.31": "default/other",
		"10.254.0.40": "default/redis", // never recorded: restored
		"10.100.0.6":  "a/c",           // outside the range
		"10.99.0.1":   "a/d",           // outside the range, no record: not restored
		"bogus":       "a/e",
	}
	rep, err := a.Repair(ctx, inUse, 5*time.Minute)
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	want := RepairReport{
		Released: []Allocation{
			{Item: "10.100.0.5", Owner: "a/b"},
			{Item: "10.254.0.20", Owner: "default/crashed"},
			{Item: "10.254.0.22", Owner: ""},
		},
		Restored:   []Allocation{{Item: "10.254.0.40", Owner: "default/redis"}},
		Reowned:    []Allocation{{Item: "10.254.0.21", Owner: "default/frontend"}},
		NotInRange: []Allocation{{Item: "10.100.0.6", Owner: "a/c"}, {Item: "10.99.0.1", Owner: "a/d"}},
		Invalid:    []Allocation{{Item: "bogus", Owner: "a/e"}},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report:\n got %+v\nwant %+v", rep, want)
	}

	owners := func() map[string]string {
		t.Helper()
		resp, err := cli.Get(ctx, "/registry/allocations/", clientv3.WithPrefix())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, kv := range resp.Kvs {
			var rec record
			_ = json.Unmarshal(kv.Value, &rec)
			m[string(kv.Key)] = rec.Owner
		}
		return m
	}
	p := ServiceIPsPrefix + "/"
	wantKeys := map[string]string{
		p + "10.254.0.1":                   "default/kubernetes",
		p + "10.254.0.21":                  "default/frontend",
		p + "10.254.0.30":                  "default/in-flight",
		p + "10.254.0.31":                  "default/also-young",
		p + "10.254.0.40":                  "default/redis",
		p + "10.100.0.6":                   "a/c",
		p + "not-an-ip":                    "",
		ServiceIPsPrefix + "x/10.254.0.23": "",
	}
	if got := owners(); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("keys after repair:\n got %v\nwant %v", got, wantKeys)
	}
	// The stale owner can no longer claim the reowned address.
	checkErr(t, "stale owner", a.Allocate(ctx, netip.MustParseAddr("10.254.0.21"), "default/old-name"),
		ErrAllocated, "provided IP is already allocated")

	// Later, the young ones have aged: the in-flight create never stored its Service.
	clock.Step(10 * time.Minute)
	rep, err = a.Repair(ctx, inUse, 5*time.Minute)
	if err != nil {
		t.Fatalf("second Repair: %v", err)
	}
	want = RepairReport{
		Released:   []Allocation{{Item: "10.254.0.30", Owner: "default/in-flight"}},
		Reowned:    []Allocation{{Item: "10.254.0.31", Owner: "default/other"}},
		NotInRange: want.NotInRange,
		Invalid:    want.Invalid,
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("second report:\n got %+v\nwant %+v", rep, want)
	}
	// Nothing left to do: a third run changes nothing.
	clock.Step(10 * time.Minute)
	rep, err = a.Repair(ctx, inUse, 5*time.Minute)
	if err != nil || len(rep.Released)+len(rep.Restored)+len(rep.Reowned) != 0 {
		t.Errorf("third Repair = %+v, %v; want no changes", rep, err)
	}
	if n, err := a.Used(ctx); err != nil || n != 6 {
		t.Errorf("Used = %d, %v; want 6", n, err)
	}
}

func TestRepairPorts(t *testing.T) {
	ctx := context.Background()
	cli := startEtcd(t).client()
	clock := &fakeClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	a := NewPortAllocator(cli, ServiceNodePortsPrefix, mustPorts(t, "30000-30004"), WithClock(clock.Now))
	for _, p := range []int{30000, 30001} {
		if err := a.Allocate(ctx, p, "ns/svc"); err != nil {
			t.Fatal(err)
		}
	}
	clock.Step(time.Hour)
	rep, err := a.Repair(ctx, map[string]string{"30001": "ns/svc", "30003": "ns/other", "80": "ns/low"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := RepairReport{
		Released:   []Allocation{{Item: "30000", Owner: "ns/svc"}},
		Restored:   []Allocation{{Item: "30003", Owner: "ns/other"}},
		NotInRange: []Allocation{{Item: "80", Owner: "ns/low"}},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report:\n got %+v\nwant %+v", rep, want)
	}
	checkErr(t, "restored port", a.Allocate(ctx, 30003, "ns/thief"), ErrAllocated, "provided port is already allocated")
}
