// Command schedbench measures kube-scheduler throughput end to end, in the shape of upstream's
// SchedulingBasic benchmark (`make bench` runs it): it starts kube-apiserver (embedded etcd)
// and kube-scheduler from the built binaries, registers hollow nodes (Node objects reporting
// Ready, each with a Lease this process renews every 10 s, as kubelets renew theirs), creates
// pods as fast as a pool of clients can, and watches until every pod is bound. It prints pods/s
// from the first create to the last binding seen on the watch, then the same for a restarted
// scheduler draining a backlog of pods created while it was down.
//
// It must never touch an API server it did not start: it runs its own kube-apiserver on free
// ports in a temporary directory, and stops everything it started on exit.
package main
