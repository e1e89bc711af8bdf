// Package leaderelection lets one of several replicas of a daemon (scheduler,
// controller-manager) do the work at a time, by holding a coordination.k8s.io/v1 Lease
// through the API server.
//
// The algorithm is client-go's. A candidate takes the lease when it does not exist, when
// it is released (holderIdentity empty), or when the holder has not renewed it for
// leaseDurationSeconds as measured on the candidate's own clock from the moment the
// candidate last saw the lease change: timestamps written by other machines are never
// compared with local time, so clock skew between candidates does not matter. Every write
// carries the resourceVersion it was based on, so of two racing candidates exactly one
// wins and the other gets a 409 and tries again later. One departure from client-go: a
// standby that saw the lease held tries again exactly when it expires on its clock rather
// than at its next jittered retry, so a crashed leader is replaced up to (1+1.2) retry
// periods sooner, and never earlier than client-go would. The leader renews every
// RetryPeriod; when it cannot renew for RenewDeadline it stops leading, and its caller is
// expected to exit. On a clean shutdown with ReleaseOnCancel it gives the lease up so a
// standby takes over at once.
//
// Leadership is a promise about timing, not a lock: it is only as good as RenewDeadline <
// LeaseDuration and the daemon's promptness in stopping work when its context is cancelled.
// The package must never act on a lease it has not just read or written, and never keeps
// package-level state: the clock, the client and the logger come in through Config.
package leaderelection
