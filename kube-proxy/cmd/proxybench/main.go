// Command proxybench measures kube-proxy's rule syncs at scale: a full sync of N services of
// M endpoints each, applied for real (iptables-restore, or nft -f in nftables mode) inside a
// throwaway network namespace per mode, then incremental syncs that change one service's
// endpoints among them. -runs repeats the whole in fresh namespaces and reports medians,
// with the CPU time of kube-proxy's own process apart from that of the commands it ran,
// and the load average (the machine may be shared). It needs root and removes its
// namespaces when done. `make bench` runs it through deploy/bench.sh.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
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
	rounds := flag.Int("incremental", 10, "incremental syncs to time after each full sync")
	runs := flag.Int("runs", 1, "full syncs to time, each in a fresh namespace (medians are reported)")
	backend := flag.String("backend", "", `iptables flavour: "" (the system's iptables-restore), "nft" or "legacy"`)
	modes := flag.String("modes", "iptables", "comma-separated proxy modes to measure: iptables, nftables")
	flag.Parse()
	for _, mode := range strings.Split(*modes, ",") {
		if mode != "iptables" && mode != "nftables" {
			fmt.Fprintf(os.Stderr, "proxybench: unknown mode %q\n", mode)
			os.Exit(2)
		}
		if err := bench(mode, *services, *perService, *runs, *rounds, *backend); err != nil {
			fmt.Fprintf(os.Stderr, "proxybench: %s: %v\n", mode, err)
			os.Exit(1)
		}
	}
}

// sample is one timed sync: wall time, and CPU time of this process (the rule builder)
// and of the commands it waited for (nft or iptables-restore, and ip netns exec).
type sample struct{ wall, self, children time.Duration }

func (s sample) cpu() time.Duration { return s.self + s.children }

func bench(mode string, nSvc, nEp, runs, rounds int, backend string) error {
	load0 := loadAvg()
	var fulls, incs, restarts []sample
	var count string
	for range max(runs, 1) {
		full, inc, restart, c, err := run(mode, nSvc, nEp, rounds, backend)
		if err != nil {
			return err
		}
		fulls, incs, restarts, count = append(fulls, full), append(incs, inc...), append(restarts, restart), c
	}
	fmt.Printf("services=%d endpoints/service=%d %s\n", nSvc, nEp, count)
	fmt.Printf("  full sync (build + apply), %s (target < 3s)\n", summary(fulls))
	if len(incs) > 0 {
		fmt.Printf("  incremental sync, 1 service changed, %s (target < 100ms)\n", summary(incs))
	}
	fmt.Printf("  full sync over the same rules by a restarted kube-proxy (lists them first), %s\n", summary(restarts))
	fmt.Printf("  load average before / after: %s / %s on %d CPUs\n", load0, loadAvg(), runtime.NumCPU())
	return nil
}

// summary gives medians (and the wall time's range) over samples.
func summary(ss []sample) string {
	med := func(f func(sample) time.Duration) time.Duration {
		ds := make([]time.Duration, len(ss))
		for i, s := range ss {
			ds[i] = f(s)
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	ms := func(d time.Duration) time.Duration {
		if d >= time.Second {
			return d.Round(10 * time.Millisecond)
		}
		return d.Round(100 * time.Microsecond)
	}
	wall := func(s sample) time.Duration { return s.wall }
	w := slices.SortedFunc(slices.Values(ss), func(a, b sample) int { return cmp.Compare(a.wall, b.wall) })
	return fmt.Sprintf("median of %d: %v wall (min %v, max %v); CPU %v = kube-proxy %v + %s %v",
		len(ss), ms(med(wall)), ms(w[0].wall), ms(w[len(w)-1].wall), ms(med(sample.cpu)),
		ms(med(func(s sample) time.Duration { return s.self })), "commands",
		ms(med(func(s sample) time.Duration { return s.children })))
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// run times one full sync in a fresh namespace, then rounds incremental ones, then the
// full sync of a new kube-proxy over those rules.
func run(mode string, nSvc, nEp, rounds int, backend string) (full sample, inc []sample, restart sample, count string, err error) {
	ns := fmt.Sprintf("kp-bench-%d-%s", os.Getpid(), mode)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		return full, nil, restart, "", fmt.Errorf("create namespace %s (needs root): %v: %s", ns, err, out)
	}
	defer exec.Command("ip", "netns", "del", ns).Run()
	// Interrupted or timed out: still remove the namespace.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			exec.Command("ip", "netns", "del", ns).Run()
			os.Exit(1)
		}
	}()
	defer close(sig)

	ctx := context.Background()
	prefix := []string{"ip", "netns", "exec", ns}
	cfg := proxier.Config{
		Kernel: iptables.Runner{Prefix: prefix, Backend: backend},
		Rules:  rules.Options{NodeName: "node-1", ClusterCIDR: "10.244.0.0/16", LocalhostNodePorts: true},
	}
	if mode == "nftables" {
		cfg.NFT = nftables.Runner{Prefix: prefix}
	}
	newProxier := func(gen int) *proxier.Proxier {
		p := proxier.New(cfg)
		for i := range nSvc {
			name := fmt.Sprintf("svc-%d", i)
			p.SetService(&core.Service{ObjectMeta: meta.ObjectMeta{Namespace: "bench", Name: name},
				Spec: core.ServiceSpec{ClusterIP: fmt.Sprintf("10.254.%d.%d", i/250, i%250+1), Type: core.ServiceTypeNodePort,
					Ports: []core.ServicePort{{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromInt(8080), NodePort: int32(30000 + i%2768)}}}})
			g := 0
			if i == nSvc/2 {
				g = gen
			}
			p.SetEndpoints(endpointsFor(name, i, nEp, g))
		}
		p.SetReady()
		return p
	}
	p := newProxier(0)
	timed := func() (sample, error) {
		runtime.GC() // the previous sync's garbage is not this one's work
		start, self0, children0 := time.Now(), cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
		err := p.Sync(ctx)
		return sample{time.Since(start), cpuTime(syscall.RUSAGE_SELF) - self0, cpuTime(syscall.RUSAGE_CHILDREN) - children0}, err
	}
	if full, err = timed(); err != nil {
		return full, nil, restart, "", fmt.Errorf("full sync: %w", err)
	}
	for r := range rounds {
		p.SetEndpoints(endpointsFor(fmt.Sprintf("svc-%d", nSvc/2), nSvc/2, nEp, r+1))
		s, err := timed()
		if err != nil {
			return full, nil, restart, "", fmt.Errorf("incremental sync: %w", err)
		}
		inc = append(inc, s)
	}
	p = newProxier(rounds)
	if restart, err = timed(); err != nil {
		return full, nil, restart, "", fmt.Errorf("full sync after a restart: %w", err)
	}
	if mode == "nftables" {
		out, _ := exec.Command("ip", "netns", "exec", ns, "nft", "list", "table", "ip", rules.NFTTable).Output()
		count = "mode=nftables table ip " + rules.NFTTable + ": " + nftCount(string(out))
	} else {
		out, _ := exec.Command("ip", "netns", "exec", ns, "sh", "-c", iptables.Runner{Backend: backend}.Bin("iptables-save")+" | grep -c '^-A'").Output()
		count = fmt.Sprintf("mode=iptables backend=%q rules applied=%s", backend, strings.TrimSpace(string(out)))
	}
	return full, inc, restart, count, nil
}

// nftCount counts the chains, rules and map or set elements in nft list output.
func nftCount(out string) string {
	var chains, rules, elems int
	inChain, inElems := false, false
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "chain "):
			chains++
			inChain = true
		case strings.HasPrefix(t, "map "), strings.HasPrefix(t, "set "):
			inChain = false
		case strings.HasPrefix(t, "elements = {"):
			inElems = true
			t = strings.TrimPrefix(t, "elements = {")
		}
		if inElems {
			elems += strings.Count(t, ",")
			if strings.HasSuffix(t, "}") {
				elems++ // the last element has no comma
				inElems = false
			}
			continue
		}
		if inChain && t != "" && t != "}" && !strings.HasPrefix(t, "chain ") && !strings.HasPrefix(t, "type ") {
			rules++
		}
	}
	return fmt.Sprintf("%d chains, %d rules, %d map and set elements", chains, rules, elems)
}

// cpuTime is the CPU time, user and system, used so far by this process (RUSAGE_SELF) or
// the commands it waited for (RUSAGE_CHILDREN): unlike wall time it does not grow when
// other work shares the machine.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
