package informer

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"seven.dev/api/meta"
)

// Names of the indexes every Indexer keeps, and of the pods' node index the Factory adds.
const (
	// NamespaceIndex indexes objects by metadata.namespace.
	NamespaceIndex = "namespace"
	// LabelIndex indexes objects by each of their labels as "key=value" (ByLabel reads it).
	LabelIndex = "label"
	// NodeNameIndex indexes pods by spec.nodeName; unscheduled pods are not in it.
	NodeNameIndex = "nodeName"
)

// IndexFunc returns the values an object is indexed under; none leaves it out of the index.
// It must be a pure function of the object.
type IndexFunc[T meta.Object] func(obj T) []string

// IndexByNamespace indexes objects by namespace (what NamespaceIndex uses).
func IndexByNamespace[T meta.Object]() IndexFunc[T] {
	return func(obj T) []string { return []string{obj.GetObjectMeta().Namespace} }
}

// IndexByField indexes objects by one value computed from them, such as a pod's
// spec.nodeName. An empty value leaves the object out of the index: "every pod not yet
// scheduled" is rarely a useful bucket and would hold most pods of a busy cluster.
func IndexByField[T meta.Object](value func(obj T) string) IndexFunc[T] {
	return func(obj T) []string {
		if v := value(obj); v != "" {
			return []string{v}
		}
		return nil
	}
}

func indexByLabel[T meta.Object](obj T) []string {
	labels := obj.GetObjectMeta().Labels
	out := make([]string, 0, len(labels))
	for k, v := range labels {
		out = append(out, k+"="+v)
	}
	return out
}

// KeyOf returns the cache key of obj: "namespace/name", or "name" for a cluster-scoped one.
func KeyOf(obj meta.Object) string {
	m := obj.GetObjectMeta()
	return Key(m.Namespace, m.Name)
}

// Key builds a cache key from a namespace ("" for cluster-scoped objects) and a name.
func Key(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// SplitKey is the inverse of Key.
func SplitKey(key string) (namespace, name string) {
	if ns, n, ok := strings.Cut(key, "/"); ok {
		return ns, n
	}
	return "", key
}

// Store is the read side of an informer's cache. It is safe for concurrent use.
//
// The objects it returns are shared with the informer and every other reader: never modify
// one; copy it first.
type Store[T meta.Object] interface {
	// Get returns the object with key "namespace/name" (or "name").
	Get(key string) (T, bool)
	// GetByName returns the object namespace/name.
	GetByName(namespace, name string) (T, bool)
	// List returns every object, in no particular order.
	List() []T
	// ListKeys returns every key, in no particular order.
	ListKeys() []string
	// Len returns the number of objects.
	Len() int
	// ByIndex returns the objects indexed under value by the index called name.
	ByIndex(name, value string) ([]T, error)
	// ByNamespace returns the objects in one namespace.
	ByNamespace(namespace string) []T
	// ByLabel returns the objects whose label key has the value.
	ByLabel(key, value string) []T
}

// Indexer is a thread-safe map of objects by key with secondary indexes. Informers keep
// one; tests of code that reads a Store can build and fill one directly.
type Indexer[T meta.Object] struct {
	mu       sync.RWMutex
	items    map[string]T
	indexers map[string]IndexFunc[T]
	// indices maps index name -> indexed value -> set of keys.
	indices map[string]map[string]map[string]struct{}
}

var _ Store[meta.Object] = (*Indexer[meta.Object])(nil)

// NewIndexer returns an empty Indexer with the namespace and label indexes and the given
// extra ones.
func NewIndexer[T meta.Object](extra map[string]IndexFunc[T]) *Indexer[T] {
	s := &Indexer[T]{
		items: map[string]T{},
		indexers: map[string]IndexFunc[T]{
			NamespaceIndex: IndexByNamespace[T](),
			LabelIndex:     indexByLabel[T],
		},
		indices: map[string]map[string]map[string]struct{}{},
	}
	for name, f := range extra {
		s.indexers[name] = f
	}
	return s
}

// AddIndexers adds indexes, built at once over the objects already stored. Adding an index
// under a name already taken is an error.
func (s *Indexer[T]) AddIndexers(extra map[string]IndexFunc[T]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range extra {
		if _, ok := s.indexers[name]; ok {
			return fmt.Errorf("add index %q: an index of that name exists", name)
		}
	}
	for name, f := range extra {
		s.indexers[name] = f
		for key, obj := range s.items {
			s.indexOne(name, f, key, obj)
		}
	}
	return nil
}

// Get implements Store.
func (s *Indexer[T]) Get(key string) (T, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	obj, ok := s.items[key]
	return obj, ok
}

// GetByName implements Store.
func (s *Indexer[T]) GetByName(namespace, name string) (T, bool) {
	return s.Get(Key(namespace, name))
}

// List implements Store.
func (s *Indexer[T]) List() []T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]T, 0, len(s.items))
	for _, obj := range s.items {
		out = append(out, obj)
	}
	return out
}

// ListKeys implements Store.
func (s *Indexer[T]) ListKeys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.items))
	for k := range s.items {
		out = append(out, k)
	}
	return out
}

// Len implements Store.
func (s *Indexer[T]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// ByIndex implements Store. It fails only for an index that does not exist.
func (s *Indexer[T]) ByIndex(name, value string) ([]T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.indexers[name]; !ok {
		return nil, fmt.Errorf("index %q does not exist", name)
	}
	keys := s.indices[name][value]
	out := make([]T, 0, len(keys))
	for k := range keys {
		out = append(out, s.items[k])
	}
	return out, nil
}

// ByNamespace implements Store.
func (s *Indexer[T]) ByNamespace(namespace string) []T {
	out, _ := s.ByIndex(NamespaceIndex, namespace)
	return out
}

// ByLabel implements Store.
func (s *Indexer[T]) ByLabel(key, value string) []T {
	out, _ := s.ByIndex(LabelIndex, key+"="+value)
	return out
}

// Add stores obj, replacing any object with its key. An informer's own store is written
// only by the informer; Add is for building caches in tests.
func (s *Indexer[T]) Add(obj T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(KeyOf(obj), obj)
}

// Delete removes the object with key, if any. Like Add, it is for tests.
func (s *Indexer[T]) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(key)
}

// put stores obj under key and returns what it replaced. The caller holds mu.
func (s *Indexer[T]) put(key string, obj T) (old T, existed bool) {
	old, existed = s.items[key]
	if existed {
		s.unindex(key, old)
	}
	s.items[key] = obj
	for name, f := range s.indexers {
		s.indexOne(name, f, key, obj)
	}
	return old, existed
}

// remove deletes key and returns what was there. The caller holds mu.
func (s *Indexer[T]) remove(key string) (old T, existed bool) {
	old, existed = s.items[key]
	if existed {
		s.unindex(key, old)
		delete(s.items, key)
	}
	return old, existed
}

func (s *Indexer[T]) indexOne(name string, f IndexFunc[T], key string, obj T) {
	values := f(obj)
	if len(values) == 0 {
		return
	}
	idx := s.indices[name]
	if idx == nil {
		idx = map[string]map[string]struct{}{}
		s.indices[name] = idx
	}
	for _, v := range values {
		set := idx[v]
		if set == nil {
			set = map[string]struct{}{}
			idx[v] = set
		}
		set[key] = struct{}{}
	}
}

func (s *Indexer[T]) unindex(key string, obj T) {
	for name, f := range s.indexers {
		idx := s.indices[name]
		for _, v := range f(obj) {
			if set := idx[v]; set != nil {
				delete(set, key)
				if len(set) == 0 {
					delete(idx, v)
				}
			}
		}
	}
}

// apply records one watch event and returns the notification handlers should get, if any.
func (s *Indexer[T]) apply(typ string, obj T) (notification[T], bool) {
	key := KeyOf(obj)
	s.mu.Lock()
	defer s.mu.Unlock()
	if typ == meta.Deleted {
		if _, existed := s.remove(key); !existed {
			// Never announced, so there is nothing to retract.
			return notification[T]{}, false
		}
		return notification[T]{kind: deleteNote, obj: obj}, true
	}
	old, existed := s.items[key]
	if existed && old.GetObjectMeta().ResourceVersion == obj.GetObjectMeta().ResourceVersion {
		return notification[T]{}, false // a repeat of what is cached
	}
	s.put(key, obj)
	if existed {
		return notification[T]{kind: updateNote, old: old, obj: obj}, true
	}
	return notification[T]{kind: addNote, obj: obj}, true
}

// replace makes the store hold exactly items (a fresh list) and returns the difference as
// notifications: deletes (final state unknown) for keys no longer listed, in key order,
// then adds and updates in list order. An object listed under a key whose cached object
// has another UID was deleted and re-created while the informer was not watching: it is a
// delete of the old object followed by an add of the new one. An object whose
// resourceVersion did not change yields nothing. initial marks the adds as the first list.
func (s *Indexer[T]) replace(items []T, initial bool) []notification[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	// listed maps each key to the last item with it (a list never repeats a key, but if one
	// did, the last would win as it would in the store).
	listed := make(map[string]int, len(items))
	for i, obj := range items {
		listed[KeyOf(obj)] = i
	}
	var gone []string
	for key, old := range s.items {
		if i, ok := listed[key]; !ok || items[i].GetObjectMeta().UID != old.GetObjectMeta().UID {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	notes := make([]notification[T], 0, len(gone)+len(items))
	for _, key := range gone {
		old, _ := s.remove(key)
		notes = append(notes, notification[T]{kind: deleteNote, obj: old, unknown: true})
	}
	for i, obj := range items {
		key := KeyOf(obj)
		if listed[key] != i {
			continue
		}
		old, existed := s.items[key]
		switch {
		case !existed:
			s.put(key, obj)
			notes = append(notes, notification[T]{kind: addNote, obj: obj, initial: initial})
		case old.GetObjectMeta().ResourceVersion != obj.GetObjectMeta().ResourceVersion:
			s.put(key, obj)
			notes = append(notes, notification[T]{kind: updateNote, old: old, obj: obj})
		}
	}
	return notes
}
