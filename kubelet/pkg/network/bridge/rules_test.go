package bridge

import (
	"net/netip"
	"testing"
)

func TestRules(t *testing.T) {
	got := string(Rules(netip.MustParsePrefix("172.16.23.1/24"), netip.MustParsePrefix("172.16.0.0/16"), true,
		[]HostPort{{Pod: "default/web", PodIP: "172.16.23.5", Protocol: "TCP", HostPort: 8080, ContainerPort: 80},
			{Pod: "default/dns", PodIP: "172.16.23.6", HostIP: "10.0.0.1", Protocol: "UDP", HostPort: 53, ContainerPort: 5353}}))
	want := `*nat
:SEVEN-POSTRTG - [0:0]
:SEVEN-HOSTPORTS - [0:0]
-A SEVEN-POSTRTG -s 172.16.23.0/24 -d 172.16.0.0/16 -j RETURN
-A SEVEN-POSTRTG -s 172.16.23.0/24 ! -d 224.0.0.0/4 -j MASQUERADE
-A SEVEN-HOSTPORTS -d 10.0.0.1/32 -p udp -m udp --dport 53 -m comment --comment "default/dns hostport 53" -j DNAT --to-destination 172.16.23.6:5353
-A SEVEN-HOSTPORTS -p tcp -m tcp --dport 8080 -m comment --comment "default/web hostport 8080" -j DNAT --to-destination 172.16.23.5:80
COMMIT
*filter
:SEVEN-FORWARD - [0:0]
-A SEVEN-FORWARD -s 172.16.23.0/24 -j ACCEPT
-A SEVEN-FORWARD -d 172.16.23.0/24 -j ACCEPT
COMMIT
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := string(Rules(netip.MustParsePrefix("10.0.0.1/24"), netip.Prefix{}, false, nil)); got == "" {
		t.Fatal("empty")
	}
}

func TestParseSubnetEnv(t *testing.T) {
	c, err := ParseSubnetEnv([]byte("FLANNEL_NETWORK=172.16.0.0/16\nFLANNEL_SUBNET=172.16.23.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Network.String() != "172.16.0.0/16" || c.Subnet.String() != "172.16.23.1/24" || c.MTU != 1450 || !c.IPMasq {
		t.Fatalf("%+v", c)
	}
	if _, err := ParseSubnetEnv([]byte("FLANNEL_NETWORK=x\n")); err == nil {
		t.Fatal("no error for a bad file")
	}
}
