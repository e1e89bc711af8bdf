// Command kube-apiserver serves the Kubernetes API over etcd: an embedded etcd in
// --data-dir by default, or an external cluster with --etcd-servers.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"seven.dev/api/logs"
	"seven.dev/apiserver/internal/server"
)

func main() {
	opts := server.NewOptions()
	cmd := &cobra.Command{
		Use:           "kube-apiserver",
		Short:         "Serve the Kubernetes API over etcd",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, closeLog, err := logs.New("kube-apiserver", opts.Verbosity, opts.LogToStderr, opts.LogDir)
			if err != nil {
				return err
			}
			defer closeLog()
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			s, err := server.New(ctx, opts, log, prometheus.NewRegistry())
			if err != nil {
				return err
			}
			return s.Run(ctx, nil)
		},
	}
	opts.AddFlags(cmd.Flags())
	logs.NormalizeFlags(cmd.Flags())
	if err := cmd.Execute(); err != nil {
		fmt.Fprintf(os.Stderr, "kube-apiserver: %v\n", err)
		os.Exit(1)
	}
}
