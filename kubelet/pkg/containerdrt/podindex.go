package containerdrt

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/errdefs"

	"seven.dev/kubelet/pkg/container"
)

// podIndex knows which containers of the namespace belong to which pod, so that a pod's
// status loads its own few containers by ID: containerd filters on labels by reading every
// container of the namespace, which made each status read cost O(containers on the node).
//
// It is filled from one list of the namespace on first use (adopting what a previous kubelet
// left) and kept by the runtime's own creates and removes; ListPods adds what it sees. IDs of
// containers removed behind the kubelet's back are dropped when loading them finds nothing.
type podIndex struct {
	load sync.Mutex // held while the first list runs
	mu   sync.Mutex
	full bool                           // the namespace was listed once
	ids  map[string]map[string]struct{} // pod UID -> container IDs
	pod  map[string]string              // container ID -> pod UID
}

func (x *podIndex) add(uid, id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ids == nil {
		x.ids, x.pod = map[string]map[string]struct{}{}, map[string]string{}
	}
	if x.ids[uid] == nil {
		x.ids[uid] = map[string]struct{}{}
	}
	x.ids[uid][id] = struct{}{}
	x.pod[id] = uid
}

func (x *podIndex) remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	uid, ok := x.pod[id]
	if !ok {
		return
	}
	delete(x.pod, id)
	delete(x.ids[uid], id)
	if len(x.ids[uid]) == 0 {
		delete(x.ids, uid)
	}
}

// of returns the pod's container IDs, sorted.
func (x *podIndex) of(uid string) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make([]string, 0, len(x.ids[uid]))
	for id := range x.ids[uid] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// addAll records the pod of every container in cs that carries a pod UID label.
func (x *podIndex) addAll(ctx context.Context, cs []containerd.Container) {
	for _, c := range cs {
		info, err := c.Info(ctx, containerd.WithoutRefreshedMetadata)
		if err != nil {
			continue
		}
		if uid := info.Labels[container.LabelPodUID]; uid != "" {
			x.add(uid, c.ID())
		}
	}
}

// podContainers loads the containers of one pod through the index, listing the namespace
// once first if that was never done.
func (r *Runtime) podContainers(ctx context.Context, uid string) ([]containerd.Container, error) {
	if err := r.fillIndex(ctx); err != nil {
		return nil, err
	}
	var cs []containerd.Container
	for _, id := range r.index.of(uid) {
		c, err := r.client.LoadContainer(ctx, id)
		if errdefs.IsNotFound(err) {
			r.index.remove(id)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load container %s: %w", id, err)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func (r *Runtime) fillIndex(ctx context.Context) error {
	r.index.mu.Lock()
	full := r.index.full
	r.index.mu.Unlock()
	if full {
		return nil
	}
	r.index.load.Lock()
	defer r.index.load.Unlock()
	r.index.mu.Lock()
	full = r.index.full
	r.index.mu.Unlock()
	if full {
		return nil
	}
	cs, err := r.client.Containers(ctx, fmt.Sprintf("labels.%q", container.LabelPodUID))
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	r.index.addAll(ctx, cs)
	r.index.mu.Lock()
	r.index.full = true
	r.index.mu.Unlock()
	return nil
}
