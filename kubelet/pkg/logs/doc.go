// Package logs keeps containers' log files in the CRI format upstream's kubelet reads
// ("<RFC3339Nano time> <stdout|stderr> <F|P> <text>" per line), rotated by size and count,
// and reads them back for the kubelet API (tail, since, timestamps, limitBytes, follow).
//
// The writer side (RunLogger) runs as the logging binary of containerd's shim, outside the
// kubelet, so logs keep flowing while the kubelet restarts. The reader side never writes.
package logs
