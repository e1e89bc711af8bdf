package informer

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// apiStub answers lists with one object and holds watches open; it records the requests.
type apiStub struct {
	mu   sync.Mutex
	reqs []string
}

func (a *apiStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.reqs = append(a.reqs, r.URL.Path+"?"+r.URL.RawQuery)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Query().Get("watch") == "true" {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return
	}
	fmt.Fprint(w, `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},`+
		`"items":[{"metadata":{"name":"p","namespace":"ns","resourceVersion":"4"},"spec":{"nodeName":"n1"}}]}`)
}

func (a *apiStub) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.reqs...)
}

func newStubClient(t *testing.T) (*client.Client, *apiStub) {
	stub := &apiStub{}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{Host: srv.URL, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c, stub
}

func TestFactorySharesOneInformerPerKind(t *testing.T) {
	c, stub := newStubClient(t)
	f := NewFactory(c, FactoryOptions{Namespace: "ns"})
	pods := f.Pods()
	if f.Pods() != pods {
		t.Fatal("Pods() returned two informers")
	}
	podKind, _ := c.Scheme().ByResource("", "pods")
	if ForKind[*core.Pod](f, podKind) != pods {
		t.Fatal("ForKind(pods) differs from Pods()")
	}
	nodes := f.Nodes()

	ctx, cancel := context.WithCancel(t.Context())
	f.Start(ctx)
	f.Start(ctx) // idempotent
	synced := f.WaitForCacheSync(ctx)
	if len(synced) != 2 || !synced[podKind] {
		t.Fatalf("WaitForCacheSync = %v", synced)
	}
	if !nodes.HasSynced() {
		t.Fatal("nodes not synced")
	}
	if got, err := pods.Store().ByIndex(NodeNameIndex, "n1"); err != nil || len(got) != 1 {
		t.Fatalf("pods by node: %v %v", got, err)
	}
	eventually(t, func() bool { return len(stub.requests()) >= 4 }, "lists and watches")
	cancel()
	f.Wait()

	var podReqs, nodeReqs int
	for _, r := range stub.requests() {
		switch {
		case strings.HasPrefix(r, "/api/v1/namespaces/ns/pods?"):
			podReqs++
		case strings.HasPrefix(r, "/api/v1/nodes?"):
			nodeReqs++
		}
	}
	if podReqs != 2 || nodeReqs != 2 {
		t.Fatalf("requests %v: want one list and one watch per kind, nodes cluster-wide", stub.requests())
	}
}

func TestForKindTypeMismatchPanics(t *testing.T) {
	c, _ := newStubClient(t)
	f := NewFactory(c, FactoryOptions{})
	f.Pods()
	podKind, _ := c.Scheme().ByResource("", "pods")
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	ForKind[*core.Node](f, podKind)
}

func TestNewFilteredSendsSelectors(t *testing.T) {
	c, stub := newStubClient(t)
	k, _ := c.Scheme().ByResource("", "pods")
	inf := NewFiltered(client.For[*core.Pod](c, k), "", Selector{Field: "spec.nodeName=n1", Label: "a=b"}, Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(ctx) }()
	if !inf.WaitForCacheSync(ctx) {
		t.Fatal("not synced")
	}
	eventually(t, func() bool { return len(stub.requests()) >= 2 }, "a watch")
	cancel()
	<-done
	want := []string{
		"/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&labelSelector=a%3Db&limit=500",
	}
	reqs := stub.requests()
	if reqs[0] != want[0] {
		t.Fatalf("list request %q, want %q", reqs[0], want[0])
	}
	if _, err := inf.Lister().Get("ns", "missing"); err == nil || err.Error() != `pods "missing" not found` {
		t.Fatalf("lister error %v", err)
	}
}

// Every convenience accessor names a kind of the default scheme with the right type (a
// mismatch panics), and each is shared.
func TestFactoryAccessors(t *testing.T) {
	c, _ := newStubClient(t)
	f := NewFactory(c, FactoryOptions{})
	for name, get := range map[string]func() any{
		"pods":                   func() any { return f.Pods() },
		"nodes":                  func() any { return f.Nodes() },
		"services":               func() any { return f.Services() },
		"endpoints":              func() any { return f.Endpoints() },
		"replicationcontrollers": func() any { return f.ReplicationControllers() },
		"namespaces":             func() any { return f.Namespaces() },
		"events":                 func() any { return f.Events() },
		"replicasets":            func() any { return f.ReplicaSets() },
		"deployments":            func() any { return f.Deployments() },
		"daemonsets":             func() any { return f.DaemonSets() },
		"jobs":                   func() any { return f.Jobs() },
		"leases":                 func() any { return f.Leases() },
	} {
		if a, b := get(), get(); a != b {
			t.Errorf("%s: two informers", name)
		}
	}
	if n := len(f.entries); n != 12 {
		t.Errorf("%d informers, want 12", n)
	}
}
