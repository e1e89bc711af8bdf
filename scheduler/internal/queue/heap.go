package queue

import "container/heap"

// keyedHeap is a heap of pods that can also find, update and remove a pod by key.
type keyedHeap struct {
	items []*QueuedPod
	index map[string]int
	less  func(a, b *QueuedPod) bool
}

func newKeyedHeap(less func(a, b *QueuedPod) bool) *keyedHeap {
	return &keyedHeap{index: map[string]int{}, less: less}
}

func (h *keyedHeap) Len() int           { return len(h.items) }
func (h *keyedHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *keyedHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.index[h.items[i].Key] = i
	h.index[h.items[j].Key] = j
}
func (h *keyedHeap) Push(x any) {
	qp := x.(*QueuedPod)
	h.index[qp.Key] = len(h.items)
	h.items = append(h.items, qp)
}
func (h *keyedHeap) Pop() any {
	last := len(h.items) - 1
	qp := h.items[last]
	h.items[last] = nil
	h.items = h.items[:last]
	delete(h.index, qp.Key)
	return qp
}

func (h *keyedHeap) get(key string) (*QueuedPod, bool) {
	i, ok := h.index[key]
	if !ok {
		return nil, false
	}
	return h.items[i], true
}

// upsert adds qp or replaces the pod with its key.
func (h *keyedHeap) upsert(qp *QueuedPod) {
	if i, ok := h.index[qp.Key]; ok {
		h.items[i] = qp
		heap.Fix(h, i)
		return
	}
	heap.Push(h, qp)
}

func (h *keyedHeap) remove(key string) (*QueuedPod, bool) {
	i, ok := h.index[key]
	if !ok {
		return nil, false
	}
	return heap.Remove(h, i).(*QueuedPod), true
}

func (h *keyedHeap) peek() *QueuedPod {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *keyedHeap) pop() *QueuedPod { return heap.Pop(h).(*QueuedPod) }
