package vxlan

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"seven.dev/flanneld/internal/backend"
	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/nettest"
	"seven.dev/flanneld/internal/subnet"
	"seven.dev/flanneld/internal/underlay"
)

func remote(sub, publicIP, mac string) subnet.Lease {
	data, _ := json.Marshal(LeaseData{VNI: 1, VtepMAC: mac})
	return subnet.Lease{Subnet: netip.MustParsePrefix(sub), Attrs: subnet.Attrs{PublicIP: netip.MustParseAddr(publicIP), BackendType: "vxlan", BackendData: data}}
}

// state is what the device holds, rendered as sorted strings for comparison.
func state(t *testing.T, nl *netlink.Handle, idx int) (routes, neighs, fdb []string) {
	t.Helper()
	rs, err := nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{LinkIndex: idx, Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		onlink := ""
		if r.Flags&int(netlink.FLAG_ONLINK) != 0 {
			onlink = " onlink"
		}
		routes = append(routes, r.Dst.String()+" via "+r.Gw.String()+onlink)
	}
	ns, err := nl.NeighList(idx, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.State&netlink.NUD_PERMANENT != 0 {
			neighs = append(neighs, n.IP.String()+" "+n.HardwareAddr.String())
		}
	}
	fs, err := nl.NeighList(idx, unix.AF_BRIDGE)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range fs {
		fdb = append(fdb, n.HardwareAddr.String()+" dst "+n.IP.String())
	}
	return sortStrings(routes), sortStrings(neighs), sortStrings(fdb)
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func expect(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestVXLANBackend(t *testing.T) {
	lab := nettest.New(t, "10.250")
	h := lab.Hosts(t, 1)[0]
	nl, err := h.Handle()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nl.Close)
	ext, err := underlay.Find(nl, []string{"eth0"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if ext.Addr != h.Addr || ext.PublicIP != h.Addr || ext.MTU != 1500 {
		t.Fatalf("external interface = %+v", ext)
	}
	cfg, _ := config.Parse([]byte(`{"Network":"10.244.0.0/16"}`))
	ctx := context.Background()
	be, err := New(cfg, ext, nl)
	if err != nil {
		t.Fatal(err)
	}
	local, err := be.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if local.MTU != 1450 {
		t.Errorf("MTU = %d, want 1450", local.MTU)
	}
	link, err := nl.LinkByName("flannel.1")
	if err != nil {
		t.Fatal(err)
	}
	vx := link.(*netlink.Vxlan)
	if vx.VxlanId != 1 || vx.Port != 8472 || vx.Learning || vx.MTU != 1450 || !vx.SrcAddr.Equal(ext.Addr.AsSlice()) || vx.VtepDevIndex != ext.Index {
		t.Errorf("device = %+v", vx)
	}
	var data LeaseData
	if err := json.Unmarshal(local.Data, &data); err != nil || data.VtepMAC != vx.HardwareAddr.String() || data.VNI != 1 {
		t.Errorf("lease data %s, device MAC %s", local.Data, vx.HardwareAddr)
	}

	own := subnet.Lease{Subnet: netip.MustParsePrefix("10.244.7.0/24")}
	if err := be.Activate(ctx, own); err != nil {
		t.Fatal(err)
	}
	addrs, _ := nl.AddrList(link, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != "10.244.7.0/32" {
		t.Errorf("device addresses = %v, want 10.244.7.0/32", addrs)
	}
	idx := link.Attrs().Index

	// Two nodes come, and our own lease is in the list too (it must be skipped).
	b := remote("10.244.8.0/24", "10.250.99.2", "02:00:00:00:00:02")
	c := remote("10.244.9.0/24", "10.250.99.3", "02:00:00:00:00:03")
	ownLease := remote("10.244.7.0/24", ext.Addr.String(), vx.HardwareAddr.String())
	if err := be.Reconcile(ctx, []subnet.Lease{ownLease, b, c}); err != nil {
		t.Fatal(err)
	}
	r, n, f := state(t, nl, idx)
	expect(t, "routes", r, "10.244.8.0/24 via 10.244.8.0 onlink", "10.244.9.0/24 via 10.244.9.0 onlink")
	expect(t, "neighbours", n, "10.244.8.0 02:00:00:00:00:02", "10.244.9.0 02:00:00:00:00:03")
	expect(t, "fdb", f, "02:00:00:00:00:02 dst 10.250.99.2", "02:00:00:00:00:03 dst 10.250.99.3")

	// B restarts with a new device (MAC) and C moves to another address.
	b2 := remote("10.244.8.0/24", "10.250.99.2", "02:00:00:00:00:22")
	c2 := remote("10.244.9.0/24", "10.250.99.33", "02:00:00:00:00:03")
	if err := be.Reconcile(ctx, []subnet.Lease{b2, c2}); err != nil {
		t.Fatal(err)
	}
	r, n, f = state(t, nl, idx)
	expect(t, "routes after update", r, "10.244.8.0/24 via 10.244.8.0 onlink", "10.244.9.0/24 via 10.244.9.0 onlink")
	expect(t, "neighbours after update", n, "10.244.8.0 02:00:00:00:00:22", "10.244.9.0 02:00:00:00:00:03")
	expect(t, "fdb after update", f, "02:00:00:00:00:03 dst 10.250.99.33", "02:00:00:00:00:22 dst 10.250.99.2")

	// Reconciling the same set again changes nothing and fails nothing.
	if err := be.Reconcile(ctx, []subnet.Lease{b2, c2}); err != nil {
		t.Fatal(err)
	}

	// flanneld restarts: the device (and its MAC) is adopted, and leftovers of nodes that
	// left while it was down are removed.
	be2, _ := New(cfg, ext, nl)
	local2, err := be2.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(local2.Data) != string(local.Data) {
		t.Errorf("after restart lease data = %s, want %s (device adopted)", local2.Data, local.Data)
	}
	if err := be2.Activate(ctx, own); err != nil {
		t.Fatal(err)
	}
	if err := be2.Reconcile(ctx, []subnet.Lease{c2}); err != nil {
		t.Fatal(err)
	}
	r, n, f = state(t, nl, idx)
	expect(t, "routes after B left", r, "10.244.9.0/24 via 10.244.9.0 onlink")
	expect(t, "neighbours after B left", n, "10.244.9.0 02:00:00:00:00:03")
	expect(t, "fdb after B left", f, "02:00:00:00:00:03 dst 10.250.99.33")

	// A malformed lease is reported, and the others are still programmed.
	bad := remote("10.244.10.0/24", "10.250.99.4", "not-a-mac")
	if err := be2.Reconcile(ctx, []subnet.Lease{c2, bad}); err == nil || !strings.Contains(err.Error(), "not-a-mac") {
		t.Errorf("Reconcile with a bad MAC = %v, want it reported", err)
	}
	r, _, _ = state(t, nl, idx)
	expect(t, "routes with a bad lease", r, "10.244.9.0/24 via 10.244.9.0 onlink")

	if err := be2.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	r, n, f = state(t, nl, idx)
	if len(r)+len(n)+len(f) != 0 {
		t.Errorf("after everyone left: routes %q neighbours %q fdb %q", r, n, f)
	}

	// A device from a run with another port is replaced.
	cfg2, _ := config.Parse([]byte(`{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","Port":4789}}`))
	be3, _ := New(cfg2, ext, nl)
	if _, err := be3.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	link, _ = nl.LinkByName("flannel.1")
	if link.(*netlink.Vxlan).Port != 4789 {
		t.Errorf("device port = %d after reconfiguring to 4789", link.(*netlink.Vxlan).Port)
	}
}

func TestNewRejectsTinyMTU(t *testing.T) {
	cfg, _ := config.Parse([]byte(`{"Network":"10.244.0.0/16"}`))
	if _, err := New(cfg, backend.ExternalInterface{Name: "eth0", MTU: 40}, nil); err == nil {
		t.Error("New with MTU 40 succeeded")
	}
}

func TestPeersOf(t *testing.T) {
	own := netip.MustParsePrefix("10.244.1.0/24")
	hostgw := subnet.Lease{Subnet: netip.MustParsePrefix("10.244.3.0/24"), Attrs: subnet.Attrs{PublicIP: netip.MustParseAddr("10.0.0.3"), BackendType: "host-gw"}}
	peers, skipped := peersOf(own, []subnet.Lease{
		remote("10.244.2.0/24", "10.0.0.2", "02:00:00:00:00:02"),
		remote("10.244.1.0/24", "10.0.0.1", "02:00:00:00:00:01"),
		hostgw,
	})
	if len(peers) != 1 || peers[0].gw != netip.MustParseAddr("10.244.2.0") || peers[0].mac.String() != (net.HardwareAddr{2, 0, 0, 0, 0, 2}).String() {
		t.Errorf("peers = %+v", peers)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "host-gw") {
		t.Errorf("skipped = %v", skipped)
	}
}
