// Package manifest reads the objects named by kubectl's -f: files, directories (optionally
// recursive), URLs are not supported, and "-" for stdin; each may hold multi-document YAML,
// JSON, or List objects, which are flattened into their items.
//
// It only parses: it never contacts a server and never resolves kinds (the caller does, so
// that all input is checked before anything is written).
package manifest
