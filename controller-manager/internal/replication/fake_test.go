package replication

import (
	"context"
	"fmt"
	"sync"

	"seven.dev/api/core"
)

// fakePods records the pod writes a sync makes.
type fakePods struct {
	mu      sync.Mutex
	actions []string
	failOn  string
	n       int
}

func (f *fakePods) record(a string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, a)
	if f.failOn != "" && f.failOn == a {
		return fmt.Errorf("injected failure")
	}
	return nil
}

func (f *fakePods) Create(_ context.Context, ns string, p *core.Pod) (*core.Pod, error) {
	if err := f.record(fmt.Sprintf("create %s/%s* owner=%s", ns, p.GenerateName, p.OwnerReferences[0].Name)); err != nil {
		return nil, err
	}
	f.n++
	out := *p
	out.Name = fmt.Sprintf("%s%d", p.GenerateName, f.n)
	return &out, nil
}

func (f *fakePods) Delete(_ context.Context, ns, name string) error {
	return f.record("delete " + ns + "/" + name)
}

func (f *fakePods) Patch(_ context.Context, ns, name string, patch []byte) error {
	return f.record("patch " + ns + "/" + name + " " + string(patch))
}
