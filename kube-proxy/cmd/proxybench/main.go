// Command proxybench measures kube-proxy's rule syncs at scale: a full sync of N services of
// M endpoints each, applied for real (iptables-restore, or nft -f in nftables mode) inside a
// throwaway network namespace per mode, then incremental syncs that change one service's
// endpoints among them. It needs root and removes its namespaces when done. `make bench`
// runs it through deploy/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/kube-proxy/internal/iptables"
	"seven.dev/kube-proxy/internal/nftables"
	"seven.dev/kube-proxy/internal/proxier"
	"seven.dev/kube-proxy/internal/rules"
)

func main() {
	services := flag.Int("services", 10000, "number of services")
	perService := flag.Int("endpoints", 5, "endpoints per service")
	rounds := flag.Int("incremental", 10, "incremental syncs to time (the median is reported)")
	backend := flag.String("backend", "", `iptables flavour: "" (the system's iptables-restore), "nft" or "legacy"`)
	modes := flag.String("modes", "iptables", "comma-separated proxy modes to measure: iptables, nftables")
	flag.Parse()
	for _, mode := range strings.Split(*modes, ",") {
		if mode != "iptables" && mode != "nftables" {
			fmt.Fprintf(os.Stderr, "proxybench: unknown mode %q\n", mode)
			os.Exit(2)
		}
		if err := run(mode, *services, *perService, *rounds, *backend); err != nil {
			fmt.Fprintf(os.Stderr, "proxybench: %s: %v\n", mode, err)
			os.Exit(1)
		}
	}
}

func run(mode string, nSvc, nEp, rounds int, backend string) error {
	ns := fmt.Sprintf("kp-bench-%d-%s", os.Getpid(), mode)
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
	prefix := []string{"ip", "netns", "exec", ns}
	cfg := proxier.Config{
		Kernel: iptables.Runner{Prefix: prefix, Backend: backend},
		Rules:  rules.Options{NodeName: "node-1", ClusterCIDR: "10.244.0.0/16", LocalhostNodePorts: true},
	}
	if mode == "nftables" {
		cfg.NFT = nftables.Runner{Prefix: prefix}
	}
	p := proxier.New(cfg)
	for i := range nSvc {
		name := fmt.Sprintf("svc-%d", i)
		p.SetService(&core.Service{ObjectMeta: meta.ObjectMeta{Namespace: "bench", Name: name},
			Spec: core.ServiceSpec{ClusterIP: fmt.Sprintf("10.254.%d.%d", i/250, i%250+1), Type: core.ServiceTypeNodePort,
				Ports: []core.ServicePort{{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromInt(8080), NodePort: int32(30000 + i%2768)}}}})
		p.SetEndpoints(endpointsFor(name, i, nEp, 0))
	}
	p.SetReady()

	start, cpu0 := time.Now(), cpuTime()
	if err := p.Sync(ctx); err != nil {
		return fmt.Errorf("full sync: %w", err)
	}
	full, fullCPU := time.Since(start), cpuTime()-cpu0
	var inc, incCPU []time.Duration
	for r := range rounds {
		p.SetEndpoints(endpointsFor(fmt.Sprintf("svc-%d", nSvc/2), nSvc/2, nEp, r+1))
		start, cpu0 = time.Now(), cpuTime()
		if err := p.Sync(ctx); err != nil {
			return fmt.Errorf("incremental sync: %w", err)
		}
		inc, incCPU = append(inc, time.Since(start)), append(incCPU, cpuTime()-cpu0)
	}
	slices.Sort(inc)
	slices.Sort(incCPU)
	var count string
	if mode == "nftables" {
		out, _ := exec.Command("ip", "netns", "exec", ns, "sh", "-c", "nft list table ip "+rules.NFTTable+" | grep -c -e ' goto ' -e ' jump ' -e dnat -e masquerade").Output()
		count = "mode=nftables rules with a verdict=" + strings.TrimSpace(string(out))
	} else {
		out, _ := exec.Command("ip", "netns", "exec", ns, "sh", "-c", iptables.Runner{Backend: backend}.Bin("iptables-save")+" | grep -c '^-A'").Output()
		count = fmt.Sprintf("mode=iptables backend=%q rules applied=%s", backend, strings.TrimSpace(string(out)))
	}
	fmt.Printf("services=%d endpoints/service=%d %s\n", nSvc, nEp, count)
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	fmt.Printf("  full sync (build + apply):            %v wall, %v CPU (target < 3s)\n", ms(full), ms(fullCPU))
	if len(inc) > 0 {
		fmt.Printf("  incremental sync, 1 service changed: median %v wall (min %v, max %v), median %v CPU, over %d (target < 100ms)\n",
			ms(inc[len(inc)/2]), ms(inc[0]), ms(inc[len(inc)-1]), ms(incCPU[len(incCPU)/2]), len(inc))
	}
	return nil
}

// cpuTime is the CPU time, user and system, used so far by this process and the commands
// it waited for (iptables-restore, nft, ip netns exec): unlike wall time it does not grow
// when other work shares the machine.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var d time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		d += time.Duration(tv.Nano())
	}
	return d
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
