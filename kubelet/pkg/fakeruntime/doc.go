// Package fakeruntime is the hollow container runtime behind --runtime=fake: sandboxes and
// containers are records in memory that are "running" the moment they are started, so a
// hollow kubelet reports its pods Running and Ready at once. It is cheap enough for a
// thousand hollow kubelets in one process (no goroutines, no I/O).
//
// It must never start a process or touch the machine. Tests may use it to script exits.
package fakeruntime
