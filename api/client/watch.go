package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// Event is one change seen by a watch.
type Event[T meta.Object] struct {
	// Type is meta.Added, meta.Modified, meta.Deleted, meta.Bookmark or meta.Error.
	Type string
	// Object is the object as of the event; nil for ERROR events. A BOOKMARK's object
	// carries only its resourceVersion.
	Object T
	// Status is the error an ERROR event reports: a 410 one (errors.IsGone) means the
	// watch's version has expired and the caller must relist.
	Status *meta.Status
	// ResourceVersion is the object's metadata.resourceVersion: where a new watch resumes.
	ResourceVersion string
}

// Watcher delivers the events of one watch until the stream ends, Stop is called or its
// context is done; then the channel is closed.
type Watcher[T meta.Object] interface {
	// ResultChan returns the event channel; the same channel on every call.
	ResultChan() <-chan Event[T]
	// Stop ends the watch and returns once its goroutine has exited. It is idempotent.
	Stop()
}

// Watch streams the changes of the objects matching opts in namespace ("" for all),
// from opts.ResourceVersion. A version too old either fails Watch or arrives as an ERROR
// event, both recognised by errors.IsGone.
func (r *Resource[T]) Watch(ctx context.Context, namespace string, opts ListOptions) (Watcher[T], error) {
	q := opts.query()
	q.Set("watch", "true")
	wctx, cancel := context.WithCancel(ctx)
	resp, err := r.c.send(wctx, request{method: http.MethodGet, path: r.path(namespace, "", ""), query: q, stream: true})
	if err != nil {
		cancel()
		return nil, err
	}
	w := &watcher[T]{ch: make(chan Event[T]), done: make(chan struct{}), cancel: cancel}
	go w.run(wctx, resp.Body, r)
	return w, nil
}

type watcher[T meta.Object] struct {
	ch     chan Event[T]
	done   chan struct{}
	cancel context.CancelFunc
	once   sync.Once
}

func (w *watcher[T]) ResultChan() <-chan Event[T] { return w.ch }

func (w *watcher[T]) Stop() {
	w.once.Do(w.cancel)
	<-w.done
}

// run decodes the stream until it ends. Cancelling ctx aborts the request, which unblocks
// the decoder, so the goroutine never outlives its owner.
func (w *watcher[T]) run(ctx context.Context, body io.ReadCloser, r *Resource[T]) {
	defer close(w.done)
	defer close(w.ch)
	defer w.cancel()
	defer body.Close()
	dec := json.NewDecoder(body)
	for {
		var raw meta.WatchEvent
		if err := dec.Decode(&raw); err != nil {
			if ctx.Err() == nil && isMalformed(err) {
				w.send(ctx, Event[T]{Type: meta.Error,
					Status: apierrors.NewInternalError(errors.New("unable to decode an event from the watch stream: " + err.Error()))})
			}
			return
		}
		ev, err := decodeEvent(raw, r)
		if err != nil {
			ev = Event[T]{Type: meta.Error, Status: apierrors.NewInternalError(err)}
		}
		if !w.send(ctx, ev) {
			return
		}
	}
}

func (w *watcher[T]) send(ctx context.Context, ev Event[T]) bool {
	select {
	case w.ch <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// isMalformed tells a corrupt stream (worth reporting) from one that merely ended.
func isMalformed(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ)
}

func decodeEvent[T meta.Object](raw meta.WatchEvent, r *Resource[T]) (Event[T], error) {
	ev := Event[T]{Type: raw.Type}
	switch raw.Type {
	case meta.Error:
		st := &meta.Status{}
		if err := json.Unmarshal(raw.Object, st); err != nil || st.Kind != "Status" {
			st = apierrors.FromHTTP(http.StatusInternalServerError, nil, raw.Object)
		}
		if st.Code == 0 && (st.Reason == meta.StatusReasonExpired || st.Reason == meta.StatusReasonGone) {
			st.Code = http.StatusGone
		}
		ev.Status = st
		return ev, nil
	case meta.Added, meta.Modified, meta.Deleted, meta.Bookmark:
	default:
		return ev, errors.New("watch stream: unknown event type " + raw.Type)
	}
	obj := r.New()
	if err := json.Unmarshal(raw.Object, obj); err != nil {
		return ev, errors.New("watch stream: decode " + r.kind.Kind + ": " + err.Error())
	}
	r.fillType(obj)
	ev.Object = obj
	ev.ResourceVersion = obj.GetObjectMeta().ResourceVersion
	return ev, nil
}
