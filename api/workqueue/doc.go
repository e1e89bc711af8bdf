// Package workqueue is the queue controllers put object keys on: it deduplicates, never
// hands the same item to two workers at once, delays items (AddAfter), backs failing items
// off exponentially and holds the whole queue to an overall rate (AddRateLimited), and
// reports upstream's workqueue_* metrics.
//
// The semantics are client-go's: an item added while it waits is queued once; an item added
// while a worker processes it is queued again only when that worker calls Done, so a handler
// may re-add freely. Get blocks until an item is ready or the queue shuts down.
//
// The package must never hold package-level state: clocks, rate limiters and metric
// registries are passed in through Config, so tests run on a fake clock and two queues never
// share anything by accident. Its one goroutine (the delayed-add loop) belongs to the queue
// and ends with ShutDown.
package workqueue
