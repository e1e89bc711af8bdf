package informer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"

	"seven.dev/api/client"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

const (
	// pageSize is the Limit of each list request.
	pageSize = 500
	// minWatchTimeout is the shortest timeoutSeconds asked of a watch; each watch draws
	// from [minWatchTimeout, 2*minWatchTimeout) so informers started together do not all
	// re-watch at the same moment.
	minWatchTimeout = 5 * time.Minute
	// shortWatch is how long a watch that delivered nothing must have lasted to count as
	// progress: a server that closes every watch at once must not make the informer spin.
	shortWatch = time.Second
)

// watchOutcome is how one watch ended.
type watchOutcome struct {
	opened bool  // the watch was established
	events int   // events received, bookmarks included
	relist bool  // the informer cannot resume from its resourceVersion
	gone   bool  // the server said 410
	err    error // why the watch ended, when it was not a normal end
}

// reflect keeps the store in step with the server until ctx ends: list, then watch and
// re-watch from the last resourceVersion seen; list again when a watch cannot resume.
func (i *Informer[T]) reflect(ctx context.Context) {
	b := backoff{min: i.opts.MinBackoff, max: i.opts.MaxBackoff}
	relist := true
	// quickGone is set after a 410 that came with no progress was answered by an
	// immediate relist; a second one in a row backs off instead.
	quickGone := false
	for ctx.Err() == nil {
		if relist {
			if err := i.list(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				i.log.Warn("list failed; retrying", "err", err)
				if !b.wait(ctx) {
					return
				}
				continue
			}
			relist = false
		}
		start := time.Now()
		out := i.watch(ctx)
		if ctx.Err() != nil {
			return
		}
		relist = out.relist
		if out.opened && (out.events > 0 || time.Since(start) >= shortWatch) {
			b.reset()
			quickGone = false
			if out.err != nil {
				i.log.Info("watch ended", "err", out.err, "relist", relist)
			}
			continue
		}
		if out.gone && !quickGone {
			quickGone = true
			i.log.Info("resourceVersion expired; relisting", "resourceVersion", i.LastSyncResourceVersion())
			continue
		}
		if out.err != nil {
			i.log.Warn("watch failed; retrying", "err", out.err, "relist", relist)
		}
		if !b.wait(ctx) {
			return
		}
	}
}

// list reads every object (in pages, a consistent read) and makes the store match,
// delivering the difference to handlers.
func (i *Informer[T]) list(ctx context.Context) error {
	var items []T
	opts := client.ListOptions{Limit: pageSize}
	rv := ""
	for {
		page, err := i.lw.List(ctx, opts)
		if err != nil {
			if opts.Continue != "" && apierrors.IsGone(err) {
				// The continue token outlived the server's history: one unpaged list is
				// still consistent, and cheaper than failing forever on a huge kind.
				i.log.Info("list continue token expired; listing without paging")
				items, opts = nil, client.ListOptions{}
				continue
			}
			return fmt.Errorf("list: %w", err)
		}
		for _, obj := range page.Items {
			if !isNil(obj) {
				items = append(items, obj)
			}
		}
		rv = page.ResourceVersion
		if page.Continue == "" || opts.Limit == 0 {
			break
		}
		opts.Continue = page.Continue
	}
	if rv == "" {
		return errors.New("list: the server sent no resourceVersion")
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	notes := i.store.replace(items, !i.synced)
	i.setRV(rv)
	i.distribute(notes...)
	if !i.synced {
		i.synced = true
		i.distribute(notification[T]{kind: syncedNote})
		close(i.syncedCh)
	}
	i.log.Debug("listed", "objects", len(items), "changes", len(notes), "resourceVersion", rv)
	return nil
}

// watch runs one watch from the last resourceVersion until it ends.
func (i *Informer[T]) watch(ctx context.Context) watchOutcome {
	timeout := int64((minWatchTimeout + rand.N(minWatchTimeout)) / time.Second)
	opts := client.ListOptions{
		ResourceVersion:     i.LastSyncResourceVersion(),
		TimeoutSeconds:      &timeout,
		AllowWatchBookmarks: true,
	}
	w, err := i.lw.Watch(ctx, opts)
	if err != nil {
		err = fmt.Errorf("watch from resourceVersion %s: %w", opts.ResourceVersion, err)
		gone := apierrors.IsGone(err)
		return watchOutcome{relist: gone || !resumable(err), gone: gone, err: err}
	}
	defer w.Stop()
	out := watchOutcome{opened: true}
	for {
		var ev client.Event[T]
		var ok bool
		select {
		case <-ctx.Done():
			return out
		case ev, ok = <-w.ResultChan():
		}
		if !ok {
			return out // ended normally (timeout) or the connection broke: resume
		}
		switch ev.Type {
		case meta.Added, meta.Modified, meta.Deleted:
			if isNil(ev.Object) {
				out.relist, out.err = true, fmt.Errorf("watch: %s event without an object", ev.Type)
				return out
			}
			i.mu.Lock()
			if n, ok := i.store.apply(ev.Type, ev.Object); ok {
				i.distribute(n)
			}
			i.setRV(eventRV(ev))
			i.mu.Unlock()
		case meta.Bookmark:
			i.setRV(eventRV(ev))
		case meta.Error:
			var err error = ev.Status
			if ev.Status == nil {
				err = errors.New("watch: ERROR event without a status")
			}
			out.gone = apierrors.IsGone(err)
			out.relist, out.err = true, fmt.Errorf("watch from resourceVersion %s: %w", opts.ResourceVersion, err)
			return out
		default:
			out.relist, out.err = true, fmt.Errorf("watch: unknown event type %q", ev.Type)
			return out
		}
		out.events++
	}
}

// resumable reports whether a failed watch request may be retried from the same
// resourceVersion: the server was unreachable, or said to come back later. Any other
// answer (a 500, a 403) might hide anything, so the informer relists.
func resumable(err error) bool {
	var st *meta.Status
	if !errors.As(err, &st) {
		return true // a connection error: the server said nothing
	}
	return apierrors.IsTooManyRequests(err) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		apierrors.ReasonOf(err) == meta.StatusReasonServiceUnavailable
}

func eventRV[T meta.Object](ev client.Event[T]) string {
	if ev.ResourceVersion != "" || isNil(ev.Object) {
		return ev.ResourceVersion
	}
	return ev.Object.GetObjectMeta().ResourceVersion
}

// isNil reports a missing object: a typed nil pointer inside T is not == nil.
func isNil[T meta.Object](obj T) bool {
	v := reflect.ValueOf(obj)
	return !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil())
}
