package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// TestOneShimPerPod: a pod's containers share its sandbox's containerd shim, as under the
// CRI plugin: two pods of two containers each run with two shims, not six.
func TestOneShimPerPod(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, name := range []string{"shim-a", "shim-b"} {
		p := bbPod(name, core.RestartPolicyAlways,
			core.Container{Name: "one", Command: []string{"sleep", "3600"}},
			core.Container{Name: "two", Command: []string{"sleep", "3600"}})
		if _, err := client.Pods(e.c).Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"shim-a", "shim-b"} {
		e.waitPod(t, name, 30*time.Second, running)
	}
	if n := shims(t, e.ns); n != 2 {
		t.Errorf("%d shims serve namespace %s, want 2 (one per pod)", n, e.ns)
	}
	e.deleteAll(t, 60*time.Second)
}

// shims counts the containerd-shim-runc-v2 processes serving containerd namespace ns.
func shims(t *testing.T, ns string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ent := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		if !strings.HasSuffix(args[0], "containerd-shim-runc-v2") {
			continue
		}
		for i, a := range args[:len(args)-1] {
			if a == "-namespace" && args[i+1] == ns {
				n++
				break
			}
		}
	}
	return n
}
