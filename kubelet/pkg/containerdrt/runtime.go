package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	apitask "github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"

	"seven.dev/kubelet/pkg/cgroups"
	"seven.dev/kubelet/pkg/container"
)

// Labels written when a container exits.
const (
	labelStartedAt  = "seven.dev/started-at"
	labelFinishedAt = "seven.dev/finished-at"
	labelExitCode   = "seven.dev/exit-code"
	labelReason     = "seven.dev/reason"
	labelMessage    = "seven.dev/message"
	labelImageRef   = "seven.dev/image-ref"
	labelImage      = "seven.dev/image"
	labelCgroup     = "seven.dev/cgroup"
	// labelPodCgroup, on a sandbox, is the pod's cgroup its containers go under.
	labelPodCgroup = "seven.dev/pod-cgroup"
	labelTermFile  = "seven.dev/termination-file"
	labelLogPath   = "seven.dev/log-path"
	kindSandbox    = "sandbox"
	kindContainer  = "container"
)

// Options configure the runtime.
type Options struct {
	// Address is containerd's socket ("/run/containerd/containerd.sock"; a "unix://" prefix
	// is accepted).
	Address string
	// Namespace is the containerd namespace; default "seven".
	Namespace string
	// Snapshotter defaults to "overlayfs".
	Snapshotter string
	// InsecureRegistries are "host:port" registries spoken to over plain HTTP.
	InsecureRegistries []string
	// Mirrors send pulls for a registry host ("docker.io", or "*" for any other) to these
	// endpoints instead, tried in order (see ParseMirror); the registry itself is not tried.
	Mirrors map[string][]*url.URL
	// CgroupParent is the root of the pods' cgroups (see package cgroups); default
	// "/seven/<namespace>".
	CgroupParent string
	// CgroupMount is where the cgroup file system is; default /sys/fs/cgroup.
	CgroupMount string
	// LogBinary, when set, is the program the shim runs to write containers' logs, as
	// `<LogBinary> logs.LoggerArg <spec>` (seven-container-logger, or the kubelet binary
	// itself); empty writes raw output through the shim.
	LogBinary string
	// LogMaxSize and LogMaxFiles bound each container's log files
	// (--container-log-max-size, --container-log-max-files); defaults 10 MiB and 5.
	LogMaxSize  int64
	LogMaxFiles int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Runtime is container.Runtime on containerd.
type Runtime struct {
	opts    Options
	client  *containerd.Client
	cgroups *cgroups.Manager
	log     *slog.Logger
	ctx     context.Context // the lifetime of the exit monitors
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	index podIndex

	mu        sync.Mutex
	subs      []func(string)
	monitored map[string]chan struct{} // closed once the exit is recorded
}

var _ container.Runtime = (*Runtime)(nil)

// New connects to containerd. Close releases it.
func New(opts Options) (*Runtime, error) {
	if opts.Namespace == "" {
		opts.Namespace = "seven"
	}
	if opts.Snapshotter == "" {
		opts.Snapshotter = "overlayfs"
	}
	if opts.CgroupParent == "" {
		opts.CgroupParent = "/seven/" + opts.Namespace
	}
	if opts.CgroupMount == "" {
		opts.CgroupMount = "/sys/fs/cgroup"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.LogMaxSize <= 0 {
		opts.LogMaxSize = 10 << 20
	}
	if opts.LogMaxFiles <= 0 {
		opts.LogMaxFiles = 5
	}
	addr := trimUnix(opts.Address)
	c, err := containerd.New(addr, containerd.WithDefaultNamespace(opts.Namespace), containerd.WithTimeout(10*time.Second))
	if err != nil {
		return nil, fmt.Errorf("connect to containerd at %s: %w", addr, err)
	}
	cg, err := cgroups.New(opts.CgroupMount, opts.CgroupParent)
	if err != nil {
		c.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(namespaces.WithNamespace(context.Background(), opts.Namespace))
	return &Runtime{opts: opts, client: c, cgroups: cg, log: opts.Logger, ctx: ctx, cancel: cancel, monitored: map[string]chan struct{}{}}, nil
}

func trimUnix(a string) string {
	if len(a) > 7 && a[:7] == "unix://" {
		return a[7:]
	}
	return a
}

// Close stops the exit monitors and closes the connection; containers keep running.
func (r *Runtime) Close() error {
	r.cancel()
	r.wg.Wait()
	return r.client.Close()
}

// Client returns the containerd client (tests use it to look around).
func (r *Runtime) Client() *containerd.Client { return r.client }

func (r *Runtime) ns(ctx context.Context) context.Context {
	return namespaces.WithNamespace(ctx, r.opts.Namespace)
}

// Version implements container.Runtime.
func (r *Runtime) Version(ctx context.Context) (string, error) {
	v, err := r.client.Version(r.ns(ctx))
	if err != nil {
		return "", fmt.Errorf("containerd version: %w", err)
	}
	return "containerd://" + v.Version, nil
}

// Subscribe implements container.Runtime.
func (r *Runtime) Subscribe(fn func(string)) {
	r.mu.Lock()
	r.subs = append(r.subs, fn)
	r.mu.Unlock()
}

func (r *Runtime) notify(uid string) {
	r.mu.Lock()
	subs := append([]func(string){}, r.subs...)
	r.mu.Unlock()
	for _, fn := range subs {
		fn(uid)
	}
}

type taskInfo struct {
	pid      int
	status   apitask.Status
	exitCode uint32
	exitedAt time.Time
}

func (r *Runtime) tasks(ctx context.Context) (map[string]taskInfo, error) {
	resp, err := r.client.TaskService().List(ctx, &tasksapi.ListTasksRequest{})
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	out := map[string]taskInfo{}
	for _, t := range resp.Tasks {
		ti := taskInfo{pid: int(t.Pid), status: t.Status, exitCode: t.ExitStatus}
		if t.ExitedAt != nil {
			ti.exitedAt = t.ExitedAt.AsTime()
		}
		out[t.ID] = ti
	}
	return out, nil
}

// taskOf is the task of one container (ok false when it has none). It asks that container's
// shim alone, where listing every task asks every shim of the namespace: with many pods
// starting at once, a busy shim made each list wait and time out.
func (r *Runtime) taskOf(ctx context.Context, id string) (taskInfo, bool, error) {
	resp, err := r.client.TaskService().Get(ctx, &tasksapi.GetRequest{ContainerID: id})
	if errdefs.IsNotFound(errdefs.FromGRPC(err)) {
		return taskInfo{}, false, nil
	}
	if err != nil {
		return taskInfo{}, false, fmt.Errorf("task of %s: %w", id, err)
	}
	t := resp.Process
	ti := taskInfo{pid: int(t.Pid), status: t.Status, exitCode: t.ExitStatus}
	if t.ExitedAt != nil {
		ti.exitedAt = t.ExitedAt.AsTime()
	}
	return ti, true, nil
}

// PodStatus implements container.Runtime. It reads only the pod's own containers and asks
// only the pod's own shim.
func (r *Runtime) PodStatus(ctx context.Context, pod container.PodRef) (*container.PodStatus, error) {
	ctx = r.ns(ctx)
	cs, err := r.podContainers(ctx, pod.UID)
	if err != nil {
		return nil, err
	}
	pods, err := r.list(ctx, cs, true)
	if err != nil {
		return nil, err
	}
	if len(pods) == 0 {
		return &container.PodStatus{Pod: pod}, nil
	}
	return pods[0], nil
}

// ListPods implements container.Runtime.
func (r *Runtime) ListPods(ctx context.Context) ([]*container.PodStatus, error) {
	ctx = r.ns(ctx)
	cs, err := r.client.Containers(ctx, fmt.Sprintf("labels.%q", container.LabelPodUID))
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	r.index.addAll(ctx, cs)
	return r.list(ctx, cs, false)
}

// list builds the pods of the containers cs; their tasks come from one list of every task,
// or, with perContainer (a single pod's few containers), from their own shims.
func (r *Runtime) list(ctx context.Context, cs []containerd.Container, perContainer bool) ([]*container.PodStatus, error) {
	var tasks map[string]taskInfo
	var err error
	if perContainer {
		tasks = map[string]taskInfo{}
		for _, c := range cs {
			ti, ok, err := r.taskOf(ctx, c.ID())
			if err != nil {
				return nil, err
			}
			if ok {
				tasks[c.ID()] = ti
			}
		}
	} else if tasks, err = r.tasks(ctx); err != nil {
		return nil, err
	}
	byUID := map[string]*container.PodStatus{}
	var order []*container.PodStatus
	for _, c := range cs {
		info, err := c.Info(ctx, containerd.WithoutRefreshedMetadata)
		if err != nil {
			continue
		}
		l := info.Labels
		uid := l[container.LabelPodUID]
		p := byUID[uid]
		if p == nil {
			p = &container.PodStatus{Pod: container.PodRef{UID: uid, Namespace: l[container.LabelPodNamespace], Name: l[container.LabelPodName]}}
			byUID[uid] = p
			order = append(order, p)
		}
		t, hasTask := tasks[c.ID()]
		if l[container.LabelKind] == kindSandbox {
			sb := &container.Sandbox{ID: c.ID()}
			if hasTask && t.status == apitask.Status_RUNNING {
				sb.Running, sb.PID = true, t.pid
				sb.NetNSPath = fmt.Sprintf("/proc/%d/ns/net", t.pid)
			}
			p.Sandbox = sb
			continue
		}
		cst := &container.ContainerStatus{ID: c.ID(), Name: l[container.LabelContainerName], CreatedAt: info.CreatedAt,
			Image: l[labelImage], ImageRef: l[labelImageRef], LogPath: l[labelLogPath], Cgroup: l[labelCgroup]}
		cst.Attempt, _ = strconv.Atoi(l[container.LabelAttempt])
		cst.StartedAt, _ = time.Parse(time.RFC3339Nano, l[labelStartedAt])
		switch {
		case l[labelExitCode] != "":
			cst.State = container.StateExited
			cst.ExitCode, _ = strconv.Atoi(l[labelExitCode])
			cst.FinishedAt, _ = time.Parse(time.RFC3339Nano, l[labelFinishedAt])
			cst.Reason, cst.Message = l[labelReason], l[labelMessage]
		case hasTask && t.status == apitask.Status_RUNNING:
			cst.State, cst.PID = container.StateRunning, t.pid
			r.monitor(c, uid)
		case hasTask && t.status == apitask.Status_CREATED:
			cst.State = container.StateCreated
		case hasTask && t.status == apitask.Status_STOPPED:
			// Exited, not yet recorded: the monitor records it.
			cst.State, cst.ExitCode, cst.FinishedAt = container.StateExited, int(t.exitCode), t.exitedAt
			cst.Reason = exitReason(int(t.exitCode), false)
			r.monitor(c, uid)
		default:
			cst.State, cst.ExitCode, cst.Reason = container.StateExited, 128, "ContainerStatusUnknown"
			cst.Message = "The container could not be located when the pod was terminated"
		}
		p.Containers = append(p.Containers, cst)
	}
	return order, nil
}

func exitReason(code int, oom bool) string {
	switch {
	case oom:
		return "OOMKilled"
	case code == 0:
		return "Completed"
	}
	return "Error"
}

// StopContainer implements container.Runtime.
func (r *Runtime) StopContainer(ctx context.Context, id string, grace time.Duration) error {
	ctx = r.ns(ctx)
	c, err := r.client.LoadContainer(ctx, id)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stop container %s: %w", id, err)
	}
	t, err := c.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stop container %s: task: %w", id, err)
	}
	done, err := t.Wait(ctx)
	if err != nil {
		return fmt.Errorf("stop container %s: wait: %w", id, err)
	}
	if grace > 0 {
		if err := t.Kill(ctx, syscall.SIGTERM); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("stop container %s: SIGTERM: %w", id, err)
		}
		select {
		case <-done:
			r.waitRecorded(id)
			return nil
		case <-time.After(grace):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := t.Kill(ctx, syscall.SIGKILL, containerd.WithKillAll); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("stop container %s: SIGKILL: %w", id, err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("stop container %s: still running 10s after SIGKILL", id)
	case <-ctx.Done():
		return ctx.Err()
	}
	r.waitRecorded(id)
	return nil
}

func (r *Runtime) waitRecorded(id string) {
	r.mu.Lock()
	ch := r.monitored[id]
	r.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
	}
}

// RemoveContainer implements container.Runtime.
func (r *Runtime) RemoveContainer(ctx context.Context, id string) error {
	ctx = r.ns(ctx)
	c, err := r.client.LoadContainer(ctx, id)
	if errdefs.IsNotFound(err) {
		r.index.remove(id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	if t, err := c.Task(ctx, nil); err == nil {
		if _, err := t.Delete(ctx, containerd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove container %s: delete task: %w", id, err)
		}
	}
	if err := c.Delete(ctx, containerd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	r.index.remove(id)
	r.mu.Lock()
	delete(r.monitored, id)
	r.mu.Unlock()
	return nil
}

// RemoveSandbox implements container.Runtime.
func (r *Runtime) RemoveSandbox(ctx context.Context, pod container.PodRef) error {
	p, err := r.PodStatus(ctx, pod)
	if err != nil {
		return err
	}
	if p.Sandbox == nil {
		return r.removePodCgroup(pod.UID)
	}
	var errs []error
	for _, c := range p.Containers {
		if c.State == container.StateRunning {
			errs = append(errs, r.StopContainer(ctx, c.ID, 0))
		}
	}
	if err := r.StopContainer(ctx, p.Sandbox.ID, 0); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, r.RemoveContainer(ctx, p.Sandbox.ID))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return r.removePodCgroup(pod.UID)
}

// removePodCgroup removes the pod's cgroup once its containers are gone.
func (r *Runtime) removePodCgroup(uid string) error {
	if err := r.cgroups.RemovePod(uid); err != nil {
		return fmt.Errorf("remove cgroup of pod %s: %w", uid, err)
	}
	return nil
}

// Purge kills and removes every task and container of the containerd namespace at address
// and the pods' cgroups under the default cgroup root of that namespace: what a test or a
// benchmark does when it is done with a kubelet. Images stay.
func Purge(ctx context.Context, address, namespace string) error {
	c, err := containerd.New(trimUnix(address), containerd.WithTimeout(5*time.Second))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, namespace)
	cs, err := c.Containers(ctx)
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	var errs []error
	for _, ctr := range cs {
		if t, err := ctr.Task(ctx, nil); err == nil {
			if _, err := t.Delete(ctx, containerd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
				errs = append(errs, err)
			}
		}
		if err := ctr.Delete(ctx, containerd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	cg, err := cgroups.New("/sys/fs/cgroup", "/seven/"+namespace)
	if err == nil {
		err = cg.RemoveRoot()
	}
	return errors.Join(append(errs, err)...)
}
