// Command kubectl is Seven's kubectl: the seeds' command lines against the Kubernetes API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"seven.dev/kubectl/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
