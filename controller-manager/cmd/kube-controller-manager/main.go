// Command kube-controller-manager runs Seven's controllers: the reconcilers that make the
// cluster's desired state true and keep it true. See docs/kube-controller-manager.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"seven.dev/api/logs"
	"seven.dev/controller-manager/internal/app"
)

func main() {
	o := app.NewOptions()
	fs := pflag.NewFlagSet("kube-controller-manager", pflag.ContinueOnError)
	logs.NormalizeFlags(fs)
	o.AddFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == pflag.ErrHelp {
			return
		}
		fmt.Fprintln(os.Stderr, "kube-controller-manager:", err)
		os.Exit(2)
	}
	logger, closeLog, err := logs.New("kube-controller-manager", o.Verbosity, o.LogToStderr, o.LogDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-controller-manager:", err)
		os.Exit(1)
	}
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := app.Run(ctx, o, logger); err != nil {
		logger.Error("exiting", "err", err)
		closeLog()
		os.Exit(1)
	}
}
