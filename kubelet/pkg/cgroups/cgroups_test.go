package cgroups

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// The v1 layout on a plain directory: cpu and memory hierarchies side by side.
func TestEnsurePodV1(t *testing.T) {
	mount := t.TempDir()
	for _, c := range []string{"cpu", "memory"} {
		if err := os.Mkdir(filepath.Join(mount, c), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := &Manager{Mount: mount, Root: "/seven/ns"}
	if err := m.EnsurePod("g", "", Limits{CPUShares: 1024, CPUQuota: 100000, CPUPeriod: 100000, MemoryLimit: 256 << 20}); err != nil {
		t.Fatal(err)
	}
	g := "seven/ns/podg"
	for f, want := range map[string]string{
		"cpu/" + g + "/cpu.shares":               "1024",
		"cpu/" + g + "/cpu.cfs_quota_us":         "100000",
		"cpu/" + g + "/cpu.cfs_period_us":        "100000",
		"memory/" + g + "/memory.limit_in_bytes": "268435456",
	} {
		if got := read(t, filepath.Join(mount, f)); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if err := m.EnsurePod("b1", Burstable, Limits{CPUShares: 102}); err != nil {
		t.Fatal(err)
	}
	if err := m.EnsurePod("b2", Burstable, Limits{CPUShares: 512}); err != nil {
		t.Fatal(err)
	}
	if err := m.EnsurePod("e", BestEffort, Limits{CPUShares: 2}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{
		"cpu/seven/ns/burstable/podb1/cpu.cfs_quota_us":         "-1",
		"memory/seven/ns/burstable/podb1/memory.limit_in_bytes": "-1",
		"cpu/seven/ns/burstable/cpu.shares":                     "614", // 102 + 512
		"cpu/seven/ns/besteffort/cpu.shares":                    "2",
		"cpu/seven/ns/besteffort/pode/cpu.shares":               "2",
	} {
		if got := read(t, filepath.Join(mount, f)); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if got, want := m.Parent("b1", Burstable), "/seven/ns/burstable/podb1"; got != want {
		t.Errorf("Parent = %q, want %q", got, want)
	}
}

func TestEnsurePodV2(t *testing.T) {
	mount := t.TempDir()
	if err := os.WriteFile(filepath.Join(mount, "cgroup.subtree_control"), []byte("cpuset\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &Manager{Mount: mount, Root: "/seven/ns", V2: true}
	if err := m.EnsurePod("g", "", Limits{CPUShares: 1024, CPUQuota: 50000, CPUPeriod: 100000, MemoryLimit: 128 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := m.EnsurePod("b", Burstable, Limits{CPUShares: 102}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{
		"cgroup.subtree_control":             "+cpu +memory +pids", // written to enable, beside cpuset
		"seven/ns/podg/cpu.weight":           "39",
		"seven/ns/podg/cpu.max":              "50000 100000",
		"seven/ns/podg/memory.max":           "134217728",
		"seven/ns/burstable/podb/cpu.max":    "max 100000",
		"seven/ns/burstable/podb/memory.max": "max",
		"seven/ns/burstable/cpu.weight":      "4",
	} {
		if got := read(t, filepath.Join(mount, f)); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
}

func TestSharesWeight(t *testing.T) {
	for _, tc := range []struct{ shares, weight uint64 }{{2, 1}, {1024, 39}, {262144, 10000}, {1, 1}, {1 << 20, 10000}} {
		if got := SharesToWeight(tc.shares); got != tc.weight {
			t.Errorf("SharesToWeight(%d) = %d, want %d", tc.shares, got, tc.weight)
		}
	}
	for _, s := range []uint64{2, 102, 1024, 262144} {
		if back := SharesToWeight(WeightToShares(SharesToWeight(s))); back != SharesToWeight(s) {
			t.Errorf("weight of %d shares does not survive the round trip: %d", s, back)
		}
	}
}
