// Command kube-proxy programs this node's iptables so Service cluster IPs, node ports and
// external IPs reach the service's endpoints. See docs/kube-proxy.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"seven.dev/api/kubeconfig"
	"seven.dev/api/logs"
	"seven.dev/kube-proxy/internal/app"
)

type flags struct {
	opts       app.Options
	kube       *kubeconfig.Flags
	hostname   string
	proxyMode  string
	bindAddr   string
	cleanup    bool
	verbosity  int
	toStderr   bool
	logDir     string
	minSync    time.Duration
	minSyncOld time.Duration
	syncOld    time.Duration
}

func parseFlags(args []string) (*flags, error) {
	f := &flags{kube: kubeconfig.DaemonFlags()}
	fs := pflag.NewFlagSet("kube-proxy", pflag.ContinueOnError)
	logs.NormalizeFlags(fs)
	f.kube.AddFlags(fs)
	o := &f.opts
	fs.StringVar(&f.hostname, "hostname-override", "", "this node's name, to know which endpoints are local (default: the hostname)")
	fs.StringVar(&o.Rules.ClusterCIDR, "cluster-cidr", "", "the pods' network; traffic to cluster IPs from outside it is masqueraded")
	fs.StringVar(&f.proxyMode, "proxy-mode", "iptables", "proxy mode: iptables or nftables (table ip kube-proxy; faster at thousands of services)")
	fs.BoolVar(&o.Rules.MasqueradeAll, "masquerade-all", false, "masquerade all traffic sent to cluster IPs")
	fs.IntVar(&o.Rules.MasqueradeBit, "iptables-masquerade-bit", 14, "fwmark bit marking packets to masquerade (0-31)")
	fs.BoolVar(&o.Rules.LocalhostNodePorts, "iptables-localhost-nodeports", true, "answer node ports on 127.0.0.1 too (sets net.ipv4.conf.all.route_localnet=1)")
	fs.DurationVar(&f.minSync, "min-sync-period", time.Second, "minimum interval between rule syncs; changes in between are coalesced")
	fs.DurationVar(&f.minSyncOld, "iptables-min-sync-period", 0, "alias of --min-sync-period")
	fs.DurationVar(&o.SyncPeriod, "sync-period", 30*time.Second, "longest interval between rule syncs (a full resync, which rewrites every rule, runs hourly)")
	fs.DurationVar(&f.syncOld, "iptables-sync-period", 0, "alias of --sync-period")
	fs.StringVar(&f.bindAddr, "bind-address", "0.0.0.0", "address of this node (accepted for compatibility; selects the healthz/metrics address family)")
	fs.StringVar(&o.HealthzBindAddress, "healthz-bind-address", "0.0.0.0:10256", "ip:port serving /healthz (empty disables)")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", "127.0.0.1:10249", "ip:port serving /metrics (empty disables)")
	fs.BoolVar(&f.cleanup, "cleanup", false, "remove every KUBE- chain and jump, then exit")
	fs.IntVar(&f.verbosity, "v", 0, "log verbosity (4 and up logs debug lines)")
	fs.BoolVar(&f.toStderr, "logtostderr", true, "log to standard error instead of a file in --log-dir")
	fs.StringVar(&f.logDir, "log-dir", "", "directory for kube-proxy.log when --logtostderr=false")
	for _, n := range []string{"iptables-min-sync-period", "iptables-sync-period"} {
		_ = fs.MarkHidden(n)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	switch m := strings.ToLower(f.proxyMode); m {
	case "", "iptables":
	case "nftables":
		o.NFTables = true
	default:
		return nil, fmt.Errorf("--proxy-mode=%s is not supported: use iptables or nftables", f.proxyMode)
	}
	if f.minSyncOld > 0 && !fs.Changed("min-sync-period") {
		f.minSync = f.minSyncOld
	}
	if f.syncOld > 0 && !fs.Changed("sync-period") {
		o.SyncPeriod = f.syncOld
	}
	o.MinSyncPeriod = f.minSync
	if o.SyncPeriod <= 0 || o.MinSyncPeriod < 0 {
		return nil, errors.New("--sync-period must be positive and --min-sync-period not negative")
	}
	if o.Rules.ClusterCIDR != "" {
		pfx, err := netip.ParsePrefix(o.Rules.ClusterCIDR)
		if err != nil || !pfx.Addr().Is4() {
			return nil, fmt.Errorf("--cluster-cidr=%s: not an IPv4 CIDR", o.Rules.ClusterCIDR)
		}
		o.Rules.ClusterCIDR = pfx.Masked().String()
	}
	if o.Rules.MasqueradeBit < 0 || o.Rules.MasqueradeBit > 31 {
		return nil, fmt.Errorf("--iptables-masquerade-bit=%d: must be 0-31", o.Rules.MasqueradeBit)
	}
	var err error
	if o.HealthzBindAddress, err = withPort(o.HealthzBindAddress, "10256"); err != nil {
		return nil, fmt.Errorf("--healthz-bind-address: %w", err)
	}
	if o.MetricsBindAddress, err = withPort(o.MetricsBindAddress, "10249"); err != nil {
		return nil, fmt.Errorf("--metrics-bind-address: %w", err)
	}
	if net.ParseIP(f.bindAddr) == nil {
		return nil, fmt.Errorf("--bind-address=%s: not an IP address", f.bindAddr)
	}
	f.hostname = strings.ToLower(strings.TrimSpace(f.hostname))
	if f.hostname == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("hostname: %w", err)
		}
		f.hostname = strings.ToLower(h)
	}
	o.Rules.NodeName = f.hostname
	return f, nil
}

// withPort accepts the older "IP" form of the bind address flags, adding the default port.
func withPort(addr, port string) (string, error) {
	if addr == "" {
		return "", nil
	}
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr, nil
	}
	if net.ParseIP(addr) == nil {
		return "", fmt.Errorf("%q is neither ip:port nor ip", addr)
	}
	return net.JoinHostPort(addr, port), nil
}

func main() {
	f, err := parseFlags(os.Args[1:])
	if errors.Is(err, pflag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-proxy: %v\n", err)
		os.Exit(2)
	}
	log, closeLog, err := logs.New("kube-proxy", f.verbosity, f.toStderr, f.logDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-proxy: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if f.cleanup {
		err = app.Cleanup(ctx)
	} else {
		f.opts.Logger = log
		f.opts.Client, _, err = f.kube.ClientConfig()
		if err == nil {
			err = app.Run(ctx, f.opts)
		}
	}
	if err != nil {
		log.Error("kube-proxy failed", "err", err)
		fmt.Fprintf(os.Stderr, "kube-proxy: %v\n", err)
	}
	closeLog()
	if err != nil {
		os.Exit(1)
	}
}
