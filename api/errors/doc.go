// Package errors builds and recognises API errors: every failure crosses the wire as a
// meta.Status with upstream's reason and code, and this package is where both sides
// (server and clients) construct and classify them.
package errors
