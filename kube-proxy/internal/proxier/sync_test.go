package proxier

import (
	"context"
	"sync"
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/kube-proxy/internal/rules"
)

// fakeKernel counts what a sync asks of the machine; EnsureJumps runs in full syncs only.
type fakeKernel struct {
	mu              sync.Mutex
	fullSyncs       int
	nonEmptyRestore int
}

func (k *fakeKernel) Restore(_ context.Context, data []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(data) > 0 {
		k.nonEmptyRestore++
	}
	return nil
}

func (k *fakeKernel) EnsureJumps(context.Context) ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fullSyncs++
	return nil, nil
}

func (k *fakeKernel) Conntrack(context.Context, []string) error { return nil }
func (k *fakeKernel) Sysctl(context.Context, string) error      { return nil }

// TestFullSyncPeriod: syncs with nothing changed write nothing until the last full sync is
// FullSyncPeriod old; then one rewrites everything.
func TestFullSyncPeriod(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := &fakeKernel{}
	p := New(Config{Kernel: k, Rules: rules.Options{NodeName: "node"}, Now: func() time.Time { return now }})
	p.SetService(service("web", "10.254.0.10", 0, core.ProtocolTCP, 80, 8080))
	p.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, "10.244.0.2"))
	p.SetReady()
	for _, step := range []struct {
		advance         time.Duration
		full, nonEmpty  int
		endpointChanged bool
	}{
		{0, 1, 1, false},                // the first sync is full
		{30 * time.Second, 1, 1, false}, // periodic, nothing changed: nothing written
		{30 * time.Second, 1, 2, true},  // a change: partial
		{59 * time.Minute, 2, 3, false}, // an hour since the last full sync
		{30 * time.Second, 2, 3, false},
	} {
		now = now.Add(step.advance)
		if step.endpointChanged {
			p.SetEndpoints(endpoints("web", core.ProtocolTCP, 8080, "10.244.0.3"))
		}
		syncOK(t, p)
		if k.fullSyncs != step.full || k.nonEmptyRestore != step.nonEmpty {
			t.Fatalf("after +%v: %d full syncs, %d restores with rules; want %d, %d", step.advance, k.fullSyncs, k.nonEmptyRestore, step.full, step.nonEmpty)
		}
	}
}
