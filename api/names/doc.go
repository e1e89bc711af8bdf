// Package names validates the identifier formats of the Kubernetes API: DNS
// labels and subdomains (RFC 1123 and RFC 1035), qualified names (label and
// annotation keys), label values, IANA service names (named ports), port
// numbers and a few smaller formats.
//
// Each Is* function returns nil for a valid input, or human-readable
// messages that are byte-identical to upstream's
// k8s.io/apimachinery/pkg/util/validation, because those messages reach
// kubectl users inside API errors. Callers wrap them into field errors.
//
// The package holds no state and must stay free of dependencies on the rest
// of the API; it is imported by the API types' validation and by selectors.
package names
