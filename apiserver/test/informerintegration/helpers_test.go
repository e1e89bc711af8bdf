package informerintegration

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
)

const ns = "default"

type cm = *core.ConfigMap

func configMaps(t *testing.T, c *client.Client) *client.Resource[cm] {
	t.Helper()
	k, ok := c.Scheme().ByResource("", "configmaps")
	if !ok {
		t.Fatal("no configmaps in the scheme")
	}
	return client.For[cm](c, k)
}

func newCM(name, data string) cm {
	return &core.ConfigMap{
		ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name},
		Data:       map[string]string{"v": data},
	}
}

// view rebuilds the state from what a handler is told, and writes down every event that
// contradicts what it was told before: an add of an object it already has, an update or
// delete of one it does not, an update from a version it never saw or to the same one.
type view struct {
	mu         sync.Mutex
	objs       map[string]string // name -> resourceVersion
	violations []string
	counting   bool
	adds       int
	updates    int
	deletes    int // deletes seen on the watch
	unknown    int // deletes found by a relist
}

func newView() *view { return &view{objs: map[string]string{}} }

func (v *view) handler() informer.Handler[cm] {
	return informer.Handler[cm]{
		OnAdd: func(obj cm, _ bool) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if rv, ok := v.objs[obj.Name]; ok {
				v.violate("add of %s@%s, already have it @%s", obj.Name, obj.ResourceVersion, rv)
			}
			v.objs[obj.Name] = obj.ResourceVersion
			v.count(&v.adds)
		},
		OnUpdate: func(old, obj cm) {
			v.mu.Lock()
			defer v.mu.Unlock()
			rv, ok := v.objs[obj.Name]
			switch {
			case !ok:
				v.violate("update of %s, which was never added", obj.Name)
			case rv != old.ResourceVersion:
				v.violate("update of %s from @%s, but the handler had @%s", obj.Name, old.ResourceVersion, rv)
			case old.ResourceVersion == obj.ResourceVersion:
				v.violate("update of %s without a change @%s", obj.Name, rv)
			case old.UID != obj.UID:
				v.violate("update of %s across a re-creation", obj.Name)
			}
			v.objs[obj.Name] = obj.ResourceVersion
			v.count(&v.updates)
		},
		OnDelete: func(obj cm, unknown bool) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if _, ok := v.objs[obj.Name]; !ok {
				v.violate("delete of %s, which was never added", obj.Name)
			}
			delete(v.objs, obj.Name)
			if unknown {
				v.count(&v.unknown)
			} else {
				v.count(&v.deletes)
			}
		},
	}
}

func (v *view) violate(format string, args ...any) {
	v.violations = append(v.violations, fmt.Sprintf(format, args...))
}

func (v *view) count(n *int) {
	if v.counting {
		*n++
	}
}

// startCounting zeroes the counters and counts from now on.
func (v *view) startCounting() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.counting, v.adds, v.updates, v.deletes, v.unknown = true, 0, 0, 0, 0
}

func (v *view) state() map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return maps.Clone(v.objs)
}

func (v *view) check(t *testing.T) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, s := range v.violations {
		if i == 20 {
			t.Errorf("... and %d more", len(v.violations)-20)
			break
		}
		t.Error(s)
	}
}

// runInformer runs an informer until the test ends and waits for its first list.
func runInformer(t *testing.T, lw informer.ListerWatcher[cm], handlers ...informer.Handler[cm]) *informer.Informer[cm] {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	inf := informer.New(lw, informer.Options{Name: "configmaps", Logger: log, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second})
	for _, h := range handlers {
		inf.AddEventHandler(h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		inf.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("informer did not stop")
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if !inf.WaitForCacheSync(wctx) {
		t.Fatal("informer did not sync")
	}
	return inf
}

// serverState lists the config maps afresh: name -> resourceVersion.
func serverState(t *testing.T, r *client.Resource[cm]) map[string]string {
	t.Helper()
	l, err := r.List(t.Context(), ns, client.ListOptions{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	out := map[string]string{}
	for _, o := range l.Items {
		out[o.Name] = o.ResourceVersion
	}
	return out
}

func storeState(inf *informer.Informer[cm]) map[string]string {
	out := map[string]string{}
	for _, o := range inf.Store().List() {
		out[o.Name] = o.ResourceVersion
	}
	return out
}

// converge waits until the store and the handler's view both equal a fresh list.
func converge(t *testing.T, r *client.Resource[cm], inf *informer.Informer[cm], v *view) {
	t.Helper()
	want := serverState(t, r)
	deadline := time.Now().Add(30 * time.Second)
	for {
		store, seen := storeState(inf), v.state()
		if maps.Equal(store, want) && maps.Equal(seen, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no convergence to the server's %d objects: %s", len(want), diff(want, store, seen))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func diff(want, store, seen map[string]string) string {
	out := ""
	n := 0
	for _, name := range unionKeys(want, store, seen) {
		if want[name] != store[name] || want[name] != seen[name] {
			if n++; n > 10 {
				return out + " ..."
			}
			out += fmt.Sprintf("\n  %s: server @%q store @%q handler @%q", name, want[name], store[name], seen[name])
		}
	}
	return out
}

func unionKeys(ms ...map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
