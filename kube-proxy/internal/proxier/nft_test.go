package proxier

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"seven.dev/api/core"
)

// TestNFTSharedChains applies, in a namespace (root only), what the nftables traffic test
// does not reach: a service outgrowing the shared lb- chains (its partial sync becomes a
// full one over the live table), moving to chains of its own and back, and a restarted
// proxier deleting the lb- chains nothing needs any more.
func TestNFTSharedChains(t *testing.T) {
	l := newLab(t)
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nftables mode needs nft")
	}
	ips := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("10.244.1.%d", i+1))
		}
		return out
	}
	chains := func() string { return l.run("ip", "netns", "exec", l.node, "nft", "list", "chains", "ip") }

	p := newTestProxier(l, "nftables")
	p.SetService(service("web", "10.254.0.10", 30080, core.ProtocolTCP, 80, 8080))
	p.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, ips(2)...))
	p.SetReady()
	syncOK(t, p)
	if out := chains(); !strings.Contains(out, "lb-node-port-8 ") || strings.Contains(out, "lb-node-port-9 ") {
		t.Fatalf("first sync: want lb- chains for 1 to 8 endpoints:\n%s", out)
	}

	p.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, ips(9)...))
	syncOK(t, p)
	if out := chains(); !strings.Contains(out, "lb-cluster-ip-16 ") {
		t.Fatalf("9 endpoints: want lb- chains up to 16:\n%s", out)
	}
	elems := l.run("ip", "netns", "exec", l.node, "nft", "list", "map", "ip", "kube-proxy", "endpoint-ips")
	if !strings.Contains(elems, "10.254.0.10 . tcp . 80 . 8 : 10.244.1.9 . 8080") {
		t.Errorf("endpoint slot 8 missing:\n%s", elems)
	}

	// ClientIP affinity moves the service to chains of its own, and back.
	sticky := service("web", "10.254.0.10", 30080, core.ProtocolTCP, 80, 8080)
	sticky.Spec.SessionAffinity = core.ServiceAffinityClientIP
	p.SetService(sticky)
	syncOK(t, p)
	if out := chains(); !strings.Contains(out, "service-") || !strings.Contains(out, "endpoint-") {
		t.Fatalf("affinity: want the service's own chains:\n%s", out)
	}
	p.SetService(service("web", "10.254.0.10", 30080, core.ProtocolTCP, 80, 8080))
	syncOK(t, p)
	if out := chains(); strings.Contains(out, "service-") || strings.Contains(out, "endpoint-") {
		t.Fatalf("affinity off: the service's own chains are left:\n%s", out)
	}
	if out := l.run("ip", "netns", "exec", l.node, "nft", "-t", "list", "sets", "ip"); strings.Contains(out, "affinity-") {
		t.Errorf("affinity off: affinity sets are left:\n%s", out)
	}

	p2 := newTestProxier(l, "nftables")
	p2.SetService(service("web", "10.254.0.10", 30080, core.ProtocolTCP, 80, 8080))
	p2.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, ips(3)...))
	p2.SetReady()
	syncOK(t, p2)
	if out := chains(); strings.Contains(out, "lb-cluster-ip-9 ") || !strings.Contains(out, "lb-cluster-ip-8 ") {
		t.Errorf("restart with 3 endpoints: want lb- chains for 1 to 8 only:\n%s", out)
	}
}
