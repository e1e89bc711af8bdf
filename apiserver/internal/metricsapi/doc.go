// Package metricsapi serves the resource metrics API, metrics.k8s.io/v1beta1 (NodeMetrics
// and PodMetrics), the way metrics-server does behind upstream's aggregator, but from
// inside kube-apiserver: each request reads the kubelets' /stats/summary in parallel
// and answers with their current CPU and memory use. That is what `kubectl top` reads.
//
// The metrics are never stored: not in etcd, not in the registry, not in a cache of
// their own. The package keeps only, per node, when it last read that node's summary,
// because the kubelet's CPU rate covers the time since its previous summary and the
// API reports that time as the window. A node whose kubelet does not answer in time is
// left out, as metrics-server leaves it out.
package metricsapi
