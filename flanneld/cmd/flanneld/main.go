// Command flanneld gives this node a subnet of the overlay network, leased in etcd, and routes
// to every other node's subnet over vxlan or host-gw. See docs/flanneld.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"seven.dev/api/logs"
	"seven.dev/flanneld/internal/backend"
	"seven.dev/flanneld/internal/backend/hostgw"
	"seven.dev/flanneld/internal/backend/vxlan"
	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/daemon"
	"seven.dev/flanneld/internal/subnetenv"
)

// flags are the command line, in flannel's names.
type flags struct {
	opts        daemon.Options
	endpoints   string
	renewMargin int
	healthzIP   string
	healthzPort int
	verbosity   int
	toStderr    bool
	logDir      string
}

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	fs := pflag.NewFlagSet("flanneld", pflag.ContinueOnError)
	logs.NormalizeFlags(fs)
	fs.StringVar(&f.endpoints, "etcd-endpoints", "http://127.0.0.1:2379", "comma-separated etcd endpoints")
	fs.StringVar(&f.opts.EtcdPrefix, "etcd-prefix", "/coreos.com/network", "etcd prefix holding config and subnets/")
	fs.StringVar(&f.opts.EtcdCAFile, "etcd-cafile", "", "CA file for etcd TLS")
	fs.StringVar(&f.opts.EtcdCertFile, "etcd-certfile", "", "client certificate for etcd TLS")
	fs.StringVar(&f.opts.EtcdKeyFile, "etcd-keyfile", "", "client key for etcd TLS")
	fs.StringArrayVar(&f.opts.Ifaces, "iface", nil, "interface (name or address) for inter-node traffic; repeat to try several in order (default: the default route's)")
	fs.StringVar(&f.opts.PublicIP, "public-ip", "", "IP other nodes reach this one at (default: the interface's address)")
	fs.BoolVar(&f.opts.IPMasq, "ip-masq", false, "masquerade traffic from pods to destinations outside the overlay network")
	fs.StringVar(&f.opts.SubnetFile, "subnet-file", subnetenv.DefaultPath, "file to write the node's subnet, network and MTU to")
	fs.StringVar(&f.opts.HealthzAddr, "healthz-addr", "127.0.0.1:8285", "address serving /healthz and /metrics (empty disables)")
	fs.StringVar(&f.healthzIP, "healthz-ip", "0.0.0.0", "with -healthz-port: the address to serve /healthz and /metrics on (flannel's flag)")
	fs.IntVar(&f.healthzPort, "healthz-port", 0, "serve /healthz and /metrics on -healthz-ip:PORT instead of -healthz-addr (flannel's flag)")
	fs.IntVar(&f.renewMargin, "subnet-lease-renew-margin", 60, "renew the subnet lease this many minutes before it expires")
	fs.DurationVar(&f.opts.LeaseTTL, "subnet-lease-ttl", 0, "subnet lease lifetime (default 24h; for tests)")
	_ = fs.MarkHidden("subnet-lease-ttl")
	fs.IntVar(&f.verbosity, "v", 0, "log verbosity (4 and up logs debug lines)")
	fs.BoolVar(&f.toStderr, "logtostderr", true, "log to standard error instead of a file in -log-dir")
	fs.StringVar(&f.logDir, "log-dir", "", "directory for flanneld.log when -logtostderr=false")
	if err := fs.Parse(goStyleArgs(args)); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, e := range strings.Split(f.endpoints, ",") {
		if e = strings.TrimSpace(e); e != "" {
			f.opts.EtcdEndpoints = append(f.opts.EtcdEndpoints, e)
		}
	}
	if len(f.opts.EtcdEndpoints) == 0 {
		return nil, errors.New("-etcd-endpoints: no endpoint given")
	}
	if f.healthzPort != 0 {
		f.opts.HealthzAddr = net.JoinHostPort(f.healthzIP, strconv.Itoa(f.healthzPort))
	}
	if f.renewMargin <= 0 {
		return nil, fmt.Errorf("-subnet-lease-renew-margin: %d minutes is not positive", f.renewMargin)
	}
	f.opts.RenewMargin = time.Duration(f.renewMargin) * time.Minute
	return f, nil
}

// goStyleArgs accepts flannel's single-dash long flags (-etcd-endpoints=...) by giving them
// the second dash pflag wants. flanneld has no one-letter shorthands, so nothing is lost.
func goStyleArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' || a == "-v" {
			a = "-" + a
		}
		out = append(out, a)
	}
	return out
}

func main() {
	f, err := parseFlags(os.Args[1:])
	if errors.Is(err, pflag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "flanneld: %v\n", err)
		os.Exit(2)
	}
	log, closeLog, err := logs.New("flanneld", f.verbosity, f.toStderr, f.logDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "flanneld: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	f.opts.Logger = log
	f.opts.Backends = backend.Registry{config.TypeVXLAN: vxlan.New, config.TypeHostGW: hostgw.New}
	err = daemon.Run(ctx, f.opts)
	if err != nil {
		log.Error("flanneld failed", "err", err)
		fmt.Fprintf(os.Stderr, "flanneld: %v\n", err)
	}
	closeLog()
	if err != nil {
		os.Exit(1)
	}
}
