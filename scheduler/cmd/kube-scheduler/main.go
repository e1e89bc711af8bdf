// Command kube-scheduler is Seven's kube-scheduler. It is not implemented yet; it exits with an error so
// nothing mistakes it for a working daemon.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "kube-scheduler: not implemented yet")
	os.Exit(1)
}
