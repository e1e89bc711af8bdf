package kubelet

import "encoding/json"

// clone deep-copies an API object through its JSON form. seven.dev/api has no generated
// DeepCopy methods; objects from the informer's cache are shared and must be copied
// before they are changed.
func clone[T any](v T) T {
	var out T
	data, err := json.Marshal(v)
	if err != nil {
		panic("kubelet: clone: " + err.Error()) // API types always marshal
	}
	if err := json.Unmarshal(data, &out); err != nil {
		panic("kubelet: clone: " + err.Error())
	}
	return out
}
