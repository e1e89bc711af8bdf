package kubelet

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"seven.dev/api/core"
	"seven.dev/api/resource"
)

// MachineCapacity measures cpu, memory and ephemeral storage of the machine, lowered to
// the limits of the kubelet's own cgroup where one is set, and pods=110.
func MachineCapacity(rootDir string) core.ResourceList {
	milliCPU := int64(runtime.NumCPU()) * 1000
	if q := cgroupCPULimitMilli(); q > 0 && q < milliCPU {
		milliCPU = q
	}
	mem := memTotal()
	if l := cgroupMemoryLimit(); l > 0 && l < mem {
		mem = l
	}
	var st syscall.Statfs_t
	var disk int64
	dir := rootDir
	for dir != "/" && dir != "." {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	if err := syscall.Statfs(dir, &st); err == nil {
		disk = int64(st.Blocks) * st.Bsize
	}
	return core.ResourceList{
		core.ResourceCPU:              *resource.NewMilliQuantity(milliCPU, resource.DecimalSI),
		core.ResourceMemory:           *resource.NewQuantity(mem, resource.BinarySI),
		core.ResourceEphemeralStorage: *resource.NewQuantity(disk, resource.BinarySI),
		core.ResourcePods:             *resource.NewQuantity(110, resource.DecimalSI),
	}
}

func memTotal() int64 { return meminfo("MemTotal") }

// meminfo returns a /proc/meminfo field in bytes.
func meminfo(field string) int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == field {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n * 1024
		}
	}
	return 0
}

// ownCgroup returns the path of this process's cgroup for controller ("" for v2).
func ownCgroup(controller string) (string, bool) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				return parts[2], true
			}
		}
	}
	return "", false
}

func readInt(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(data)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func cgroupMemoryLimit() int64 {
	if p, ok := ownCgroup("memory"); ok {
		if l := readInt(filepath.Join("/sys/fs/cgroup/memory", p, "memory.limit_in_bytes")); l > 0 && l < 1<<62 {
			return l
		}
		return 0
	}
	if p, ok := ownCgroup(""); ok {
		return readInt(filepath.Join("/sys/fs/cgroup", p, "memory.max"))
	}
	return 0
}

func cgroupCPULimitMilli() int64 {
	if p, ok := ownCgroup("cpu"); ok {
		q := readInt(filepath.Join("/sys/fs/cgroup/cpu", p, "cpu.cfs_quota_us"))
		per := readInt(filepath.Join("/sys/fs/cgroup/cpu", p, "cpu.cfs_period_us"))
		if q > 0 && per > 0 {
			return q * 1000 / per
		}
		return 0
	}
	if p, ok := ownCgroup(""); ok {
		data, _ := os.ReadFile(filepath.Join("/sys/fs/cgroup", p, "cpu.max"))
		f := strings.Fields(string(data))
		if len(f) == 2 && f[0] != "max" {
			q, _ := strconv.ParseInt(f[0], 10, 64)
			per, _ := strconv.ParseInt(f[1], 10, 64)
			if per > 0 {
				return q * 1000 / per
			}
		}
	}
	return 0
}

// DefaultNodeIP returns the first global unicast IPv4 address of the machine, or "".
func DefaultNodeIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

func firstLine(path string) string {
	data, _ := os.ReadFile(path)
	s, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(s)
}

func osImage() string {
	data, _ := os.ReadFile("/etc/os-release")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Linux"
}

func systemInfo(runtimeVersion string) core.NodeSystemInfo {
	return core.NodeSystemInfo{
		MachineID:               firstLine("/etc/machine-id"),
		SystemUUID:              firstLine("/sys/class/dmi/id/product_uuid"),
		BootID:                  firstLine("/proc/sys/kernel/random/boot_id"),
		KernelVersion:           firstLine("/proc/sys/kernel/osrelease"),
		OSImage:                 osImage(),
		ContainerRuntimeVersion: runtimeVersion,
		KubeletVersion:          Version,
		KubeProxyVersion:        Version,
		OperatingSystem:         runtime.GOOS,
		Architecture:            runtime.GOARCH,
	}
}
