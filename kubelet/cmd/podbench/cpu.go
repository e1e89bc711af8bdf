package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the times in /proc/*/stat: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// procKey names one process for its lifetime: pids are reused, start times are not.
type procKey struct {
	pid   int
	start uint64
}

// procTimes is what /proc/<pid>/stat says of a process's CPU, in clock ticks.
type procTimes struct {
	comm     string
	self     uint64 // utime + stime
	children uint64 // cutime + cstime: waited-for children that have exited
}

// cpuSampler attributes the machine's CPU time during a run to process names: what each
// process alive at the end used since the start, its own time and that of the children it
// waited for. A process that exited during the run is counted only in its reaper's children
// times, so short-lived helpers (runc) are counted under the process that waited for them
// (containerd-shim), and nothing twice.
type cpuSampler struct {
	initial map[procKey]procTimes
	busy0   uint64
	start   time.Time
}

func startCPUSampler() *cpuSampler {
	return &cpuSampler{busy0: machineTicks(), initial: readProcs(), start: time.Now()}
}

// finish returns CPU seconds per process name since the start (own time plus that of the
// children waited for) and the machine's total busy CPU seconds.
func (s *cpuSampler) finish() (byName map[string]float64, machine float64, took time.Duration) {
	busy1, last, took := machineTicks(), readProcs(), time.Since(s.start)
	byName = map[string]float64{}
	for k, v := range last {
		base := s.initial[k] // zero for processes started during the run
		if used := (v.self - base.self) + (v.children - base.children); used > 0 {
			byName[v.comm] += float64(used) / clockTicks
		}
	}
	return byName, float64(busy1-s.busy0) / clockTicks, took
}

// printCPU writes the machine's busy CPU during the run and the processes that used most of it.
func printCPU(w io.Writer, byName map[string]float64, machine float64, took time.Duration, pods int) {
	type entry struct {
		name string
		sec  float64
	}
	var es []entry
	for n, sec := range byName {
		es = append(es, entry{n, sec})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].sec > es[j].sec })
	var parts []string
	for _, e := range es {
		if e.sec < 0.05 || len(parts) == 8 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.2f", e.name, e.sec))
	}
	fmt.Fprintf(w, "CPU while starting: %.2f s busy of %.2f s x %d CPUs (%.0f ms per pod); by process (s, reaped children included): %s\n",
		machine, took.Seconds(), runtime.NumCPU(), machine/float64(pods)*1000, strings.Join(parts, ", "))
}

// readProcs reads the CPU times of every process.
func readProcs() map[procKey]procTimes {
	out := map[procKey]procTimes{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		k, t, ok := parseStat(pid, b)
		if ok {
			out[k] = t
		}
	}
	return out
}

// parseStat reads comm, utime, stime, cutime, cstime and starttime out of a /proc/<pid>/stat
// line; comm is in parentheses and may itself contain spaces and parentheses.
func parseStat(pid int, b []byte) (procKey, procTimes, bool) {
	open, closing := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || closing < open || closing+2 > len(b) {
		return procKey{}, procTimes{}, false
	}
	f := strings.Fields(string(b[closing+2:]))
	// After comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14) ... starttime(19).
	if len(f) < 20 {
		return procKey{}, procTimes{}, false
	}
	n := func(i int) uint64 { v, _ := strconv.ParseUint(f[i], 10, 64); return v }
	return procKey{pid, n(19)}, procTimes{comm: string(b[open+1 : closing]), self: n(11) + n(12), children: n(13) + n(14)}, true
}

// machineTicks is the machine's busy time in clock ticks: everything in /proc/stat's cpu
// line but idle and iowait.
func machineTicks() uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	var busy uint64
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest times are already in user
			continue
		}
		n, _ := strconv.ParseUint(v, 10, 64)
		busy += n
	}
	return busy
}
