package registry_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/kubelet/pkg/images"
)

// startRegistry serves an empty registry on a free loopback port, counting manifest GETs.
func startRegistry(t *testing.T) (host string, manifestGets *atomic.Int64 /* manifest requests */) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	manifestGets = &atomic.Int64{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Resolving a tag is a HEAD (or GET) of its manifest.
		if strings.Contains(r.URL.Path, "/manifests/") {
			manifestGets.Add(1)
		}
		reg.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), manifestGets
}

func pod(name, image string) *core.Pod {
	grace := int64(1)
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default"},
		Spec: core.PodSpec{NodeName: nodeName, TerminationGracePeriodSeconds: &grace, Containers: []core.Container{{
			Name: "c", Image: image, ImagePullPolicy: core.PullAlways, Command: []string{"sleep", "3600"}}}}}
}

// waitReasons watches pod name until done says so, collecting every waiting reason seen.
func waitReasons(t *testing.T, c *client.Client, name string, d time.Duration, done func(*core.Pod) bool) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	w, err := client.Pods(c).Watch(ctx, "default", client.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	seen := map[string]bool{}
	var last *core.Pod
	for ev := range w.ResultChan() {
		if ev.Object == nil {
			continue
		}
		last = ev.Object
		for _, s := range last.Status.ContainerStatuses {
			if s.State.Waiting != nil {
				seen[s.State.Waiting.Reason] = true
			}
		}
		if done(last) {
			return seen
		}
	}
	if last != nil {
		t.Fatalf("pod %s: not done in %s; reasons seen %v; last status %+v", name, d, seen, last.Status)
	}
	t.Fatalf("pod %s: no event in %s", name, d)
	return nil
}

// eventReasons lists the reasons of the events about pod name.
func eventReasons(t *testing.T, c *client.Client, name string) map[string]string {
	evs, err := client.Events(c).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, ev := range evs.Items {
		if ev.InvolvedObject.Name == name {
			out[ev.Reason] = ev.Message
		}
	}
	return out
}

// waitEvents polls until every reason has an event about pod name.
func waitEvents(t *testing.T, c *client.Client, name string, reasons ...string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := eventReasons(t, c, name)
		missing := false
		for _, r := range reasons {
			missing = missing || got[r] == ""
		}
		if !missing {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod %s: events %v, want %v", name, got, reasons)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestPullFromLocalRegistry(t *testing.T) {
	requireNode(t)
	host, manifestGets := startRegistry(t)
	bb, err := images.Busybox("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(host+"/busybox:test", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	// Docker Hub's "busybox:mirrored" is library/busybox on the mirror.
	hub, err := name.NewTag(host+"/library/busybox:mirrored", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range []name.Tag{tag, hub} {
		if err := remote.Write(tg, bb); err != nil {
			t.Fatalf("push %s: %v", tg, err)
		}
	}
	e := newEnv(t, host)
	ctx := context.Background()
	pods := client.Pods(e.c)

	t.Run("PullAlways", func(t *testing.T) {
		before := manifestGets.Load()
		if _, err := pods.Create(ctx, pod("pulled", host+"/busybox:test")); err != nil {
			t.Fatal(err)
		}
		waitReasons(t, e.c, "pulled", 60*time.Second, func(p *core.Pod) bool {
			return p.Status.Phase == core.PodRunning && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil
		})
		if manifestGets.Load() == before {
			t.Error("the registry served no manifest")
		}
		got, _ := pods.Get(ctx, "default", "pulled")
		want, _ := bb.Digest()
		if id := got.Status.ContainerStatuses[0].ImageID; !strings.HasSuffix(id, want.String()) {
			t.Errorf("imageID %q, want ...@%s", id, want)
		}
		evs := waitEvents(t, e.c, "pulled", "Pulling", "Pulled", "Started")
		if !strings.Contains(evs["Pulled"], "Successfully pulled image") {
			t.Errorf("Pulled event: %q", evs["Pulled"])
		}
	})

	t.Run("DockerHubMirror", func(t *testing.T) {
		before := manifestGets.Load()
		if _, err := pods.Create(ctx, pod("mirrored", "busybox:mirrored")); err != nil {
			t.Fatal(err)
		}
		waitReasons(t, e.c, "mirrored", 60*time.Second, func(p *core.Pod) bool {
			return p.Status.Phase == core.PodRunning && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil
		})
		if manifestGets.Load() == before {
			t.Error("the mirror served no manifest")
		}
	})

	t.Run("MissingTag", func(t *testing.T) {
		if _, err := pods.Create(ctx, pod("missing", host+"/busybox:nope")); err != nil {
			t.Fatal(err)
		}
		seen := waitReasons(t, e.c, "missing", 60*time.Second, func(p *core.Pod) bool {
			s := p.Status.ContainerStatuses
			return len(s) == 1 && s[0].State.Waiting != nil && s[0].State.Waiting.Reason == "ImagePullBackOff"
		})
		if !seen["ErrImagePull"] {
			t.Errorf("waiting reasons %v: no ErrImagePull before ImagePullBackOff", seen)
		}
		evs := waitEvents(t, e.c, "missing", "Pulling", "Failed", "BackOff")
		if evs["Pulled"] != "" {
			t.Errorf("a Pulled event for a missing tag: %q", evs["Pulled"])
		}
	})

	// Leave nothing behind: delete the pods and wait for the kubelet to remove them.
	zero := int64(0)
	for _, n := range []string{"pulled", "mirrored", "missing"} {
		_ = pods.Delete(ctx, "default", n, &meta.DeleteOptions{GracePeriodSeconds: &zero})
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if all, _ := e.rt.ListPods(ctx); len(all) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}
