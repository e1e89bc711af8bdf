package metricsapi

import (
	"encoding/json"
	"testing"
)

func u64(v uint64) *uint64 { return &v }

func TestUsageFormat(t *testing.T) {
	for _, tc := range []struct {
		nanoCores, bytes uint64
		cpu, memory      string
	}{
		{12_345_678, 2748180 * 1024, "12345678n", "2748180Ki"},
		{250_000_000, 512 << 20, "250m", "512Mi"},
		{2_000_000_000, 1 << 30, "2", "1Gi"},
		{0, 1000, "0", "1k"}, // below 1024 bytes BinarySI falls back to decimal, as upstream
		{1, 1025, "1n", "1025"},
	} {
		u, ok := usage(&cpuStats{UsageNanoCores: u64(tc.nanoCores)}, &memoryStats{WorkingSetBytes: u64(tc.bytes)})
		if !ok {
			t.Fatalf("%v: not ok", tc)
		}
		b, _ := json.Marshal(u)
		want := `{"cpu":"` + tc.cpu + `","memory":"` + tc.memory + `"}`
		if string(b) != want {
			t.Errorf("usage(%d, %d) = %s, want %s", tc.nanoCores, tc.bytes, b, want)
		}
	}
}

func TestSummaryReading(t *testing.T) {
	const doc = `{
	  "node": {"nodeName": "n", "cpu": {"usageCoreNanoSeconds": 5}, "memory": {"workingSetBytes": 4096}},
	  "pods": [
	    {"podRef": {"name": "whole", "namespace": "a", "uid": "u1"}, "containers": [
	      {"name": "z", "cpu": {"usageNanoCores": 2}, "memory": {"workingSetBytes": 2048}},
	      {"name": "b", "cpu": {"usageNanoCores": 1}, "memory": {"workingSetBytes": 1024}}]},
	    {"podRef": {"name": "partial", "namespace": "a"}, "containers": [
	      {"name": "x", "cpu": {"usageNanoCores": 2}, "memory": {"workingSetBytes": 2048}},
	      {"name": "y", "cpu": {"usageCoreNanoSeconds": 7}, "memory": {"workingSetBytes": 1024}}]},
	    {"podRef": {"name": "empty", "namespace": "a"}, "containers": []}
	  ]}`
	var s summary
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		t.Fatal(err)
	}
	if !s.lacksRates() {
		t.Error("a summary with counters but no rates must be read again")
	}
	if _, ok := s.nodeUsage(); ok {
		t.Error("node usage without a CPU rate")
	}
	pods := s.containerUsage()
	if len(pods) != 1 {
		t.Fatalf("pods %v, want only a/whole", pods)
	}
	w := pods[podKey{"a", "whole"}]
	if w.uid != "u1" || len(w.containers) != 2 || w.containers[0].Name != "b" || w.containers[1].Name != "z" {
		t.Errorf("a/whole: %+v", w)
	}
	s.Node.CPU.UsageNanoCores = u64(3)
	s.Pods = s.Pods[:1]
	if s.lacksRates() {
		t.Error("every rate is there")
	}
}
