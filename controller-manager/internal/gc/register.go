package gc

import (
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// Watch adds the owner index to inf, returns its Source, and makes its changes enqueue the
// object itself, its dependents (when it changes or goes) and its owners (so a foreground
// owner notices its dependents leaving).
func Watch[T meta.Object](c *Collector, k *scheme.Kind, inf *informer.Informer[T]) (Source, error) {
	if err := inf.AddIndexers(OwnerIndexers[T]()); err != nil {
		return nil, err
	}
	src := NewSource(k, inf.Store())
	c.Sources = append(c.Sources, src)
	touch := func(o T, gone bool) {
		if !gone {
			c.Runner.Queue.Add(ItemKey(k, o))
		}
		m := o.GetObjectMeta()
		for _, d := range c.dependents(m.UID) {
			c.Runner.Queue.Add(ItemKey(d.src.Kind(), d.obj))
		}
		for _, r := range m.OwnerReferences {
			if ok, okk := c.Scheme.ByKind(r.APIVersion, r.Kind); okk {
				if s := c.source(ok.Resource + "." + ok.Group); s != nil {
					if owner, found := s.Get(m.Namespace, r.Name); found {
						c.Runner.Queue.Add(ItemKey(ok, owner))
					}
				}
			}
		}
	}
	inf.AddEventHandler(informer.Handler[T]{
		OnAdd:    func(o T, _ bool) { touch(o, false) },
		OnUpdate: func(_, o T) { touch(o, false) },
		OnDelete: func(o T, _ bool) { touch(o, true) },
	})
	return src, nil
}
