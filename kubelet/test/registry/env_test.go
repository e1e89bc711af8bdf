package registry_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/kubelet/internal/privatecontainerd"
	"seven.dev/kubelet/pkg/containerdrt"
	"seven.dev/kubelet/pkg/images"
	"seven.dev/kubelet/pkg/kubelet"
)

// The setup below is the node tests' (kubelet/test/node), cut to what a pull needs.

const nodeName = "node-registry"

type env struct {
	c  *client.Client
	rt *containerdrt.Runtime
}

func requireNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("registry test needs root")
	}
	if b := privatecontainerd.Missing(); b != "" {
		t.Skipf("registry test needs %s", b)
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("registry test needs /bin/busybox (busybox-static)")
	}
}

// startContainerd runs a containerd of its own under dir and returns its socket; cleanup
// removes the namespace's containers and cgroups and stops it.
func startContainerd(t *testing.T, dir, ns string) string {
	d, err := privatecontainerd.Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(ns); err != nil {
			t.Log(err)
		}
	})
	return d.Socket
}

// newEnv starts containerd, an API server and a kubelet that treats registry as insecure and
// as Docker Hub's mirror, with only the pause image preloaded: busybox must come from the
// registry.
func newEnv(t *testing.T, registry string) *env {
	requireNode(t)
	dir, err := os.MkdirTemp("", "kr") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	ns := fmt.Sprintf("seven-regtest-%d", os.Getpid())
	sock := startContainerd(t, dir, ns)
	e := &env{c: apiservertest.Start(t).Client()}

	wd, _ := os.Getwd()
	pauseBin, err := images.BuildGo("./cmd/pause", filepath.Join(wd, "..", ".."), dir)
	if err != nil {
		t.Fatal(err)
	}
	pause, err := images.Static(pauseBin, "/pause", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(dir, "pause.tar")
	if err := images.WriteTarball(tarPath, map[string]v1.Image{images.PauseRef: pause}); err != nil {
		t.Fatal(err)
	}
	if e.rt, err = containerdrt.New(containerdrt.Options{Address: sock, Namespace: ns, InsecureRegistries: []string{registry},
		Mirrors: map[string][]*url.URL{"docker.io": {{Scheme: "http", Host: registry}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.ImportFile(context.Background(), tarPath); err != nil {
		t.Fatal(err)
	}
	k, err := kubelet.New(e.c, kubelet.Options{
		NodeName: nodeName, NodeIP: "127.0.0.1", RootDir: filepath.Join(dir, "kubelet"), Runtime: e.rt,
		BackoffBase: time.Second, ResyncInterval: time.Second, StatusUpdateFrequency: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = k.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); _ = e.rt.Close() })
	return e
}
