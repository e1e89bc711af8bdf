package containerdrt

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/containers"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"seven.dev/kubelet/pkg/cgroups"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/logs"
)

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func podLabels(p container.PodRef, kind string) map[string]string {
	return map[string]string{
		container.LabelPodUID: p.UID, container.LabelPodNamespace: p.Namespace,
		container.LabelPodName: p.Name, container.LabelKind: kind,
	}
}

func (r *Runtime) image(ctx context.Context, ref string) (containerd.Image, error) {
	img, err := r.client.GetImage(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", ref, err)
	}
	if ok, _ := img.IsUnpacked(ctx, r.opts.Snapshotter); !ok {
		if err := img.Unpack(ctx, r.opts.Snapshotter); err != nil {
			return nil, fmt.Errorf("unpack %s: %w", ref, err)
		}
	}
	return img, nil
}

// withOOMScoreAdj sets the OOM score adjustment, never below the kubelet's own: lowering it
// needs CAP_SYS_RESOURCE, which sandboxed machines (and nested nodes) may not grant.
func withOOMScoreAdj(adj int) oci.SpecOpts {
	data, _ := os.ReadFile("/proc/self/oom_score_adj")
	if own, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && adj < own {
		adj = own
	}
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Process != nil {
			s.Process.OOMScoreAdj = &adj
		}
		return nil
	}
}

// shimGroup is the OCI annotation by which the runc v2 shim serves several tasks from one
// process: a pod's containers share its sandbox's shim (one shim per pod, as the CRI plugin
// does), which saves a shim start per container and its memory.
const shimGroup = "io.containerd.runc.v2.group"

// RunSandbox implements container.Runtime.
func (r *Runtime) RunSandbox(ctx context.Context, cfg *container.SandboxConfig) (*container.Sandbox, error) {
	ctx = r.ns(ctx)
	img, err := r.image(ctx, container.NormalizeImage(cfg.Image))
	if err != nil {
		return nil, fmt.Errorf("run sandbox of pod %s: %w", cfg.Pod.UID, err)
	}
	id := newID()
	labels := podLabels(cfg.Pod, kindSandbox)
	parent := r.opts.CgroupParent
	if pc := cfg.Cgroup; pc != nil {
		l := cgroups.Limits{CPUShares: pc.CPUShares, CPUQuota: pc.CPUQuota, CPUPeriod: pc.CPUPeriod, MemoryLimit: pc.MemoryLimit}
		if err := r.cgroups.EnsurePod(cfg.Pod.UID, pc.QoSDir, l); err != nil {
			return nil, fmt.Errorf("run sandbox of pod %s: %w", cfg.Pod.UID, err)
		}
		parent = r.cgroups.Parent(cfg.Pod.UID, pc.QoSDir)
		labels[labelPodCgroup] = parent
	}
	opts := []oci.SpecOpts{oci.WithImageConfig(img), oci.WithCgroup(parent + "/" + id), withOOMScoreAdj(-998),
		oci.WithAnnotations(map[string]string{shimGroup: id})}
	if cfg.HostNetwork {
		opts = append(opts, oci.WithHostNamespace(specs.NetworkNamespace), oci.WithHostNamespace(specs.UTSNamespace))
	} else {
		opts = append(opts, oci.WithHostname(cfg.Hostname))
		if cfg.NetNSPath != "" {
			opts = append(opts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: cfg.NetNSPath}))
		}
	}
	c, err := r.client.NewContainer(ctx, id,
		containerd.WithImage(img),
		containerd.WithNewSnapshot(id, img),
		containerd.WithNewSpec(opts...),
		containerd.WithContainerLabels(labels),
	)
	if err != nil {
		return nil, fmt.Errorf("run sandbox of pod %s: create: %w", cfg.Pod.UID, err)
	}
	r.index.add(cfg.Pod.UID, id)
	pid, err := r.startTask(ctx, c, cio.NullIO, cfg.Pod.UID)
	if err != nil {
		r.deleteFailed(ctx, c)
		return nil, fmt.Errorf("run sandbox of pod %s: %w", cfg.Pod.UID, err)
	}
	sb := &container.Sandbox{ID: id, PID: pid, Running: true}
	if !cfg.HostNetwork {
		sb.NetNSPath = fmt.Sprintf("/proc/%d/ns/net", pid)
	}
	return sb, nil
}

// deleteFailed removes a container whose task did not start; when that fails too the
// container stays in the pod's index, and the pod's cleanup removes it later.
func (r *Runtime) deleteFailed(ctx context.Context, c containerd.Container) {
	if err := c.Delete(ctx, containerd.WithSnapshotCleanup); err == nil || errdefs.IsNotFound(err) {
		r.index.remove(c.ID())
	}
}

// startTask creates and starts c's task, watching for its exit.
func (r *Runtime) startTask(ctx context.Context, c containerd.Container, ioc cio.Creator, uid string) (int, error) {
	t, err := c.NewTask(ctx, ioc)
	if err != nil {
		return 0, fmt.Errorf("create task: %w", err)
	}
	r.mu.Lock()
	r.monitored[c.ID()] = make(chan struct{})
	r.mu.Unlock()
	exitC, err := t.Wait(r.ctx)
	if err == nil {
		err = t.Start(ctx)
	}
	if err != nil {
		_, _ = t.Delete(ctx, containerd.WithProcessKill)
		r.mu.Lock()
		delete(r.monitored, c.ID())
		r.mu.Unlock()
		return 0, fmt.Errorf("start task: %w", err)
	}
	r.wg.Add(1)
	go r.watch(c, uid, exitC)
	return int(t.Pid()), nil
}

// monitor watches an adopted container's task, once.
func (r *Runtime) monitor(c containerd.Container, uid string) {
	r.mu.Lock()
	if _, ok := r.monitored[c.ID()]; ok || r.ctx.Err() != nil {
		r.mu.Unlock()
		return
	}
	r.monitored[c.ID()] = make(chan struct{})
	r.mu.Unlock()
	t, err := c.Task(r.ctx, nil)
	var exitC <-chan containerd.ExitStatus
	if err == nil {
		exitC, err = t.Wait(r.ctx)
	}
	if err != nil {
		r.mu.Lock()
		delete(r.monitored, c.ID())
		r.mu.Unlock()
		return
	}
	r.wg.Add(1)
	go r.watch(c, uid, exitC)
}

// watch records a task's exit into the container's labels, deletes the task and tells
// the subscribers.
func (r *Runtime) watch(c containerd.Container, uid string, exitC <-chan containerd.ExitStatus) {
	defer r.wg.Done()
	var st containerd.ExitStatus
	select {
	case st = <-exitC:
	case <-r.ctx.Done():
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	info, err := c.Info(ctx)
	if err == nil && info.Labels[container.LabelKind] == kindContainer {
		code := int(st.ExitCode())
		oom := oomKilled(info.Labels[labelCgroup])
		at := st.ExitTime()
		if at.IsZero() {
			at = time.Now()
		}
		msg := readMessage(info.Labels[labelTermFile])
		if _, err := c.SetLabels(ctx, map[string]string{
			labelExitCode: strconv.Itoa(code), labelFinishedAt: at.UTC().Format(time.RFC3339Nano),
			labelReason: exitReason(code, oom), labelMessage: msg,
		}); err != nil {
			r.log.Warn("record container exit", "id", c.ID(), "err", err)
		}
	}
	if t, err := c.Task(ctx, nil); err == nil {
		_, _ = t.Delete(ctx)
	}
	r.mu.Lock()
	if ch := r.monitored[c.ID()]; ch != nil {
		close(ch)
		r.monitored[c.ID()] = nil
	}
	r.mu.Unlock()
	r.notify(uid)
}

// oomKilled reads the oom_kill counter of a memory cgroup (v1 memory.oom_control, v2
// memory.events).
func oomKilled(cgroup string) bool {
	for _, f := range []string{
		filepath.Join("/sys/fs/cgroup/memory", cgroup, "memory.oom_control"),
		filepath.Join("/sys/fs/cgroup", cgroup, "memory.events"),
	} {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				fh.Close()
				return n > 0
			}
		}
		fh.Close()
	}
	return false
}

func readMessage(path string) string {
	if path == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(data) > 4096 {
		data = data[:4096]
	}
	return string(data)
}

// StartContainer implements container.Runtime.
func (r *Runtime) StartContainer(ctx context.Context, cfg *container.ContainerConfig) (string, error) {
	ctx = r.ns(ctx)
	sbc, err := r.client.LoadContainer(ctx, cfg.SandboxID)
	if err != nil {
		return "", fmt.Errorf("start %s: sandbox %s: %w", cfg.Name, cfg.SandboxID, err)
	}
	sbt, err := sbc.Task(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("start %s: sandbox %s: %w", cfg.Name, cfg.SandboxID, err)
	}
	img, err := r.image(ctx, cfg.Image)
	if err != nil {
		return "", fmt.Errorf("start %s: %w", cfg.Name, err)
	}
	sbInfo, err := sbc.Info(ctx, containerd.WithoutRefreshedMetadata)
	if err != nil {
		return "", fmt.Errorf("start %s: sandbox %s: %w", cfg.Name, cfg.SandboxID, err)
	}
	parent := sbInfo.Labels[labelPodCgroup]
	if parent == "" { // a sandbox without a pod cgroup
		parent = r.opts.CgroupParent
	}
	id := newID()
	cgroup := parent + "/" + id
	if err := os.MkdirAll(filepath.Dir(cfg.LogPath), 0o755); err != nil {
		return "", fmt.Errorf("start %s: log dir: %w", cfg.Name, err)
	}
	termFile := strings.TrimSuffix(cfg.LogPath, ".log") + ".termination-log"
	if err := os.WriteFile(termFile, nil, 0o666); err != nil {
		return "", fmt.Errorf("start %s: termination log: %w", cfg.Name, err)
	}
	opts := []oci.SpecOpts{oci.WithImageConfig(img), oci.WithAnnotations(map[string]string{shimGroup: cfg.SandboxID})}
	switch {
	case len(cfg.Command) > 0:
		opts = append(opts, oci.WithProcessArgs(append(append([]string{}, cfg.Command...), cfg.Args...)...))
	case len(cfg.Args) > 0:
		opts = append(opts, oci.WithImageConfigArgs(img, cfg.Args))
	}
	if cfg.WorkingDir != "" {
		opts = append(opts, oci.WithProcessCwd(cfg.WorkingDir))
	}
	pid := sbt.Pid()
	opts = append(opts,
		oci.WithEnv(cfg.Env),
		oci.WithCgroup(cgroup),
		oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.IPCNamespace, Path: fmt.Sprintf("/proc/%d/ns/ipc", pid)}),
		oci.WithMounts([]specs.Mount{{Destination: cfg.TerminationMessagePath, Type: "bind", Source: termFile, Options: []string{"rbind", "rw"}}}),
		withOOMScoreAdj(cfg.Resources.OOMScoreAdj),
	)
	hasEtc := map[string]bool{}
	for _, m := range cfg.Mounts {
		hasEtc[m.Destination] = true
	}
	if cfg.HostNetwork {
		opts = append(opts, oci.WithHostNamespace(specs.NetworkNamespace), oci.WithHostNamespace(specs.UTSNamespace))
		if !hasEtc["/etc/hosts"] {
			opts = append(opts, oci.WithHostHostsFile)
		}
	} else {
		opts = append(opts,
			oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: fmt.Sprintf("/proc/%d/ns/net", pid)}),
			oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.UTSNamespace, Path: fmt.Sprintf("/proc/%d/ns/uts", pid)}))
	}
	if !hasEtc["/etc/resolv.conf"] {
		opts = append(opts, oci.WithHostResolvconf)
	}
	if len(cfg.Mounts) > 0 {
		opts = append(opts, oci.WithMounts(bindMounts(cfg.Mounts)))
	}
	res := cfg.Resources
	if res.CPUShares > 0 {
		opts = append(opts, oci.WithCPUShares(res.CPUShares))
	}
	if res.CPUQuota > 0 {
		opts = append(opts, oci.WithCPUCFS(res.CPUQuota, res.CPUPeriod))
	}
	if res.MemoryLimit > 0 {
		opts = append(opts, oci.WithMemoryLimit(uint64(res.MemoryLimit)), withNoSwap(res.MemoryLimit))
	}
	if cfg.Privileged {
		opts = append(opts, oci.WithPrivileged, oci.WithAllDevicesAllowed, oci.WithHostDevices)
	}
	labels := podLabels(cfg.Pod, kindContainer)
	labels[container.LabelContainerName] = cfg.Name
	labels[container.LabelAttempt] = strconv.Itoa(cfg.Attempt)
	labels[labelImage] = cfg.Image
	labels[labelImageRef] = imageID(img)
	labels[labelCgroup] = cgroup
	labels[labelTermFile] = termFile
	labels[labelLogPath] = cfg.LogPath
	labels[labelStartedAt] = time.Now().UTC().Format(time.RFC3339Nano)
	c, err := r.client.NewContainer(ctx, id,
		containerd.WithImage(img),
		containerd.WithNewSnapshot(id, img),
		containerd.WithNewSpec(opts...),
		containerd.WithContainerLabels(labels),
	)
	if err != nil {
		return "", fmt.Errorf("create container %s of pod %s: %w", cfg.Name, cfg.Pod.UID, err)
	}
	r.index.add(cfg.Pod.UID, id)
	if _, err := r.startTask(ctx, c, r.logIO(cfg.LogPath), cfg.Pod.UID); err != nil {
		r.deleteFailed(ctx, c)
		return "", fmt.Errorf("start container %s of pod %s: %w", cfg.Name, cfg.Pod.UID, err)
	}
	if _, err := c.SetLabels(ctx, map[string]string{labelStartedAt: time.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
		r.log.Debug("label start time", "id", id, "err", err)
	}
	return id, nil
}

// withNoSwap sets memory+swap to the memory limit, so that exceeding it OOM-kills.
func withNoSwap(limit int64) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Linux != nil && s.Linux.Resources != nil && s.Linux.Resources.Memory != nil {
			s.Linux.Resources.Memory.Swap = &limit
		}
		return nil
	}
}

func bindMounts(ms []container.Mount) []specs.Mount {
	out := make([]specs.Mount, 0, len(ms))
	for _, m := range ms {
		o := []string{"rbind", "rprivate", "rw"}
		if m.ReadOnly {
			o[2] = "ro"
		}
		out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: m.Source, Options: o})
	}
	return out
}

// logIO writes a container's output to its log file: through the log binary when there is
// one (CRI format, rotated; it runs under the shim, so logging goes on while the kubelet
// restarts), else raw through the shim.
func (r *Runtime) logIO(path string) cio.Creator {
	if r.opts.LogBinary == "" {
		return cio.LogFile(path)
	}
	return cio.BinaryIO(r.opts.LogBinary, map[string]string{logs.LoggerArg: fmt.Sprintf("%d:%d:%s", r.opts.LogMaxSize, r.opts.LogMaxFiles, path)})
}
