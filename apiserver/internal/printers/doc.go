// Package printers turns stored objects into the meta.k8s.io/v1 Table that
// `kubectl get` asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
// kubectl prints the server's columns verbatim, so for every kind this package
// produces exactly the column definitions and cell values of upstream's
// k8s.io/kubernetes/pkg/printers/internalversion at v1.32: the same column
// names, types, priorities and descriptions, cells of the same JSON types
// (strings and int64 numbers), and the same derived texts ("1/1",
// "CrashLoopBackOff", "3 (10m ago)", "80:30001/TCP", "Ready,SchedulingDisabled").
// Kinds without a dedicated printer get upstream's default table convertor
// (NAME, CREATED AT).
//
// Like upstream's server-side TableConvertor, every row carries the wide
// (priority 1) cells too; kubectl hides those columns unless asked for -o wide.
//
// Ages are computed against the time the caller passes in, never the clock, so
// output is reproducible. The package must stay a pure function of its inputs:
// no I/O, no clock, no package-level mutable state. It must never fill in
// row objects or list metadata; the HTTP layer does that (includeObject,
// resourceVersion, continue).
package printers
