package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"seven.dev/api/client"
	"seven.dev/api/informer"
	"seven.dev/kube-proxy/internal/iptables"
	"seven.dev/kube-proxy/internal/nftables"
	"seven.dev/kube-proxy/internal/proxier"
	"seven.dev/kube-proxy/internal/rules"
)

// Options are kube-proxy's settings, from its flags.
type Options struct {
	Client             client.Config
	Rules              rules.Options
	MinSyncPeriod      time.Duration
	SyncPeriod         time.Duration
	HealthzBindAddress string // "" disables
	MetricsBindAddress string // "" disables
	Logger             *slog.Logger
	// Kernel runs the commands; nil means this network namespace's iptables (tests fake it).
	Kernel proxier.Kernel
	// NFTables selects nftables mode (--proxy-mode=nftables); NFT runs nft, nil meaning
	// this network namespace's.
	NFTables bool
	NFT      proxier.NFTKernel
}

// Cleanup removes every KUBE- chain and jump kube-proxy made, and table ip kube-proxy of
// nftables mode when nft is installed (kube-proxy --cleanup), whichever mode made them.
func Cleanup(ctx context.Context) error {
	err := iptables.Runner{}.Cleanup(ctx)
	if _, lookErr := exec.LookPath("nft"); lookErr == nil {
		err = errors.Join(err, nftables.Runner{}.Cleanup(ctx))
	}
	return err
}

// Run runs kube-proxy until ctx ends.
func Run(ctx context.Context, o Options) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c, err := client.New(o.Client)
	if err != nil {
		return fmt.Errorf("API client: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.Kernel == nil {
		o.Kernel = iptables.Runner{}
	}
	var nft proxier.NFTKernel
	if o.NFTables {
		nft = o.NFT
		if nft == nil {
			nft = nftables.Runner{}
		}
	}
	p := proxier.New(proxier.Config{
		Rules: o.Rules, Kernel: o.Kernel, NFT: nft, Logger: log, Metrics: proxier.NewMetrics(reg),
		MinSyncPeriod: o.MinSyncPeriod, SyncPeriod: o.SyncPeriod,
	})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	errc := make(chan error, 2)
	serve := func(name, addr string, h http.Handler) error {
		if addr == "" {
			return nil
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s server: %w", name, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		wg.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s server: %w", name, err)
			}
		})
		wg.Go(func() {
			<-ctx.Done()
			sctx, done := context.WithTimeout(context.Background(), 5*time.Second)
			defer done()
			srv.Shutdown(sctx)
		})
		log.Info("serving", "what", name, "addr", ln.Addr().String())
		return nil
	}
	metrics := http.NewServeMux()
	metrics.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	metrics.Handle("/healthz", healthz(p))
	if err := serve("metrics", o.MetricsBindAddress, metrics); err != nil {
		return err
	}
	health := http.NewServeMux()
	health.Handle("/healthz", healthz(p))
	health.Handle("/livez", healthz(p))
	if err := serve("healthz", o.HealthzBindAddress, health); err != nil {
		return err
	}

	f := informer.NewFactory(c, informer.FactoryOptions{Logger: log})
	f.Services().AddEventHandler(p.ServiceHandler())
	f.Endpoints().AddEventHandler(p.EndpointsHandler())
	f.Start(ctx)
	wg.Go(f.Wait)
	wg.Go(func() {
		// Sync only once both caches are complete, or the first sync would delete the
		// rules of services not listed yet.
		// Handlers get events from queues of their own: also wait until ours has seen as
		// many objects as the caches hold.
		svcs, eps := f.Services().Store(), f.Endpoints().Store()
		delivered := func() bool {
			ns, ne := p.Known()
			return ns >= svcs.Len() && ne >= eps.Len()
		}
		if informer.WaitFor(ctx, f.Services().HasSynced, f.Endpoints().HasSynced) && informer.WaitFor(ctx, delivered) {
			log.Info("caches synced; programming rules", "node", o.Rules.NodeName)
			p.SetReady()
		}
	})
	wg.Go(func() { p.Run(ctx) })
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// healthz answers like upstream's proxier health server: 200 when rules were synced within
// twice the sync period, 503 otherwise, with the times as JSON.
func healthz(p *proxier.Proxier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, last := p.Healthy()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		lastUpdated := ""
		if !last.IsZero() {
			lastUpdated = last.UTC().Format(time.RFC3339Nano)
		}
		json.NewEncoder(w).Encode(map[string]string{"lastUpdated": lastUpdated, "currentTime": time.Now().UTC().Format(time.RFC3339Nano)})
	})
}
