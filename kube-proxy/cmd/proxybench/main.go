// Command proxybench measures kube-proxy's rule syncs at scale: a full sync of N services of
// M endpoints each, applied for real with iptables-restore inside a throwaway network
// namespace, then incremental syncs that change one service's endpoints among them. It needs
// root and removes its namespace when done. `make bench` runs it through deploy/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/kube-proxy/internal/iptables"
	"seven.dev/kube-proxy/internal/proxier"
	"seven.dev/kube-proxy/internal/rules"
)

func main() {
	services := flag.Int("services", 10000, "number of services")
	perService := flag.Int("endpoints", 5, "endpoints per service")
	rounds := flag.Int("incremental", 10, "incremental syncs to time (the median is reported)")
	backend := flag.String("backend", "", `iptables flavour: "" (the system's iptables-restore), "nft" or "legacy"`)
	flag.Parse()
	if err := run(*services, *perService, *rounds, *backend); err != nil {
		fmt.Fprintf(os.Stderr, "proxybench: %v\n", err)
		os.Exit(1)
	}
}

func run(nSvc, nEp, rounds int, backend string) error {
	ns := fmt.Sprintf("kp-bench-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		return fmt.Errorf("create namespace %s (needs root): %v: %s", ns, err, out)
	}
	defer exec.Command("ip", "netns", "del", ns).Run()
	// Interrupted or timed out: still remove the namespace.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		exec.Command("ip", "netns", "del", ns).Run()
		os.Exit(1)
	}()

	ctx := context.Background()
	p := proxier.New(proxier.Config{
		Kernel: iptables.Runner{Prefix: []string{"ip", "netns", "exec", ns}, Backend: backend},
		Rules:  rules.Options{NodeName: "node-1", ClusterCIDR: "10.244.0.0/16", LocalhostNodePorts: true},
	})
	for i := range nSvc {
		name := fmt.Sprintf("svc-%d", i)
		p.SetService(&core.Service{ObjectMeta: meta.ObjectMeta{Namespace: "bench", Name: name},
			Spec: core.ServiceSpec{ClusterIP: fmt.Sprintf("10.254.%d.%d", i/250, i%250+1), Type: core.ServiceTypeNodePort,
				Ports: []core.ServicePort{{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromInt(8080), NodePort: int32(30000 + i%2768)}}}})
		p.SetEndpoints(endpointsFor(name, i, nEp, 0))
	}
	p.SetReady()

	start := time.Now()
	if err := p.Sync(ctx); err != nil {
		return fmt.Errorf("full sync: %w", err)
	}
	full := time.Since(start)
	var inc []time.Duration
	for r := range rounds {
		p.SetEndpoints(endpointsFor(fmt.Sprintf("svc-%d", nSvc/2), nSvc/2, nEp, r+1))
		start = time.Now()
		if err := p.Sync(ctx); err != nil {
			return fmt.Errorf("incremental sync: %w", err)
		}
		inc = append(inc, time.Since(start))
	}
	slices.Sort(inc)
	rulesOut, _ := exec.Command("ip", "netns", "exec", ns, "sh", "-c", iptables.Runner{Backend: backend}.Bin("iptables-save")+" | grep -c '^-A'").Output()
	fmt.Printf("services=%d endpoints/service=%d backend=%q rules applied=%s", nSvc, nEp, backend, rulesOut)
	fmt.Printf("full sync (build + iptables-restore + jumps):  %v (target < 3s)\n", full.Round(time.Millisecond))
	if len(inc) > 0 {
		fmt.Printf("incremental sync, 1 service changed:         median %v, min %v, max %v over %d (target < 100ms)\n",
			inc[len(inc)/2].Round(time.Millisecond), inc[0].Round(time.Millisecond), inc[len(inc)-1].Round(time.Millisecond), len(inc))
	}
	return nil
}

// endpointsFor returns n endpoints for service i; gen shifts one address so each call is a
// real change.
func endpointsFor(name string, i, n, gen int) *core.Endpoints {
	ss := core.EndpointSubset{Ports: []core.EndpointPort{{Name: "http", Port: 8080, Protocol: core.ProtocolTCP}}}
	for j := range n {
		host := i%250 + 1
		if j == 0 {
			host = (host + gen) % 250
		}
		ss.Addresses = append(ss.Addresses, core.EndpointAddress{IP: fmt.Sprintf("10.%d.%d.%d", 100+j, i/250, host)})
	}
	return &core.Endpoints{ObjectMeta: meta.ObjectMeta{Namespace: "bench", Name: name}, Subsets: []core.EndpointSubset{ss}}
}
