// Command kube-scheduler places pending pods on nodes: it watches pods without a node and the
// nodes through the API server, picks the best feasible node for each and binds the pod to it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/pflag"

	"seven.dev/api/logs"
	"seven.dev/scheduler/internal/app"
)

func main() {
	opts := app.NewOptions()
	fs := pflag.NewFlagSet("kube-scheduler", pflag.ContinueOnError)
	opts.AddFlags(fs)
	logs.NormalizeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage of kube-scheduler:\n%s", fs.FlagUsages())
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "kube-scheduler: %v\n", err)
		os.Exit(2)
	}
	if err := run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "kube-scheduler: %v\n", err)
		os.Exit(1)
	}
}

func run(opts *app.Options) error {
	log, closeLog, err := logs.New("kube-scheduler", opts.Verbosity, opts.LogToStderr, opts.LogDir)
	if err != nil {
		return err
	}
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return app.Run(ctx, opts, log, reg, nil)
}
