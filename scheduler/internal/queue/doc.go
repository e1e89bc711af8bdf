// Package queue is the scheduler's queue of pending pods, upstream's PriorityQueue in small:
// an active queue (by priority, then age) that the scheduling loop pops, a backoff queue
// where pods wait after a failed attempt (1 s doubling to 10 s), and an unschedulable set
// where pods that fit nowhere wait for a cluster event (a node added or changed, a pod
// deleted, labels changed) that might let them fit, or for five minutes at most.
//
// The queue must never talk to the API server or look at nodes: it decides when to retry a pod,
// never where the pod goes. Its one goroutine, the flusher, belongs to Run's context.
package queue
