package ipam

import (
	"net/netip"
	"testing"
)

func TestNext(t *testing.T) {
	sub := netip.MustParsePrefix("10.1.2.0/29") // .1 gateway, .7 broadcast
	gw := netip.MustParseAddr("10.1.2.1")
	a := netip.MustParseAddr
	for _, tc := range []struct {
		name string
		last string
		used []string
		want string
		ok   bool
	}{
		{"first", "", nil, "10.1.2.2", true},
		{"after last", "10.1.2.3", nil, "10.1.2.4", true},
		{"wraps", "10.1.2.6", nil, "10.1.2.2", true},
		{"skips used", "10.1.2.2", []string{"10.1.2.3", "10.1.2.4"}, "10.1.2.5", true},
		{"full", "10.1.2.2", []string{"10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			used := map[netip.Addr]bool{}
			for _, u := range tc.used {
				used[a(u)] = true
			}
			var last netip.Addr
			if tc.last != "" {
				last = a(tc.last)
			}
			got, ok := Next(sub, gw, last, used)
			if ok != tc.ok || (ok && got != a(tc.want)) {
				t.Fatalf("Next = %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestAllocator(t *testing.T) {
	al := New(t.TempDir(), netip.MustParsePrefix("10.9.0.0/29"))
	seen := map[netip.Addr]bool{}
	for _, o := range []string{"a", "b", "c", "d", "e"} {
		ip, err := al.Allocate(o)
		if err != nil {
			t.Fatal(err)
		}
		if seen[ip] {
			t.Fatalf("%s handed out twice", ip)
		}
		seen[ip] = true
	}
	if _, err := al.Allocate("f"); err == nil {
		t.Fatal("allocated from a full subnet")
	}
	again, _ := al.Allocate("c")
	if !seen[again] {
		t.Fatalf("owner c got a new address %s", again)
	}
	if err := al.Release("c"); err != nil {
		t.Fatal(err)
	}
	if ip, err := al.Allocate("f"); err != nil || ip != again {
		t.Fatalf("after release: %v %v, want %v", ip, err, again)
	}
	if err := al.GC(func(o string) bool { return o == "a" }); err != nil {
		t.Fatal(err)
	}
	owners, _ := al.Owners()
	if len(owners) != 1 {
		t.Fatalf("after GC: %v", owners)
	}
}
