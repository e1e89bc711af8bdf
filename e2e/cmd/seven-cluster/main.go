// Command seven-cluster starts and stops a local multi-node Seven cluster on this machine:
// the control plane in the root network namespace and every node a network namespace on an
// underlay bridge (docs/local-cluster.md). `make up` and `make down` run it.
//
//	seven-cluster up --nodes=3     # replaces a stale cluster, starts a new one, deploys the guestbook
//	seven-cluster down             # stops everything and removes what up created
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/e2e/cluster"
)

// options are the flags shared by up and down.
type options struct {
	cfg              cluster.Config
	guestbook        string
	guestbookTimeout time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "seven-cluster:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	var o options
	root := &cobra.Command{
		Use:           "seven-cluster",
		Short:         "Start and stop a local multi-node Seven cluster (network namespaces on one machine)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	nodes, _ := strconv.Atoi(os.Getenv("NODES"))
	f.IntVar(&o.cfg.Nodes, "nodes", nodes, "number of nodes (default $NODES, else 2)")
	f.StringVar(&o.cfg.Dir, "dir", "_output/cluster", "state, data and logs")
	f.StringVar(&o.cfg.Bin, "bin", "_output/bin", "directory of the built binaries")
	f.StringVar(&o.cfg.Prefix, "prefix", "seven", "prefix of every namespace and link created")
	f.StringVar(&o.cfg.Bridge, "bridge", "", "underlay bridge name (default <prefix>0)")
	f.IntVar(&o.cfg.Subnet, "subnet", 0, "k of the underlay 10.250.<k>.0/24")
	f.StringVar(&o.cfg.APIBindAddress, "api-bind-address", "0.0.0.0", "kube-apiserver --insecure-bind-address (empty: the bridge address only)")
	f.IntVar(&o.cfg.APIPort, "api-port", 8080, "kube-apiserver insecure port")
	f.IntVar(&o.cfg.EtcdClientPort, "etcd-port", 2379, "embedded etcd client port on the bridge address")
	f.StringVar(&o.cfg.Kubeconfig, "kubeconfig", "_output/kubeconfig", "where to write the kubeconfig")
	f.StringVar(&o.cfg.ImageDir, "image-dir", "_output/images", "image tarballs: preloaded by every kubelet and served as every registry's mirror")
	f.IntVar(&o.cfg.RegistryPort, "registry-port", 5000, "port of the image registry on the bridge address")
	f.DurationVar(&o.cfg.StopGrace, "stop-grace", 10*time.Second, "SIGTERM to SIGKILL grace when stopping daemons")
	o.cfg.Logf = func(format string, args ...any) { fmt.Printf("--- "+format+"\n", args...) }

	up := &cobra.Command{
		Use:   "up",
		Short: "Remove a stale cluster, start a new one and deploy the guestbook",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runUp(cmd.Context(), o) },
	}
	up.Flags().StringVar(&o.guestbook, "guestbook", "examples/guestbook", "manifests deployed after start (empty: none)")
	up.Flags().DurationVar(&o.guestbookTimeout, "guestbook-timeout", 3*time.Minute, "how long to wait for the guestbook to answer")
	down := &cobra.Command{
		Use:   "down",
		Short: "Stop the cluster and remove every namespace, link, rule, container and mount it created",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cluster.Down(cmd.Context(), o.cfg); err != nil {
				return err
			}
			fmt.Println("cluster removed (logs kept in " + o.cfg.Dir + "/logs)")
			return nil
		},
	}
	root.AddCommand(up, down)
	return root
}

func runUp(ctx context.Context, o options) error {
	c, err := cluster.Up(ctx, o.cfg)
	if err != nil {
		return err
	}
	kc := c.Kubeconfig
	fmt.Printf("\nSeven is up: kube-apiserver on %s, %d nodes.\n\n", c.APIURL, len(c.Nodes))
	fmt.Printf("  export KUBECONFIG=%s\n  kubectl get nodes\n\n", kc)
	fmt.Println("Nodes (reachable from this machine; a shell on one: ip netns exec <netns> bash):")
	for _, n := range c.Nodes {
		fmt.Printf("  %-8s %-14s netns %s\n", n.Name, n.IP, n.Netns)
	}
	fmt.Printf("\nLogs: %s    Stop: make down\n", c.Config.LogDir())
	if len(c.Unavailable) > 0 {
		fmt.Println("\nNot running (the cluster works without them, less well):")
		for _, u := range c.Unavailable {
			where := u.Daemon
			if u.Node != "" {
				where += " on " + u.Node
			}
			fmt.Printf("  %s: %s\n", where, indent(u.Reason))
		}
	}
	if o.guestbook == "" {
		return nil
	}
	fmt.Println()
	return deployGuestbook(ctx, c, o.guestbook, o.guestbookTimeout)
}
