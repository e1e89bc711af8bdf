// Package scheduler is kube-scheduler's control loop: it feeds pending pods and cluster changes
// from the informers into the queue and the cache, pops one pod at a time, asks the placement
// core where it goes, assumes the decision in the cache and binds it through the API server in
// the background; and for pods that fit nowhere it records a FailedScheduling event and the
// PodScheduled=False condition, as upstream does.
//
// It must never modify an object from the informer cache (it copies first), never block the
// loop on a write to the API server, and never leave a goroutine running past Run's context.
package scheduler
