// Command seven-container-logger writes one container's output to its log files: containerd's
// shim starts it for every container the kubelet runs (a binary:// log URI), with the
// container's stdout, stderr and a readiness pipe on fds 3, 4 and 5, as
//
//	seven-container-logger seven-container-log <max size>:<max files>:<path>
//
// It lives as long as the container's output, so it is kept small: it links only the log
// writer, not the kubelet. Installed next to the kubelet, which uses it when it finds it there
// (--container-logger).
package main

import (
	"fmt"
	"os"

	"seven.dev/kubelet/pkg/logs"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != logs.LoggerArg {
		fmt.Fprintf(os.Stderr, "usage: %s %s <max size>:<max files>:<path> (started by containerd's shim, fds 3-5 open)\n", os.Args[0], logs.LoggerArg)
		os.Exit(2)
	}
	if err := logs.RunLogger(os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
