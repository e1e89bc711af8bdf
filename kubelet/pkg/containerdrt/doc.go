// Package containerdrt is the kubelet's container.Runtime on containerd, through its Go
// client, in a containerd namespace of its own (several kubelets can share one containerd).
//
// A pod sandbox is a container of the pause image in fresh network, IPC and UTS
// namespaces; the pod's containers join those through /proc/<pause pid>/ns/*. Containers
// carry labels naming their pod, container and attempt, and when a container exits its
// exit code, reason (OOMKilled from the memory cgroup's oom_kill counter), termination
// message and times are written into its labels before its task is deleted: everything
// the kubelet reports survives a kubelet restart, and running tasks are adopted.
// Stdout and stderr go straight from the shim to a log file the kubelet names.
//
// It must never decide to restart anything, never touch another containerd namespace and
// never leave a goroutine behind Close.
package containerdrt
