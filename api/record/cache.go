package record

import (
	"container/list"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// eventKey is what makes two events the same event (upstream's getEventKey fields).
type eventKey struct {
	source                                            core.EventSource
	kind, namespace, name, uid, apiVersion, fieldPath string
	eventType, reason, message                        string
}

func keyOf(ev *core.Event) eventKey {
	o := ev.InvolvedObject
	return eventKey{
		source: ev.Source, kind: o.Kind, namespace: o.Namespace, name: o.Name, uid: o.UID,
		apiVersion: o.APIVersion, fieldPath: o.FieldPath,
		eventType: ev.Type, reason: ev.Reason, message: ev.Message,
	}
}

// written is what the recorder remembers of an event it wrote.
type written struct {
	namespace, name string
	count           int32
	firstTimestamp  meta.Time
	// lastSeen is when the latest occurrence was recorded, at full precision.
	lastSeen time.Time
}

// lru maps event keys to what was written for them, forgetting the least recently used
// beyond size entries. Not safe for concurrent use.
type lru struct {
	size  int
	order *list.List // of *lruEntry, most recent first
	items map[eventKey]*list.Element
}

type lruEntry struct {
	key eventKey
	val written
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: map[eventKey]*list.Element{}}
}

func (c *lru) get(k eventKey) (written, bool) {
	el, ok := c.items[k]
	if !ok {
		return written{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).val, true
}

func (c *lru) put(k eventKey, v written) {
	if el, ok := c.items[k]; ok {
		el.Value.(*lruEntry).val = v
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry{key: k, val: v})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}

func (c *lru) len() int { return c.order.Len() }
