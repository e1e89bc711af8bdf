// Package informer keeps a local, indexed cache of one kind of object in step with the API
// server and tells handlers about every change.
//
// An Informer lists the kind (in pages of 500, a consistent read), then watches from the
// list's resourceVersion with bookmarks on, re-watching from the last version it saw when a
// watch ends. When the server answers 410 Gone (the version left its watch window), or the
// stream delivered something the informer cannot resume from, it lists again and hands the
// handlers the difference between the cache and the new list: adds for new objects, updates
// for objects whose resourceVersion changed, deletes (flagged finalStateUnknown) for objects
// that disappeared. No change is lost and no known object is announced twice as an add.
// Errors back off exponentially with jitter, up to 30 s.
//
// Every handler has its own unbounded queue and goroutine, so a slow handler delays neither
// the watch nor the other handlers; each handler sees its events in order. A handler added
// late first receives an add for every object already cached.
//
// A Factory shares one informer per kind within a process, so every controller of a daemon
// reads the same cache and the server serves one watch per kind.
//
// Objects in the cache, and the objects handed to handlers, are shared by everyone: the
// informer never modifies them, and callers must not either. Copy an object before changing
// it. The informer never writes to the API server.
package informer
