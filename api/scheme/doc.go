// Package scheme is the catalogue of the kinds Seven serves: for each, its group, version,
// kind, resource names, scope, subresources, selectable fields and a constructor. The API
// server routes by it, discovery is generated from it, and clients resolve kubectl's
// short names with it.
//
// It must stay a pure table: no I/O, no state beyond the catalogue built at start.
package scheme
