package client

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// streamServer writes lines as a watch stream, then holds the stream open until the
// client goes away (or closes it at once when hold is false).
func streamServer(t *testing.T, lines []string, hold bool) *fakeServer {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for _, l := range lines {
			io.WriteString(w, l+"\n")
			w.(http.Flusher).Flush()
		}
		if hold {
			<-r.Context().Done()
		}
	})
}

func collect[T meta.Object](t *testing.T, w Watcher[T], n int) []Event[T] {
	t.Helper()
	var out []Event[T]
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("channel closed after %d of %d events", len(out), n)
			}
			out = append(out, ev)
		case <-timeout:
			t.Fatalf("got %d of %d events", len(out), n)
		}
	}
	return out
}

func expectClosed[T meta.Object](t *testing.T, w Watcher[T]) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if ok {
			t.Fatalf("unexpected event %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed")
	}
}

func TestWatchDecodesEvents(t *testing.T) {
	f := streamServer(t, []string{
		`{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"ns","resourceVersion":"10"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]}}}`,
		`{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"11"},"spec":{"containers":null}}}`,
		`{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"15"}}}`,
		`{"type":"DELETED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"ns","resourceVersion":"16"}}}`,
		`{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (16)","reason":"Expired","code":410}}`,
	}, false)
	defer waitNoWatchers(t)
	c, _ := newClient(t, f.URL)
	w, err := Pods(c).Watch(ctxT(t), "ns", ListOptions{ResourceVersion: "9", AllowWatchBookmarks: true, LabelSelector: "app=x"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	evs := collect(t, w, 5)
	want := []struct{ typ, name, rv string }{
		{meta.Added, "a", "10"}, {meta.Modified, "a", "11"}, {meta.Bookmark, "", "15"}, {meta.Deleted, "a", "16"},
	}
	for i, wt := range want {
		ev := evs[i]
		if ev.Type != wt.typ || ev.Object == nil || ev.Object.Name != wt.name || ev.ResourceVersion != wt.rv {
			t.Errorf("event %d: %+v, want %+v", i, ev, wt)
		}
		if ev.Object != nil && (ev.Object.Kind != "Pod" || ev.Object.APIVersion != "v1") {
			t.Errorf("event %d: type meta %+v not filled", i, ev.Object.TypeMeta)
		}
	}
	if evs[0].Object.Spec.NodeName != "n1" || len(evs[0].Object.Spec.Containers) != 1 {
		t.Errorf("pod not decoded: %+v", evs[0].Object.Spec)
	}
	errEv := evs[4]
	if errEv.Type != meta.Error || errEv.Status == nil || errEv.Object != nil {
		t.Fatalf("error event %+v", errEv)
	}
	if !apierrors.IsGone(errEv.Status) || errEv.Status.Code != 410 {
		t.Errorf("410 not recognisable: %+v", errEv.Status)
	}
	expectClosed(t, w) // the server ended the stream
	q := f.last(t).RawQuery
	for _, p := range []string{"watch=true", "resourceVersion=9", "allowWatchBookmarks=true", "labelSelector=app%3Dx"} {
		if !strings.Contains(q, p) {
			t.Errorf("query %q lacks %s", q, p)
		}
	}
	if f.last(t).Path != "/api/v1/namespaces/ns/pods" {
		t.Errorf("path %s", f.last(t).Path)
	}
}

func TestWatchErrorEvents(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		check func(*meta.Status) bool
	}{
		{"expired without code", `{"type":"ERROR","object":{"kind":"Status","reason":"Expired","message":"old"}}`,
			func(s *meta.Status) bool { return apierrors.IsGone(s) && s.Code == 410 }},
		{"gone", `{"type":"ERROR","object":{"kind":"Status","reason":"Gone","code":410}}`,
			func(s *meta.Status) bool { return apierrors.IsGone(s) }},
		{"not a status", `{"type":"ERROR","object":{"foo":1}}`,
			func(s *meta.Status) bool { return s.Code == 500 && !apierrors.IsGone(s) }},
		{"unknown type", `{"type":"WEIRD","object":{}}`,
			func(s *meta.Status) bool { return apierrors.IsInternalError(s) }},
		{"undecodable object", `{"type":"ADDED","object":{"metadata":"nope"}}`,
			func(s *meta.Status) bool { return apierrors.IsInternalError(s) }},
		{"corrupt stream", `{"type":"ADDED","object":{` + "\x00",
			func(s *meta.Status) bool { return apierrors.IsInternalError(s) }},
	}
	defer waitNoWatchers(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := streamServer(t, []string{tt.line}, true)
			c, _ := newClient(t, f.URL)
			w, err := Pods(c).Watch(ctxT(t), "", ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			ev := collect(t, w, 1)[0]
			if ev.Type != meta.Error || ev.Status == nil || !tt.check(ev.Status) {
				t.Errorf("event %+v status %+v", ev, ev.Status)
			}
		})
	}
}

func TestWatchStopClosesChannel(t *testing.T) {
	f := streamServer(t, []string{`{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}`}, true)
	c, _ := newClient(t, f.URL)
	w, err := Nodes(c).Watch(ctxT(t), "", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	collect(t, w, 1)
	w.Stop()
	expectClosed(t, w)
	w.Stop() // idempotent
	waitNoWatchers(t)
	if p := f.last(t).Path; p != "/api/v1/nodes" {
		t.Errorf("path %s", p)
	}
}

func TestWatchStopWhileConsumerIsAway(t *testing.T) {
	// Events are pending and nobody reads: Stop must still end the goroutine.
	lines := make([]string, 50)
	for i := range lines {
		lines[i] = `{"type":"ADDED","object":{"metadata":{"name":"a"}}}`
	}
	f := streamServer(t, lines, true)
	c, _ := newClient(t, f.URL)
	w, err := Pods(c).Watch(ctxT(t), "", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	w.Stop()
	waitNoWatchers(t)
}

func TestWatchContextCancel(t *testing.T) {
	f := streamServer(t, nil, true)
	c, _ := newClient(t, f.URL)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Deployments(c).Watch(ctx, "default", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	expectClosed(t, w)
	waitNoWatchers(t)
	w.Stop() // after the context ended, Stop still returns
	if p := f.last(t).Path; p != "/apis/apps/v1/namespaces/default/deployments" {
		t.Errorf("path %s", p)
	}
}

func TestWatchOpenErrors(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 410, status(410, meta.StatusReasonExpired, "too old"))
	})
	c, _ := newClient(t, f.URL)
	_, err := Pods(c).Watch(ctxT(t), "", ListOptions{ResourceVersion: "1"})
	if !apierrors.IsGone(err) {
		t.Fatalf("err = %v, want Gone", err)
	}
	waitNoWatchers(t)
}

func TestWatchRetriesConnectionErrorsWhenOpening(t *testing.T) {
	f := streamServer(t, []string{`{"type":"ADDED","object":{"metadata":{"name":"a"}}}`}, true)
	rt := &refusingTransport{n: 2, next: http.DefaultTransport}
	c, _ := newClient(t, f.URL, func(cfg *Config) { cfg.Transport = rt })
	w, err := Pods(c).Watch(ctxT(t), "", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	collect(t, w, 1)
	if rt.count() != 3 {
		t.Errorf("%d attempts, want 3", rt.count())
	}
}
