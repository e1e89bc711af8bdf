// Package client is Seven's REST client for the Kubernetes API: typed, generic access to
// every kind in the scheme (Get, List, Watch, Create, Update, UpdateStatus, Patch, Delete,
// DeleteCollection and the scale, binding, eviction and log subresources), raw requests for
// kubectl, and discovery.
//
// It speaks JSON only. Every non-2xx answer comes back as the server's *meta.Status (or one
// synthesised by errors.FromHTTP), so callers test errors with the predicates of
// seven.dev/api/errors (IsNotFound, IsConflict, IsAlreadyExists, IsGone, ...).
//
// Requests pass through a client-side token bucket (QPS and burst). Retries happen only
// where they are safe: a GET (and the request that opens a watch) is retried when the
// connection could not be made or was reset before an answer came; any request is retried
// when the server answers 429 or 503 with a Retry-After header, because then the server
// says it did not act on it. Nothing else is ever sent twice.
//
// The package must never cache objects, never retry a write on a connection error, and
// never leave a goroutine running past the context or Stop that owns it. It keeps no
// package-level mutable state.
package client
