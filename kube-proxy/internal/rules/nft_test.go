package rules

import (
	"fmt"
	"strings"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

func TestNFTIncremental(t *testing.T) {
	in := many(5)
	first := BuildNFT(defaultOpts, in, nil)

	// Nothing changed: nothing to write.
	in.Changed = map[string]bool{}
	if res := BuildNFT(defaultOpts, in, first.State); len(res.Script) != 0 || res.Full {
		t.Errorf("no change wrote:\n%s", res.Script)
	}

	// One endpoint of web-3 replaced: web-3's chain and hairpin pairs only.
	in.Endpoints["default/web-3"] = eps("default", "web-3", subset(epPort("http", 8080, core.ProtocolTCP), "10.244.1.4", "10.244.3.4"))
	in.Changed = map[string]bool{"default/web-3": true}
	res := BuildNFT(defaultOpts, in, first.State)
	checkGolden(t, "nft-incremental-endpoint-changed", res.Script)

	// web-1 deleted: its map elements and chain go.
	delete(in.Services, "default/web-1")
	delete(in.Endpoints, "default/web-1")
	in.Changed = map[string]bool{"default/web-1": true}
	res2 := BuildNFT(defaultOpts, in, res.State)
	checkGolden(t, "nft-incremental-service-deleted", res2.Script)

	// A full sync of the same state over the partial results gives what a fresh build does.
	in.Changed = nil
	if a, b := BuildNFT(defaultOpts, in, res2.State), BuildNFT(defaultOpts, in, nil); string(a.Script) != string(b.Script) || a.Rules != b.Rules {
		t.Errorf("full sync after partial ones differs from a fresh one:\n%s\n----\n%s", a.Script, b.Script)
	}
}

// TestNFTDuplicateKeys: two services claiming one node port must not make the transaction
// fail (a map holds a key once); the first by key wins, and the other takes over when it
// goes, as with iptables mode's first matching rule.
func TestNFTDuplicateKeys(t *testing.T) {
	np := func(name, ip string) *core.Service {
		return svc("default", name, ip, func(s *core.Service) { s.Spec.Type = core.ServiceTypeNodePort },
			port("", 80, core.ProtocolTCP, intstr.FromInt(80), 30080))
	}
	in := input(np("a", "10.254.0.1"), np("b", "10.254.0.2"),
		eps("default", "a", subset(epPort("", 80, core.ProtocolTCP), "10.244.1.1")),
		eps("default", "b", subset(epPort("", 80, core.ProtocolTCP), "10.244.1.2")))
	first := BuildNFT(defaultOpts, in, nil)
	if n := strings.Count(string(first.Script), "tcp . 30080 : "); n != 1 {
		t.Fatalf("node port 30080 added %d times:\n%s", n, first.Script)
	}
	delete(in.Services, "default/a")
	in.Changed = map[string]bool{"default/a": true}
	got := string(BuildNFT(defaultOpts, in, first.State).Script)
	// Both have one endpoint, so the node port's verdict (goto lb-node-port-1) stays; its
	// endpoint slot moves to b's.
	for _, want := range []string{"delete element ip kube-proxy endpoint-nodeports { tcp . 30080 . 0 }", "add element ip kube-proxy endpoint-nodeports { tcp . 30080 . 0 : 10.244.1.2 . 80 }"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "service-nodeports") {
		t.Errorf("node port verdict rewritten:\n%s", got)
	}
}

func TestNFTFullSyncDeletesLeftovers(t *testing.T) {
	in := many(1)
	in.ExistingChains = []string{"services", "service-AAAAAAAA-default/gone/tcp/80"}
	in.ExistingSets = []string{"hairpin-endpoints", "affinity-BBBBBBBB-default/gone/tcp/80__10.244.1.9/80"}
	out := string(BuildNFT(defaultOpts, in, nil).Script)
	for _, want := range []string{"delete chain ip kube-proxy service-AAAAAAAA-default/gone/tcp/80\n", "delete set ip kube-proxy affinity-BBBBBBBB-default/gone/tcp/80__10.244.1.9/80\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, "delete chain ip kube-proxy services") || strings.Contains(out, "delete set ip kube-proxy hairpin") {
		t.Errorf("deletes a fixed object:\n%s", out)
	}
}

// benchInput is proxybench's cluster: n services of m endpoints, node ports in 30000-32767.
func benchInput(n, m int) Input {
	var objs []any
	for i := range n {
		name := fmt.Sprintf("svc-%d", i)
		s := svc("bench", name, fmt.Sprintf("10.254.%d.%d", i/250, i%250+1), func(s *core.Service) { s.Spec.Type = core.ServiceTypeNodePort },
			port("http", 80, core.ProtocolTCP, intstr.FromInt(8080), int32(30000+i%2768)))
		var ips []string
		for j := range m {
			ips = append(ips, fmt.Sprintf("10.%d.%d.%d", 100+j, i/250, i%250+1))
		}
		objs = append(objs, s, eps("bench", name, subset(epPort("http", 8080, core.ProtocolTCP), ips...)))
	}
	return input(objs...)
}

// The builders alone on proxybench's 10,000 x 5 (go test -bench . -run ^$): the share of a
// sync that is Go, not the kernel or the restore binary.
func BenchmarkBuildFull(b *testing.B) {
	in := benchInput(10000, 5)
	b.Run("iptables", func(b *testing.B) {
		for b.Loop() {
			Build(defaultOpts, in, nil)
		}
	})
	b.Run("nftables", func(b *testing.B) {
		for b.Loop() {
			BuildNFT(defaultOpts, in, nil)
		}
	})
}

func BenchmarkBuildOneChanged(b *testing.B) {
	in := benchInput(10000, 5)
	ipt, nft := Build(defaultOpts, in, nil).State, BuildNFT(defaultOpts, in, nil).State
	in.Changed = map[string]bool{"bench/svc-5000": true}
	in.Endpoints["bench/svc-5000"] = eps("bench", "svc-5000", subset(epPort("http", 8080, core.ProtocolTCP), "10.100.20.99"))
	b.Run("iptables", func(b *testing.B) {
		for b.Loop() {
			Build(defaultOpts, in, ipt)
		}
	})
	b.Run("nftables", func(b *testing.B) {
		for b.Loop() {
			BuildNFT(defaultOpts, in, nft)
		}
	})
}

// TestNFTMoreEndpointsThanSharedChains: only full syncs write the shared lb- chains, so a
// partial sync that needs one for more endpoints than they take becomes a full one.
func TestNFTMoreEndpointsThanSharedChains(t *testing.T) {
	in := many(2)
	first := BuildNFT(defaultOpts, in, nil)
	var ips []string
	for i := range nftLBMin + 1 {
		ips = append(ips, fmt.Sprintf("10.244.3.%d", i+1))
	}
	in.Endpoints["default/web-1"] = eps("default", "web-1", subset(epPort("http", 8080, core.ProtocolTCP), ips...))
	in.Changed = map[string]bool{"default/web-1": true}
	res := BuildNFT(defaultOpts, in, first.State)
	if !res.Full || !strings.Contains(string(res.Script), "add chain ip kube-proxy lb-cluster-ip-16\n") {
		t.Fatalf("9 endpoints: full=%v, want a full sync writing lb-cluster-ip-16:\n%s", res.Full, res.Script)
	}
	// From then on 9 endpoints fit: back to partial syncs.
	in.Endpoints["default/web-0"] = eps("default", "web-0", subset(epPort("http", 8080, core.ProtocolTCP), ips...))
	in.Changed = map[string]bool{"default/web-0": true}
	if res2 := BuildNFT(defaultOpts, in, res.State); res2.Full || strings.Contains(string(res2.Script), "add chain") {
		t.Errorf("second service with 9 endpoints: full=%v:\n%s", res2.Full, res2.Script)
	}
	// A full sync with fewer endpoints deletes the chains nothing may use any more.
	in.Endpoints = many(2).Endpoints
	in.Changed = nil
	out := string(BuildNFT(defaultOpts, in, res.State).Script)
	if !strings.Contains(out, "delete chain ip kube-proxy lb-node-port-16\n") || strings.Contains(out, "delete chain ip kube-proxy lb-node-port-8\n") {
		t.Errorf("full sync back to 2 endpoints does not delete exactly lb-*-9..16:\n%s", out)
	}
}
