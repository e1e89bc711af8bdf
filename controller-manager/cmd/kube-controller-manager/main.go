// Command kube-controller-manager is Seven's kube-controller-manager. It is not implemented yet; it exits with an error so
// nothing mistakes it for a working daemon.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "kube-controller-manager: not implemented yet")
	os.Exit(1)
}
