package hostgw

import (
	"context"
	"net/netip"
	"sort"
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

func remote(sub, publicIP string) subnet.Lease {
	return subnet.Lease{Subnet: netip.MustParsePrefix(sub), Attrs: subnet.Attrs{PublicIP: netip.MustParseAddr(publicIP), BackendType: "host-gw"}}
}

func routes(t *testing.T, nl *netlink.Handle, idx int) string {
	t.Helper()
	rs, err := nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{LinkIndex: idx, Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		if r.Gw != nil {
			out = append(out, r.Dst.String()+" via "+r.Gw.String())
		}
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}

func TestHostGWBackend(t *testing.T) {
	lab := nettest.New(t, "10.250")
	h := lab.Hosts(t, 1)[0]
	nl, err := h.Handle()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nl.Close)
	ext, err := underlay.Find(nl, []string{h.Addr.String()}, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Parse([]byte(`{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}`))
	ctx := context.Background()
	be, err := backend.Registry{"host-gw": New}.New(cfg, ext, nl)
	if err != nil {
		t.Fatal(err)
	}
	local, err := be.Prepare(ctx)
	if err != nil || local.MTU != 1500 || len(local.Data) != 0 {
		t.Fatalf("Prepare = %+v, %v", local, err)
	}
	if err := be.Activate(ctx, remote("10.244.1.0/24", h.Addr.String())); err != nil {
		t.Fatal(err)
	}
	// A route an operator added through the same interface, outside the overlay: not ours.
	gw := lab.RootAddr.String()
	if err := h.Run("ip", "route", "add", "192.168.77.0/24", "via", gw); err != nil {
		t.Fatal(err)
	}
	peer2 := netip.MustParsePrefix(lab.Subnet.String()).Addr().Next().Next().String()
	peer3 := netip.MustParseAddr(peer2).Next().String()
	own := remote("10.244.1.0/24", h.Addr.String())
	b, c := remote("10.244.2.0/24", peer2), remote("10.244.3.0/24", peer3)
	vx := subnet.Lease{Subnet: netip.MustParsePrefix("10.244.4.0/24"), Attrs: subnet.Attrs{PublicIP: netip.MustParseAddr(peer3), BackendType: "vxlan"}}
	if err := be.Reconcile(ctx, []subnet.Lease{own, b, c, vx}); err != nil {
		t.Fatal(err)
	}
	want := "10.244.2.0/24 via " + peer2 + "|10.244.3.0/24 via " + peer3 + "|192.168.77.0/24 via " + gw
	if got := routes(t, nl, ext.Index); got != want {
		t.Errorf("routes = %s\nwant %s", got, want)
	}
	// C moves; B leaves.
	c2 := remote("10.244.3.0/24", gw)
	if err := be.Reconcile(ctx, []subnet.Lease{c2}); err != nil {
		t.Fatal(err)
	}
	want = "10.244.3.0/24 via " + gw + "|192.168.77.0/24 via " + gw
	if got := routes(t, nl, ext.Index); got != want {
		t.Errorf("routes = %s\nwant %s", got, want)
	}
	if err := be.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := routes(t, nl, ext.Index); got != "192.168.77.0/24 via "+gw {
		t.Errorf("routes after all left = %s", got)
	}
}
