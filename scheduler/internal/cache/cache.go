package cache

import (
	"fmt"
	"sync"

	"seven.dev/api/core"
	"seven.dev/scheduler/internal/placement"
)

// Cache is the scheduler's view of nodes and the pods on them. It is safe for concurrent use.
type Cache struct {
	mu sync.Mutex
	// infos holds every node the cache knows, by name, including placeholders (nil Node) for
	// nodes that pods name before the node itself is seen.
	infos map[string]*placement.NodeInfo
	// list holds the infos of known nodes in a stable order; pos indexes it by name.
	list []*placement.NodeInfo
	pos  map[string]int
	// podNode says which node each pod is counted on.
	podNode map[string]string
	assumed map[string]bool
}

// New returns an empty cache.
func New() *Cache {
	return &Cache{
		infos:   map[string]*placement.NodeInfo{},
		pos:     map[string]int{},
		podNode: map[string]string{},
		assumed: map[string]bool{},
	}
}

// set stores ni as the info of node name, keeping list in step. Callers hold mu.
func (c *Cache) set(name string, ni *placement.NodeInfo) {
	c.infos[name] = ni
	i, listed := c.pos[name]
	switch {
	case ni.Node != nil && listed:
		c.list[i] = ni
	case ni.Node != nil:
		c.pos[name] = len(c.list)
		c.list = append(c.list, ni)
	case listed:
		c.unlist(name, i)
	}
}

func (c *Cache) unlist(name string, i int) {
	last := len(c.list) - 1
	if i != last {
		c.list[i] = c.list[last]
		c.pos[c.list[i].Node.Name] = i
	}
	c.list[last] = nil
	c.list = c.list[:last]
	delete(c.pos, name)
}

// AddNode adds or replaces a node.
func (c *Cache) AddNode(n *core.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ni, ok := c.infos[n.Name]; ok {
		c.set(n.Name, ni.WithNode(n))
		return
	}
	c.set(n.Name, placement.NewNodeInfo(n))
}

// UpdateNode is AddNode.
func (c *Cache) UpdateNode(n *core.Node) { c.AddNode(n) }

// RemoveNode forgets a node. Pods still bound to it stay counted on a placeholder until they
// are removed, so that a node that comes back does not look emptier than it is.
func (c *Cache) RemoveNode(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ni, ok := c.infos[name]
	if !ok {
		return
	}
	if len(ni.Pods) == 0 {
		if i, listed := c.pos[name]; listed {
			c.unlist(name, i)
		}
		delete(c.infos, name)
		return
	}
	c.set(name, ni.WithNode(nil))
}

// removePod takes the pod off the node it is counted on. Callers hold mu.
func (c *Cache) removePod(key string) {
	name, ok := c.podNode[key]
	if !ok {
		return
	}
	delete(c.podNode, key)
	delete(c.assumed, key)
	ni := c.infos[name]
	if ni == nil {
		return
	}
	ni, _ = ni.WithoutPod(key)
	if ni.Node == nil && len(ni.Pods) == 0 {
		delete(c.infos, name)
		return
	}
	c.set(name, ni)
}

func (c *Cache) addPod(pi *placement.PodInfo) {
	name := pi.Pod.Spec.NodeName
	ni, ok := c.infos[name]
	if !ok {
		ni = placement.NewNodeInfo(nil)
	}
	c.set(name, ni.WithPod(pi))
	c.podNode[pi.Key] = name
}

// AddPod records a pod bound to a node (spec.nodeName set), as the informer reports it. A pod
// assumed earlier is confirmed: its assumed copy is replaced by what the server says.
func (c *Cache) AddPod(pod *core.Pod) {
	pi := placement.NewPodInfo(pod)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removePod(pi.Key)
	c.addPod(pi)
}

// UpdatePod is AddPod.
func (c *Cache) UpdatePod(pod *core.Pod) { c.AddPod(pod) }

// RemovePod forgets a pod (deleted, or finished and no longer holding resources).
func (c *Cache) RemovePod(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removePod(key)
}

// AssumePod counts pod on pod.Spec.NodeName before the binding is confirmed, so the next
// decisions see the capacity as taken. pod must not be known to the cache yet.
func (c *Cache) AssumePod(pi *placement.PodInfo) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pi.Pod.Spec.NodeName == "" {
		return fmt.Errorf("assume pod %s: no node name", pi.Key)
	}
	if n, ok := c.podNode[pi.Key]; ok {
		return fmt.Errorf("assume pod %s: already counted on %s", pi.Key, n)
	}
	c.addPod(pi)
	c.assumed[pi.Key] = true
	return nil
}

// ForgetPod drops an assumption whose binding failed. A pod whose binding the informer has
// already confirmed is left alone.
func (c *Cache) ForgetPod(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.assumed[key] {
		c.removePod(key)
	}
}

// IsAssumed reports whether the pod is assumed and not yet confirmed.
func (c *Cache) IsAssumed(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.assumed[key]
}

// Knows reports whether the pod is counted on a node (bound or assumed).
func (c *Cache) Knows(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.podNode[key]
	return ok
}

// Counts returns the number of known nodes and of pods counted (assumed included).
func (c *Cache) Counts() (nodes, pods, assumed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.list), len(c.podNode), len(c.assumed)
}

// Snapshot returns the known nodes as they are now. The snapshot shares the (immutable)
// NodeInfos and is not affected by later changes to the cache.
func (c *Cache) Snapshot() *placement.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &placement.Snapshot{Nodes: append([]*placement.NodeInfo(nil), c.list...)}
}
