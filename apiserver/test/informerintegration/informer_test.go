package informerintegration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"seven.dev/api/client"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/server"
)

// The informer follows the API server through a restart: its watch breaks, it retries
// until the server is back on the same address, resumes or relists, and ends with the
// server's state.
func TestInformerFollowsServerRestart(t *testing.T) {
	s := startServer(t, "")
	c := s.client()
	r := configMaps(t, c)
	ctx := t.Context()
	for i := range 20 {
		if _, err := r.Create(ctx, newCM(fmt.Sprintf("before-%02d", i), "1")); err != nil {
			t.Fatal(err)
		}
	}
	v := newView()
	lw := &pausableLW{inner: informer.FromResource(r, ns, informer.Selector{})}
	inf := runInformer(t, lw, v.handler())
	if _, err := r.Create(ctx, newCM("streamed", "1")); err != nil {
		t.Fatal(err)
	}
	converge(t, r, inf, v)

	s.restart()
	for i := range 10 {
		if _, err := r.Create(ctx, newCM(fmt.Sprintf("after-%02d", i), "1")); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if err := r.Delete(ctx, ns, fmt.Sprintf("before-%02d", i), nil); err != nil {
			t.Fatal(err)
		}
		obj, err := r.Get(ctx, ns, fmt.Sprintf("before-%02d", 10+i))
		if err != nil {
			t.Fatal(err)
		}
		obj.Data["v"] = "2"
		if _, err := r.Update(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	converge(t, r, inf, v)
	v.check(t)
	// Whether the restarted server could resume the watch or answered 410 is its choice.
	t.Logf("%d lists", lw.lists.Load())
}

// pausableLW wraps a ListerWatcher so a test can cut the informer's watch and hold off
// its next one, leaving its resourceVersion behind while the server moves on.
type pausableLW struct {
	inner informer.ListerWatcher[cm]
	lists atomic.Int32

	mu     sync.Mutex
	resume chan struct{} // non-nil while paused; closed by unpause
	active client.Watcher[cm]
}

func (p *pausableLW) List(ctx context.Context, opts client.ListOptions) (*client.List[cm], error) {
	if opts.Continue == "" {
		p.lists.Add(1)
	}
	return p.inner.List(ctx, opts)
}

func (p *pausableLW) Watch(ctx context.Context, opts client.ListOptions) (client.Watcher[cm], error) {
	for {
		p.mu.Lock()
		resume := p.resume
		p.mu.Unlock()
		if resume != nil {
			select {
			case <-resume:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		w, err := p.inner.Watch(ctx, opts)
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		if p.resume != nil { // paused while the watch was being opened
			p.mu.Unlock()
			w.Stop()
			continue
		}
		p.active = w
		p.mu.Unlock()
		return w, nil
	}
}

func (p *pausableLW) pause() {
	p.mu.Lock()
	p.resume = make(chan struct{})
	w := p.active
	p.active = nil
	p.mu.Unlock()
	if w != nil {
		w.Stop()
	}
}

func (p *pausableLW) unpause() {
	p.mu.Lock()
	close(p.resume)
	p.resume = nil
	p.mu.Unlock()
}

// When the informer's resourceVersion falls out of the server's watch window, the server
// answers 410, and the informer relists and hands its handlers exactly the difference.
func TestInformerRelistsAfterWatchWindowExpires(t *testing.T) {
	s := startServer(t, "", func(o *server.Options) { o.WatchCacheSize = 20 })
	c := s.client()
	r := configMaps(t, c)
	ctx := t.Context()
	for i := range 30 {
		if _, err := r.Create(ctx, newCM(fmt.Sprintf("o%02d", i), "1")); err != nil {
			t.Fatal(err)
		}
	}
	lw := &pausableLW{inner: informer.FromResource(r, ns, informer.Selector{})}
	v := newView()
	inf := runInformer(t, lw, v.handler())
	converge(t, r, inf, v)
	rv := inf.LastSyncResourceVersion()

	lw.pause()
	v.startCounting()
	// 100 changes, while the watch window holds 20.
	for round := range 3 { // 30 changes: 10 objects updated, 3 times each
		for i := range 10 {
			obj, err := r.Get(ctx, ns, fmt.Sprintf("o%02d", i))
			if err != nil {
				t.Fatal(err)
			}
			obj.Data["v"] = fmt.Sprint(round + 2)
			if _, err := r.Update(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 10; i < 20; i++ { // 10 deletes
		if err := r.Delete(ctx, ns, fmt.Sprintf("o%02d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := 20; i < 25; i++ { // 10 changes: 5 objects deleted and re-created
		if err := r.Delete(ctx, ns, fmt.Sprintf("o%02d", i), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Create(ctx, newCM(fmt.Sprintf("o%02d", i), "new")); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 { // 50 creates
		if _, err := r.Create(ctx, newCM(fmt.Sprintf("n%02d", i), "1")); err != nil {
			t.Fatal(err)
		}
	}
	// The informer's version has left the window: the server says so.
	w, err := r.Watch(ctx, ns, client.ListOptions{ResourceVersion: rv})
	if err == nil {
		ev := <-w.ResultChan()
		w.Stop()
		if ev.Type != meta.Error || !apierrors.IsGone(ev.Status) {
			t.Fatalf("watch from %s after 100 changes: %s, want a 410", rv, ev.Type)
		}
	} else if !apierrors.IsGone(err) {
		t.Fatalf("watch from %s: %v", rv, err)
	}

	lw.unpause()
	converge(t, r, inf, v)
	v.check(t)
	if n := lw.lists.Load(); n != 2 {
		t.Errorf("%d lists, want the initial one and one relist", n)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.adds != 55 || v.updates != 10 || v.unknown != 15 || v.deletes != 0 {
		t.Errorf("relist delivered %d adds, %d updates, %d deletes (%d with the final state), want 55, 10, 15 (0)",
			v.adds, v.updates, v.unknown, v.deletes)
	}
}

// After 10,000 random (successful) creates, updates and deletes by 8 concurrent writers the cache, and
// what the handler was told, equal a fresh list.
func TestInformerMatchesListAfterConcurrentWrites(t *testing.T) {
	const (
		writers = 8
		ops     = 10000
		names   = 300
	)
	s := startServer(t, "")
	c := s.client()
	r := configMaps(t, c)
	f := informer.NewFactory(c, informer.FactoryOptions{Namespace: ns})
	k, _ := c.Scheme().ByResource("", "configmaps")
	inf := informer.ForKind[cm](f, k)
	v := newView()
	inf.AddEventHandler(v.handler())
	ctx, cancel := context.WithCancel(context.Background())
	f.Start(ctx)
	defer func() {
		cancel()
		f.Wait()
	}()
	if synced := f.WaitForCacheSync(t.Context()); !synced[k] {
		t.Fatal("not synced")
	}

	var written, refused atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for written.Load() < ops {
				name := fmt.Sprintf("cm-%03d", rnd.IntN(names))
				data := fmt.Sprint(rnd.Uint64())
				var err error
				switch op := rnd.IntN(10); {
				case op < 4:
					_, err = r.Create(ctx, newCM(name, data))
				case op < 8:
					// An unconditional update: no resourceVersion.
					_, err = r.Update(ctx, newCM(name, data))
				default:
					err = r.Delete(ctx, ns, name, nil)
				}
				switch {
				case err == nil:
					written.Add(1)
				case apierrors.IsAlreadyExists(err), apierrors.IsNotFound(err), apierrors.IsConflict(err):
					refused.Add(1)
				default:
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("writer: %v", err)
	}
	t.Logf("%d writes, %d refused (exists, not found, conflict)", written.Load(), refused.Load())
	converge(t, r, inf, v)
	v.check(t)
}

// Bookmarks carry the informer's resourceVersion past changes it does not watch (here, a
// config map in another namespace), so a later re-watch starts from a recent version.
func TestBookmarksAdvanceResourceVersion(t *testing.T) {
	s := startServer(t, "", func(o *server.Options) { o.BookmarkInterval = 100 * time.Millisecond })
	r := configMaps(t, s.client())
	v := newView()
	inf := runInformer(t, informer.FromResource(r, ns, informer.Selector{}), v.handler())
	other := newCM("elsewhere", "1")
	other.Namespace = "kube-system"
	created, err := r.Create(t.Context(), other)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := strconv.ParseInt(created.ResourceVersion, 10, 64)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := strconv.ParseInt(inf.LastSyncResourceVersion(), 10, 64)
		if got >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("resourceVersion %d never reached %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(v.state()) != 0 {
		t.Fatalf("the handler saw another namespace's objects: %v", v.state())
	}
}
