package policy

import "seven.dev/api/meta"

// Eviction asks for a pod to be deleted subject to disruption budgets. Its metadata
// names the pod.
type Eviction struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	DeleteOptions   *meta.DeleteOptions `json:"deleteOptions,omitempty" protobuf:"bytes,2,opt,name=deleteOptions"`
}
