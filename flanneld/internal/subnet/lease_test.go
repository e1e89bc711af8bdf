package subnet

import (
	"net/netip"
	"testing"
)

func TestSubnetKey(t *testing.T) {
	for in, want := range map[string]string{
		"172.17.23.0/24": "172.17.23.0-24",
		"10.0.0.0/8":     "10.0.0.0-8",
		"10.1.2.64/26":   "10.1.2.64-26",
	} {
		p := netip.MustParsePrefix(in)
		if got := SubnetKey(p); got != want {
			t.Errorf("SubnetKey(%s) = %q, want %q", in, got, want)
		}
		back, err := ParseSubnetKey("/coreos.com/network/subnets/" + want)
		if err != nil || back != p {
			t.Errorf("ParseSubnetKey(%q) = %v, %v; want %s", want, back, err, p)
		}
	}
	for _, bad := range []string{"172.17.23.0", "172.17.23.0-33", "x-24", "172.17.23.1-24", "fd00::-64", "172.17.23.0-x"} {
		if p, err := ParseSubnetKey(bad); err == nil {
			t.Errorf("ParseSubnetKey(%q) = %s, want an error", bad, p)
		}
	}
}

func TestAttrsJSON(t *testing.T) {
	a := Attrs{PublicIP: netip.MustParseAddr("10.250.1.2"), BackendType: "vxlan", BackendData: []byte(`{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}`)}
	b, err := EncodeAttrs(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"PublicIP":"10.250.1.2","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}}`
	if string(b) != want {
		t.Errorf("EncodeAttrs =\n %s\nwant\n %s", b, want)
	}
	back, err := DecodeAttrs(b)
	if err != nil || !back.Equal(a) {
		t.Errorf("DecodeAttrs = %+v, %v; want %+v", back, err, a)
	}

	// What flannel itself writes decodes too (PublicIPv6 null, spacing, field order).
	flannel := `{"PublicIP":"10.250.1.3", "PublicIPv6":null, "BackendType":"host-gw","BackendData":null}`
	got, err := DecodeAttrs([]byte(flannel))
	if err != nil || got.PublicIP != netip.MustParseAddr("10.250.1.3") || got.BackendType != "host-gw" {
		t.Errorf("DecodeAttrs(flannel's) = %+v, %v", got, err)
	}
	hostgw, _ := EncodeAttrs(Attrs{PublicIP: netip.MustParseAddr("10.250.1.3"), BackendType: "host-gw"})
	if string(hostgw) != `{"PublicIP":"10.250.1.3","BackendType":"host-gw"}` {
		t.Errorf("host-gw attrs = %s", hostgw)
	}
	if !got.Equal(Attrs{PublicIP: netip.MustParseAddr("10.250.1.3"), BackendType: "host-gw"}) {
		t.Error("null BackendData should equal absent BackendData")
	}

	for _, bad := range []string{`{`, `{"BackendType":"vxlan"}`, `{"PublicIP":"nope"}`} {
		if _, err := DecodeAttrs([]byte(bad)); err == nil {
			t.Errorf("DecodeAttrs(%s) succeeded, want an error", bad)
		}
	}
	if _, err := EncodeAttrs(Attrs{BackendType: "vxlan"}); err == nil {
		t.Error("EncodeAttrs without a public IP succeeded")
	}
}

func TestAttrsEqualIgnoresJSONLayout(t *testing.T) {
	a := Attrs{PublicIP: netip.MustParseAddr("10.0.0.1"), BackendType: "vxlan", BackendData: []byte(`{"VNI":1, "VtepMAC":"aa:bb:cc:dd:ee:ff"}`)}
	b := a
	b.BackendData = []byte(`{"VtepMAC":"aa:bb:cc:dd:ee:ff","VNI":1}`)
	if !a.Equal(b) {
		t.Error("same data in another layout should be equal")
	}
	b.BackendData = []byte(`{"VtepMAC":"aa:bb:cc:dd:ee:00","VNI":1}`)
	if a.Equal(b) {
		t.Error("different MACs should differ")
	}
}

func TestDiff(t *testing.T) {
	a, b, c := lease("10.9.1.0/24", "192.168.0.1"), lease("10.9.2.0/24", "192.168.0.2"), lease("10.9.3.0/24", "192.168.0.3")
	b2 := b
	b2.Attrs.PublicIP = netip.MustParseAddr("192.168.0.22")
	old := map[netip.Prefix]Lease{a.Subnet: a, b.Subnet: b}
	got := Diff(old, []Lease{b2, c})
	want := []Event{{Removed, a}, {Added, b2}, {Added, c}}
	if len(got) != len(want) {
		t.Fatalf("Diff = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Type != want[i].Type || got[i].Lease.Subnet != want[i].Lease.Subnet || !got[i].Lease.Attrs.Equal(want[i].Lease.Attrs) {
			t.Errorf("Diff[%d] = %v %s, want %v %s", i, got[i].Type, got[i].Lease.Subnet, want[i].Type, want[i].Lease.Subnet)
		}
	}
	if evs := Diff(map[netip.Prefix]Lease{a.Subnet: a}, []Lease{a}); len(evs) != 0 {
		t.Errorf("Diff of identical sets = %v, want none", evs)
	}
}
