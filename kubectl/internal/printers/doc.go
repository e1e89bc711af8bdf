// Package printers renders API objects the way upstream kubectl prints them: server-side
// Tables through a tabwriter with kubectl's settings, -o json|yaml|name, jsonpath templates
// and custom columns.
//
// It is pure formatting: it never contacts a server and holds no state between calls beyond
// the writer a caller owns.
package printers
