package registry_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
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
	for _, b := range []string{"containerd", "runc", "containerd-shim-runc-v2"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("registry test needs %s", b)
		}
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("registry test needs /bin/busybox (busybox-static)")
	}
}

// startContainerd runs a containerd of its own under dir and returns its socket; cleanup
// removes the namespace's containers, stops it and removes the cgroups it left.
func startContainerd(t *testing.T, dir, ns string) string {
	sock := filepath.Join(dir, "c.sock")
	cfg := fmt.Sprintf("version = 2\nroot = %q\nstate = %q\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"+
		"[grpc]\n  address = %q\n[ttrpc]\n  address = %q\n[plugins.\"io.containerd.internal.v1.opt\"]\n  path = %q\n",
		filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc", filepath.Join(dir, "opt"))
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "containerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("containerd", "--config", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cleanupNamespace(sock, ns)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		for _, ctrl := range []string{"cpu", "memory", "pids", "blkio", "cpuset", "devices", "freezer", "cpuacct", "systemd", "unified", ""} {
			removeCgroupTree(filepath.Join("/sys/fs/cgroup", ctrl, "seven", ns))
			_ = os.Remove(filepath.Join("/sys/fs/cgroup", ctrl, "seven")) // only when empty
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := containerd.New(sock, containerd.WithTimeout(time.Second)); err == nil {
			_, verr := c.Version(context.Background())
			c.Close()
			if verr == nil {
				return sock
			}
		}
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(filepath.Join(dir, "containerd.log"))
			t.Fatalf("containerd did not come up: %s", data)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cleanupNamespace kills and removes every task and container of ns, and their cgroups.
func cleanupNamespace(sock, ns string) {
	_ = containerdrt.Purge(context.Background(), sock, ns)
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

// removeCgroupTree removes a cgroup and the (empty) cgroups below it, deepest first.
func removeCgroupTree(dir string) {
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = os.Remove(dirs[i])
	}
}
