// Package fields implements field selectors, the fieldSelector query
// parameter and kubectl --field-selector: comma-joined terms of the form
// field=value, field==value or field!=value ("metadata.name=web",
// "spec.nodeName!=", "status.phase==Running").
//
// Parsing, escaping (a value escapes '\', ',' and '=' with a backslash),
// String and error messages follow upstream's
// k8s.io/apimachinery/pkg/fields. A selector only compares strings: which
// fields a kind supports, and how they map to object data, is the API
// server's business, which it applies with Transform.
//
// Selectors are immutable and safe for concurrent use; this package must
// never hold state of its own.
package fields
