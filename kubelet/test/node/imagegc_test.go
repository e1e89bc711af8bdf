package node_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/images"
)

// TestImageGC: with the disk "full" (thresholds at 1%), the kubelet removes an image no
// container uses and keeps the one a running pod uses and the pod infra image; what it
// cannot free it reports as a FreeDiskSpaceFailed event on the node.
func TestImageGC(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := client.Pods(e.c).Create(ctx, bbPod("user", core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sleep", "3600"}})); err != nil {
		t.Fatal(err)
	}
	e.waitPod(t, "user", 30*time.Second, running)

	// The node's status lists its images, busybox among them with its digest and size.
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := client.Nodes(e.c).Get(ctx, "", nodeName)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, img := range n.Status.Images {
			if slices.Contains(img.Names, "docker.io/library/busybox:latest") && img.SizeBytes > 0 && strings.Contains(img.Names[0], "@sha256:") {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node status images lack busybox: %+v", n.Status.Images)
		}
		time.Sleep(200 * time.Millisecond)
	}

	bb, err := images.Busybox("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(e.dir, "extra.tar")
	if err := images.WriteTarball(extra, map[string]v1.Image{"docker.io/seven/unused:v1": bb}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.ImportFile(ctx, extra); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		imgs, err := e.rt.ListImages(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, img := range imgs {
			out = append(out, img.Names...)
		}
		return out
	}
	if !slices.Contains(names(), "docker.io/seven/unused:v1") {
		t.Fatalf("imported image not listed: %v", names())
	}

	e.stop()
	e.imageGC = true
	e.start()
	deadline = time.Now().Add(30 * time.Second)
	for slices.Contains(names(), "docker.io/seven/unused:v1") {
		if time.Now().After(deadline) {
			t.Fatalf("unused image not removed in 30s: %v", names())
		}
		time.Sleep(200 * time.Millisecond)
	}
	left := names()
	for _, want := range []string{"docker.io/library/busybox:latest", "seven.dev/pause:latest"} {
		if !slices.Contains(left, want) {
			t.Errorf("image %s removed; left: %v", want, left)
		}
	}
	if p := e.waitPod(t, "user", 10*time.Second, running); p.Status.ContainerStatuses[0].RestartCount != 0 {
		t.Errorf("the pod's container restarted: %+v", p.Status.ContainerStatuses[0])
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		evs, err := client.Events(e.c).List(ctx, "default", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range evs.Items {
			if ev.Reason == "FreeDiskSpaceFailed" && ev.InvolvedObject.Kind == "Node" && ev.InvolvedObject.Name == nodeName {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no FreeDiskSpaceFailed event on the node")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
