// Package prober runs containers' liveness, readiness and startup probes (httpGet,
// tcpSocket, exec) with upstream's defaults and thresholds, one goroutine per container and
// probe kind, owned by the pod worker's context, and keeps their latest results.
//
// It only observes: acting on a result (killing a container whose liveness probe failed,
// flipping the Ready condition) is the kubelet's job, told through OnChange.
package prober
