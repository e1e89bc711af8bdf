// Package protobuf reads (and, for tests and future responses, writes) the
// Kubernetes protobuf wire format: the "k8s\x00" envelope around a
// runtime.Unknown, and the gogo-generated messages of the built-in kinds.
//
// It is driven by `protobuf:"<wire>,<number>,<opt|rep>,name=<name>"` struct tags
// on Seven's API types, which mirror upstream's field numbers exactly, plus a few
// types with their own wire shape (meta.Time, meta.MicroTime, meta.Duration,
// resource.Quantity, intstr.IntOrString, json.RawMessage as runtime.RawExtension).
// Fields a type does not tag are skipped, as unknown fields are.
//
// Its input is untrusted: it must never panic on any bytes, and it keeps no state
// between calls. It must not import an API group package, so every group can be
// decoded by it.
package protobuf
