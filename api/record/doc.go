// Package record writes core/v1 Event objects about the objects a daemon works on, the
// ones `kubectl describe` and `kubectl get events` show.
//
// Like upstream's tools/record, it aggregates: an event identical to one written shortly
// before (same object, type, reason, message and source, within the aggregation window)
// does not create another object but bumps the first one's count and lastTimestamp with a
// merge patch. Writes are asynchronous: Event and Eventf only queue, on a bounded queue,
// and Run writes in the background, retrying a few times when the server is unreachable
// or failing.
//
// The recorder must never block or fail its caller: an event is a best-effort report,
// and when the queue is full it is dropped with a log line. It keeps no package-level
// state; its one goroutine is the caller's Run(ctx).
package record
