package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const node = "node-a"

func svc(ns, name, ip string, mutate func(*core.Service), ports ...core.ServicePort) *core.Service {
	s := &core.Service{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name},
		Spec: core.ServiceSpec{ClusterIP: ip, Type: core.ServiceTypeClusterIP, Ports: ports}}
	if mutate != nil {
		mutate(s)
	}
	return s
}

func port(name string, p int32, proto core.Protocol, target intstr.IntOrString, nodePort int32) core.ServicePort {
	return core.ServicePort{Name: name, Port: p, Protocol: proto, TargetPort: target, NodePort: nodePort}
}

// addr is an endpoint address; "ip@node" sets its nodeName.
func addr(s string) core.EndpointAddress {
	ip, nodeName, ok := strings.Cut(s, "@")
	a := core.EndpointAddress{IP: ip}
	if ok {
		a.NodeName = &nodeName
	}
	return a
}

func subset(ports []core.EndpointPort, ips ...string) core.EndpointSubset {
	ss := core.EndpointSubset{Ports: ports}
	for _, ip := range ips {
		ss.Addresses = append(ss.Addresses, addr(ip))
	}
	return ss
}

func eps(ns, name string, subsets ...core.EndpointSubset) *core.Endpoints {
	return &core.Endpoints{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name}, Subsets: subsets}
}

func epPort(name string, p int32, proto core.Protocol) []core.EndpointPort {
	return []core.EndpointPort{{Name: name, Port: p, Protocol: proto}}
}

func input(objs ...any) Input {
	in := Input{Services: map[string]*core.Service{}, Endpoints: map[string]*core.Endpoints{}}
	for _, o := range objs {
		switch o := o.(type) {
		case *core.Service:
			in.Services[o.Namespace+"/"+o.Name] = o
		case *core.Endpoints:
			in.Endpoints[o.Namespace+"/"+o.Name] = o
		}
	}
	return in
}

var defaultOpts = Options{NodeName: node, ClusterCIDR: "10.244.0.0/16", LocalhostNodePorts: true}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	tcp, udp := core.ProtocolTCP, core.ProtocolUDP
	three := []string{"10.244.1.3", "10.244.1.2", "10.244.2.2"}
	timeout := int32(600)
	cases := []struct {
		name string
		opts Options
		in   Input
	}{
		{"clusterip-3-endpoints", defaultOpts, input(
			svc("default", "web", "10.254.0.10", nil, port("", 80, tcp, intstr.FromInt(8080), 0)),
			eps("default", "web", subset(epPort("", 8080, tcp), three...)))},
		{"nodeport", defaultOpts, input(
			svc("default", "frontend", "10.254.0.20", func(s *core.Service) { s.Spec.Type = core.ServiceTypeNodePort },
				port("", 80, tcp, intstr.FromInt(80), 30001)),
			eps("default", "frontend", subset(epPort("", 80, tcp), "10.244.1.5", "10.244.2.5")))},
		{"named-targetport", defaultOpts, input(
			svc("shop", "api", "10.254.0.30", nil, port("http", 80, tcp, intstr.FromString("web"), 0)),
			// Two pod templates name their port "web" on different numbers.
			eps("shop", "api", subset(epPort("http", 8080, tcp), "10.244.1.7"), subset(epPort("http", 9090, tcp), "10.244.2.7")))},
		{"udp", defaultOpts, input(
			svc("kube-system", "dns", "10.254.0.2", nil, port("dns", 53, udp, intstr.FromInt(53), 0), port("dns-tcp", 53, tcp, intstr.FromInt(53), 0)),
			eps("kube-system", "dns", core.EndpointSubset{Addresses: []core.EndpointAddress{addr("10.244.1.9")},
				Ports: []core.EndpointPort{{Name: "dns", Port: 53, Protocol: udp}, {Name: "dns-tcp", Port: 53, Protocol: tcp}}}))},
		{"session-affinity", defaultOpts, input(
			svc("default", "sticky", "10.254.0.40", func(s *core.Service) {
				s.Spec.SessionAffinity = core.ServiceAffinityClientIP
				s.Spec.SessionAffinityConfig = &core.SessionAffinityConfig{ClientIP: &core.ClientIPConfig{TimeoutSeconds: &timeout}}
			}, port("", 80, tcp, intstr.FromInt(80), 0)),
			eps("default", "sticky", subset(epPort("", 80, tcp), "10.244.1.11", "10.244.2.11")))},
		{"no-endpoints", defaultOpts, input(
			svc("default", "empty", "10.254.0.50", func(s *core.Service) {
				s.Spec.Type = core.ServiceTypeNodePort
				s.Spec.ExternalIPs = []string{"192.0.2.50"}
			}, port("", 80, tcp, intstr.FromInt(80), 30050)),
			eps("default", "empty"))},
		{"external-traffic-policy-local", defaultOpts, input(
			svc("default", "local", "10.254.0.60", func(s *core.Service) {
				s.Spec.Type = core.ServiceTypeNodePort
				s.Spec.ExternalTrafficPolicy = core.ServiceExternalTrafficPolicyLocal
			}, port("", 80, tcp, intstr.FromInt(80), 30060)),
			eps("default", "local", subset(epPort("", 80, tcp), "10.244.1.12@"+node, "10.244.2.12@node-b", "10.244.1.13@"+node)),
			// No endpoint on this node: external traffic is dropped, local traffic routed.
			svc("default", "remote", "10.254.0.61", func(s *core.Service) {
				s.Spec.Type = core.ServiceTypeNodePort
				s.Spec.ExternalTrafficPolicy = core.ServiceExternalTrafficPolicyLocal
			}, port("", 80, tcp, intstr.FromInt(80), 30061)),
			eps("default", "remote", subset(epPort("", 80, tcp), "10.244.2.13@node-b")))},
		{"external-ips", defaultOpts, input(
			svc("default", "ext", "10.254.0.70", func(s *core.Service) { s.Spec.ExternalIPs = []string{"192.0.2.10", "192.0.2.11"} },
				port("", 8080, tcp, intstr.FromInt(80), 0)),
			eps("default", "ext", subset(epPort("", 80, tcp), "10.244.1.14")))},
		{"no-cluster-cidr-masquerade-host", Options{NodeName: node}, input(
			svc("default", "web", "10.254.0.10", nil, port("", 80, tcp, intstr.FromInt(8080), 0)),
			eps("default", "web", subset(epPort("", 8080, tcp), "10.244.1.2")))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Build(tc.opts, tc.in, nil)
			if !res.Full {
				t.Error("first sync was not full")
			}
			checkGolden(t, tc.name, res.Restore)
			nft := BuildNFT(tc.opts, tc.in, nil)
			if !nft.Full {
				t.Error("first nftables sync was not full")
			}
			checkGolden(t, "nft-"+tc.name, nft.Script)
		})
	}
}

// many returns n services of 2 endpoints each, web-0 ... web-(n-1).
func many(n int) Input {
	var objs []any
	for i := range n {
		name := fmt.Sprintf("web-%d", i)
		objs = append(objs,
			svc("default", name, fmt.Sprintf("10.254.1.%d", i+1), nil, port("http", 80, core.ProtocolTCP, intstr.FromInt(8080), 0)),
			eps("default", name, subset(epPort("http", 8080, core.ProtocolTCP), fmt.Sprintf("10.244.1.%d", i+1), fmt.Sprintf("10.244.2.%d", i+1))))
	}
	return input(objs...)
}

func TestIncremental(t *testing.T) {
	in := many(5)
	first := Build(defaultOpts, in, nil)

	// Nothing changed: nothing to write.
	in.Changed = map[string]bool{}
	if res := Build(defaultOpts, in, first.State); len(res.Restore) != 0 || res.Full {
		t.Errorf("no change wrote:\n%s", res.Restore)
	}

	// One endpoint of web-3 replaced: only web-3's chains; KUBE-SERVICES is unchanged.
	in.Endpoints["default/web-3"] = eps("default", "web-3", subset(epPort("http", 8080, core.ProtocolTCP), "10.244.1.4", "10.244.3.4"))
	in.Changed = map[string]bool{"default/web-3": true}
	res := Build(defaultOpts, in, first.State)
	checkGolden(t, "incremental-endpoint-changed", res.Restore)

	// web-1 deleted: KUBE-SERVICES rewritten, web-1's chains deleted.
	delete(in.Services, "default/web-1")
	delete(in.Endpoints, "default/web-1")
	in.Changed = map[string]bool{"default/web-1": true}
	res2 := Build(defaultOpts, in, res.State)
	checkGolden(t, "incremental-service-deleted", res2.Restore)

	// A full sync of the same state over the partial results gives what a fresh build does.
	in.Changed = nil
	if a, b := Build(defaultOpts, in, res2.State), Build(defaultOpts, in, nil); string(a.Restore) != string(b.Restore) || a.NATRules != b.NATRules {
		t.Errorf("full sync after partial ones differs from a fresh one:\n%s\n----\n%s", a.Restore, b.Restore)
	}
}

func TestFullSyncDeletesLeftovers(t *testing.T) {
	in := many(1)
	in.ExistingChains = []string{"KUBE-SERVICES", "KUBE-SVC-AAAAAAAAAAAAAAAA", "KUBE-SEP-BBBBBBBBBBBBBBBB", "OTHER-CHAIN"}
	out := string(Build(defaultOpts, in, nil).Restore)
	for _, want := range []string{"-X KUBE-SVC-AAAAAAAAAAAAAAAA\n", "-X KUBE-SEP-BBBBBBBBBBBBBBBB\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, "-X KUBE-SERVICES") || strings.Contains(out, "OTHER-CHAIN") {
		t.Errorf("deletes a chain it does not own:\n%s", out)
	}
}

func TestChainNamesMatchUpstream(t *testing.T) {
	// The names upstream's proxier tests expect for the same service port and endpoint.
	if svc, _, _ := serviceChains("ns1/svc1:p80", "tcp"); svc != "KUBE-SVC-XPGD46QRK7WJZT7O" {
		t.Errorf("service chain %q", svc)
	}
	if sep := endpointChain("ns1/svc1:p80", "tcp", "10.180.0.1:80"); sep != "KUBE-SEP-SXIVWICOYRO3J4NJ" {
		t.Errorf("endpoint chain %q", sep)
	}
}

func TestConntrackOnUDPEndpointRemoved(t *testing.T) {
	udp := core.ProtocolUDP
	s := svc("default", "dns", "10.254.0.2", func(s *core.Service) { s.Spec.Type = core.ServiceTypeNodePort },
		port("", 53, udp, intstr.FromInt(53), 30053))
	in := input(s, eps("default", "dns", subset(epPort("", 53, udp), "10.244.1.2", "10.244.1.3")))
	first := Build(defaultOpts, in, nil)
	in.Endpoints["default/dns"] = eps("default", "dns", subset(epPort("", 53, udp), "10.244.1.2"))
	in.Changed = map[string]bool{"default/dns": true}
	got := Build(defaultOpts, in, first.State).Conntrack
	want := []ConntrackEntry{{OrigPortDst: 30053, DstNAT: "10.244.1.3"}, {OrigDst: "10.254.0.2", DstNAT: "10.244.1.3"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("conntrack = %v, want %v", got, want)
	}
	// Back from no endpoints: flows sent into the void are cleared.
	in.Endpoints["default/dns"] = eps("default", "dns")
	second := Build(defaultOpts, in, first.State)
	in.Endpoints["default/dns"] = eps("default", "dns", subset(epPort("", 53, udp), "10.244.1.2"))
	got = Build(defaultOpts, in, second.State).Conntrack
	want = []ConntrackEntry{{OrigPortDst: 30053}, {OrigDst: "10.254.0.2"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("conntrack = %v, want %v", got, want)
	}
}

// TestConntrackOnTCPFirstEndpoints: a TCP SYN sent to a cluster IP before its service had
// endpoints (or rules) leaves an untranslated entry that would keep the retries so: the first
// endpoints clear the entries to the VIP and node port. A removed TCP endpoint clears nothing.
func TestConntrackOnTCPFirstEndpoints(t *testing.T) {
	tcp := core.ProtocolTCP
	s := svc("default", "redis", "10.254.0.9", func(s *core.Service) { s.Spec.Type = core.ServiceTypeNodePort },
		port("", 6379, tcp, intstr.FromInt(6379), 30079))
	in := input(s, eps("default", "redis"))
	first := Build(defaultOpts, in, nil)
	in.Endpoints["default/redis"] = eps("default", "redis", subset(epPort("", 6379, tcp), "10.244.1.2", "10.244.1.3"))
	in.Changed = map[string]bool{"default/redis": true}
	second := Build(defaultOpts, in, first.State)
	want := []ConntrackEntry{{TCP: true, OrigPortDst: 30079}, {TCP: true, OrigDst: "10.254.0.9"}}
	if fmt.Sprint(second.Conntrack) != fmt.Sprint(want) {
		t.Errorf("first endpoints: conntrack = %v, want %v", second.Conntrack, want)
	}
	if args := strings.Join(want[1].Args(), " "); args != "-D -p tcp --orig-dst 10.254.0.9" {
		t.Errorf("args %q", args)
	}
	in.Endpoints["default/redis"] = eps("default", "redis", subset(epPort("", 6379, tcp), "10.244.1.2"))
	if got := Build(defaultOpts, in, second.State).Conntrack; len(got) != 0 {
		t.Errorf("a TCP endpoint removed: conntrack = %v, want none", got)
	}
}

// TestLargeClusterLeavesEndpointCommentsOut: past 1,000 endpoints, as upstream, the
// KUBE-SEP rules and the KUBE-SVC jumps to them carry no comment; the rest keep theirs.
func TestLargeClusterLeavesEndpointCommentsOut(t *testing.T) {
	for _, tc := range []struct {
		services int
		large    bool
	}{{200, false}, {201, true}} { // 5 endpoints each: 1,000 and 1,005
		out := string(Build(defaultOpts, benchInput(tc.services, 5), nil).Restore)
		var sep, svcJump, services string
		for _, line := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(line, "-A KUBE-SEP-") && sep == "":
				sep = line
			case strings.HasPrefix(line, "-A KUBE-SVC-") && strings.Contains(line, "-j KUBE-SEP-") && svcJump == "":
				svcJump = line
			case strings.HasPrefix(line, "-A KUBE-SERVICES ") && services == "":
				services = line
			}
		}
		for _, line := range []string{sep, svcJump} {
			if line == "" || strings.Contains(line, "--comment") == tc.large {
				t.Errorf("%d services: large=%v but %q", tc.services, tc.large, line)
			}
		}
		if !strings.Contains(services, "--comment") {
			t.Errorf("%d services: KUBE-SERVICES rule without comment: %q", tc.services, services)
		}
	}
}
