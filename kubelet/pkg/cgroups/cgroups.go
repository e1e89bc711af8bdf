// Package cgroups keeps the pod level of the kubelet's cgroup tree, laid out by QoS class
// as upstream's kubelet does:
//
//	<root>/pod<uid>/<container>             Guaranteed
//	<root>/burstable/pod<uid>/<container>   Burstable
//	<root>/besteffort/pod<uid>/<container>  BestEffort
//
// A pod's cgroup carries the pod's limits (the sum of its containers', when every container
// has one), so its containers together cannot exceed them; besteffort gets the smallest CPU
// weight and burstable the sum of its pods' CPU requests, so that under contention CPU goes
// by request. The container level is the OCI runtime's (runc creates it under the pod's).
// Both cgroup v1 (one hierarchy per controller) and v2 (the unified hierarchy) are kept.
package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// QoS directories under the root; Guaranteed pods sit at the root itself.
const (
	Burstable  = "burstable"
	BestEffort = "besteffort"
)

const (
	minShares = 2
	maxShares = 262144
)

// Limits are a pod cgroup's settings; zero CPUQuota or MemoryLimit means unlimited.
type Limits struct {
	CPUShares   uint64
	CPUQuota    int64 // µs per CPUPeriod
	CPUPeriod   uint64
	MemoryLimit int64 // bytes
}

// Manager makes and removes pod cgroups under Root on the cgroup file system at Mount.
type Manager struct {
	// Mount is where the cgroup file system is mounted (/sys/fs/cgroup).
	Mount string
	// Root is the kubelet's cgroup, relative to each hierarchy (/seven/<namespace>).
	Root string
	// V2 says Mount is the unified hierarchy.
	V2 bool

	mu sync.Mutex // one QoS-level update at a time
}

// New returns a Manager for the machine's cgroups at mount: v2 when mount is a cgroup2
// file system, v1 (hybrid included: its controllers are in v1 hierarchies) otherwise.
func New(mount, root string) (*Manager, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(mount, &st); err != nil {
		return nil, fmt.Errorf("cgroups at %s: %w", mount, err)
	}
	return &Manager{Mount: mount, Root: root, V2: st.Type == unix.CGROUP2_SUPER_MAGIC}, nil
}

// Parent is the pod's cgroup relative to the hierarchies' top, for the containers' OCI
// cgroupsPath: qosDir is "", Burstable or BestEffort.
func (m *Manager) Parent(uid, qosDir string) string {
	return filepath.Join("/", m.Root, qosDir, "pod"+uid)
}

// EnsurePod makes the pod's cgroup (and its QoS level) and writes its limits; it may be
// called again for a pod that has one (a restarted kubelet does).
func (m *Manager) EnsurePod(uid, qosDir string, l Limits) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.ensureQoS(qosDir); err != nil {
		return err
	}
	pod := filepath.Join(m.Root, qosDir, "pod"+uid)
	if err := m.mkdir(pod); err != nil {
		return err
	}
	if err := m.write(pod, l); err != nil {
		return fmt.Errorf("pod cgroup %s: %w", pod, err)
	}
	if qosDir == Burstable {
		return m.updateBurstable()
	}
	return nil
}

// RemovePod removes the pod's cgroup wherever it is (the QoS class of an orphan is not
// known), with the empty container cgroups left under it. It fails while processes remain.
func (m *Manager) RemovePod(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, q := range []string{"", Burstable, BestEffort} {
		rel := filepath.Join(m.Root, q, "pod"+uid)
		for _, h := range m.hierarchies() {
			if err := removeTree(filepath.Join(h, rel)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := m.updateBurstable(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// RemoveRoot removes Root and every cgroup under it, in every hierarchy, and Root's parent
// where that is left empty: for tests and tools that are done with a kubelet and its
// containers. It fails while processes remain.
func (m *Manager) RemoveRoot() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, h := range m.hierarchies() {
		root := filepath.Join(h, m.Root)
		if err := removeTree(root); err != nil {
			errs = append(errs, err)
			continue
		}
		if parent := filepath.Dir(root); parent != h {
			_ = unix.Rmdir(parent) // fails while other kubelets' roots are in it
		}
	}
	return errors.Join(errs...)
}

// ensureQoS makes the root and the QoS level; besteffort gets the smallest CPU share.
func (m *Manager) ensureQoS(qosDir string) error {
	if err := m.mkdir(m.Root); err != nil {
		return err
	}
	if qosDir == "" {
		return nil
	}
	dir := filepath.Join(m.Root, qosDir)
	if err := m.mkdir(dir); err != nil {
		return err
	}
	if qosDir == BestEffort {
		return m.write(dir, Limits{CPUShares: minShares})
	}
	return nil
}

// updateBurstable sets burstable's CPU share to the sum of its pods' (at least the minimum).
func (m *Manager) updateBurstable() error {
	dir := filepath.Join(m.Root, Burstable)
	cpu := m.controllerDir("cpu", dir)
	ents, err := os.ReadDir(cpu)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var sum uint64
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "pod") {
			sum += m.readShares(filepath.Join(cpu, e.Name()))
		}
	}
	return m.write(dir, Limits{CPUShares: max(sum, minShares)})
}

// mkdir makes rel in the hierarchies the kubelet writes (cpu and memory, or the unified
// one), enabling the controllers for children on v2. runc makes the rest when it puts a
// container under it.
func (m *Manager) mkdir(rel string) error {
	if m.V2 {
		parts := strings.Split(strings.Trim(rel, "/"), "/")
		cur := m.Mount
		for _, p := range parts {
			// Children of cur get the cpu, memory and pids controllers.
			if err := enableControllers(cur); err != nil {
				return err
			}
			cur = filepath.Join(cur, p)
			if err := os.Mkdir(cur, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("make cgroup %s: %w", cur, err)
			}
		}
		return enableControllers(cur)
	}
	for _, c := range []string{"cpu", "memory"} {
		if err := os.MkdirAll(m.controllerDir(c, rel), 0o755); err != nil {
			return fmt.Errorf("make cgroup: %w", err)
		}
	}
	return nil
}

func enableControllers(dir string) error {
	f := filepath.Join(dir, "cgroup.subtree_control")
	cur, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // not a cgroup: the writes that follow say so
	}
	if err != nil {
		return fmt.Errorf("cgroup %s: %w", dir, err)
	}
	have := strings.Fields(string(cur))
	var add []string
	for _, c := range []string{"cpu", "memory", "pids"} {
		if !contains(have, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := os.WriteFile(f, []byte(strings.Join(add, " ")), 0o644); err != nil {
		return fmt.Errorf("enable %v in %s: %w", add, dir, err)
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// controllerDir is rel in the hierarchy of controller c (the unified one on v2).
func (m *Manager) controllerDir(c, rel string) string {
	if m.V2 {
		return filepath.Join(m.Mount, rel)
	}
	return filepath.Join(m.Mount, c, rel)
}

// write sets l on the cgroup rel: on v1 cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us and
// memory.limit_in_bytes; on v2 cpu.weight, cpu.max and memory.max. Zero shares leave the
// CPU share alone.
func (m *Manager) write(rel string, l Limits) error {
	period := l.CPUPeriod
	if period == 0 {
		period = 100000
	}
	var files [][2]string
	if m.V2 {
		if l.CPUShares > 0 {
			files = append(files, [2]string{"cpu.weight", strconv.FormatUint(SharesToWeight(l.CPUShares), 10)})
		}
		quota := "max"
		if l.CPUQuota > 0 {
			quota = strconv.FormatInt(l.CPUQuota, 10)
		}
		files = append(files, [2]string{"cpu.max", quota + " " + strconv.FormatUint(period, 10)})
		mem := "max"
		if l.MemoryLimit > 0 {
			mem = strconv.FormatInt(l.MemoryLimit, 10)
		}
		files = append(files, [2]string{"memory.max", mem})
	} else {
		if l.CPUShares > 0 {
			files = append(files, [2]string{"cpu/cpu.shares", strconv.FormatUint(l.CPUShares, 10)})
		}
		quota := int64(-1)
		if l.CPUQuota > 0 {
			quota = l.CPUQuota
		}
		files = append(files,
			[2]string{"cpu/cpu.cfs_period_us", strconv.FormatUint(period, 10)},
			[2]string{"cpu/cpu.cfs_quota_us", strconv.FormatInt(quota, 10)})
		mem := int64(-1)
		if l.MemoryLimit > 0 {
			mem = l.MemoryLimit
		}
		files = append(files, [2]string{"memory/memory.limit_in_bytes", strconv.FormatInt(mem, 10)})
	}
	for _, f := range files {
		var p string
		if m.V2 {
			p = filepath.Join(m.Mount, rel, f[0])
		} else {
			ctrl, name, _ := strings.Cut(f[0], "/")
			p = filepath.Join(m.controllerDir(ctrl, rel), name)
		}
		if err := os.WriteFile(p, []byte(f[1]), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}

// readShares is a cgroup's CPU share (v2: its weight turned back into shares); 0 when unset.
func (m *Manager) readShares(dir string) uint64 {
	name := "cpu.shares"
	if m.V2 {
		name = "cpu.weight"
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return 0
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0
	}
	if m.V2 {
		return WeightToShares(v)
	}
	return v
}

// SharesToWeight is the v2 cpu.weight (1..10000) for v1 cpu.shares (2..262144), the
// conversion runc and upstream's kubelet use.
func SharesToWeight(shares uint64) uint64 {
	shares = min(max(shares, minShares), maxShares)
	return 1 + ((shares-2)*9999)/262142
}

// WeightToShares inverts SharesToWeight: the fewest shares that give weight.
func WeightToShares(weight uint64) uint64 {
	weight = min(max(weight, 1), 10000)
	return 2 + ((weight-1)*262142+9998)/9999
}

// hierarchies are the cgroup hierarchies to clean: the unified one on v2; on v1 every
// hierarchy mounted under Mount (runc makes a container's path in each), once each.
func (m *Manager) hierarchies() []string {
	if m.V2 {
		return []string{m.Mount}
	}
	ents, err := os.ReadDir(m.Mount)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range ents {
		p := filepath.Join(m.Mount, e.Name())
		real, err := filepath.EvalSymlinks(p)
		if err != nil || seen[real] {
			continue
		}
		if st, err := os.Stat(real); err != nil || !st.IsDir() {
			continue
		}
		seen[real] = true
		out = append(out, real)
	}
	sort.Strings(out)
	return out
}

// removeTree removes the cgroup dir and the cgroups under it, deepest first (a cgroup
// directory goes with rmdir, its files with it; one with processes does not go).
func removeTree(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := removeTree(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := unix.Rmdir(dir); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove cgroup %s: %w", dir, err)
	}
	return nil
}
