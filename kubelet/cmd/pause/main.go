// Command pause is Seven's pod sandbox process: it holds the pod's namespaces open, reaps
// zombies (it is PID 1 of the sandbox) and exits on SIGTERM or SIGINT. The image builder
// (cmd/seven-images) wraps it into the seven.dev/pause image that --pod-infra-container-image
// names, so nodes never need a registry for it.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
