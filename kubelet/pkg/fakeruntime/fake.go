package fakeruntime

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"sync"
	"time"

	"seven.dev/kubelet/pkg/container"
)

// Runtime is an in-memory container.Runtime.
type Runtime struct {
	mu     sync.Mutex
	next   int
	pods   map[string]*container.PodStatus // by pod UID
	byID   map[string]*container.ContainerStatus
	podOf  map[string]string // container ID -> pod UID
	subs   []func(string)
	images map[string]bool
	// Missing lists images that "do not exist": EnsureImage fails for them.
	Missing map[string]bool
}

var _ container.Runtime = (*Runtime)(nil)

// New returns an empty fake runtime.
func New() *Runtime {
	return &Runtime{
		pods:    map[string]*container.PodStatus{},
		byID:    map[string]*container.ContainerStatus{},
		podOf:   map[string]string{},
		images:  map[string]bool{},
		Missing: map[string]bool{},
	}
}

// Version implements container.Runtime.
func (r *Runtime) Version(context.Context) (string, error) { return "fake://0.1.0", nil }

// EnsureImage implements container.Runtime.
func (r *Runtime) EnsureImage(_ context.Context, image string, _ container.ImageOptions) (string, string, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Missing[image] {
		return "", "", false, fmt.Errorf("pull %s: %w", image, container.ErrImageNotFound)
	}
	pulled := !r.images[image]
	r.images[image] = true
	return image, fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(image))), pulled, nil
}

func (r *Runtime) id() string {
	r.next++
	return fmt.Sprintf("%016x", r.next)
}

// RunSandbox implements container.Runtime.
func (r *Runtime) RunSandbox(_ context.Context, cfg *container.SandboxConfig) (*container.Sandbox, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pods[cfg.Pod.UID]
	if p == nil {
		p = &container.PodStatus{Pod: cfg.Pod}
		r.pods[cfg.Pod.UID] = p
	}
	p.Sandbox = &container.Sandbox{ID: r.id(), Running: true, PID: r.next}
	sb := *p.Sandbox
	return &sb, nil
}

// RemoveSandbox implements container.Runtime.
func (r *Runtime) RemoveSandbox(_ context.Context, pod container.PodRef) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pods[pod.UID]; p != nil {
		for _, c := range p.Containers {
			delete(r.byID, c.ID)
			delete(r.podOf, c.ID)
		}
		delete(r.pods, pod.UID)
	}
	return nil
}

// StartContainer implements container.Runtime.
func (r *Runtime) StartContainer(_ context.Context, cfg *container.ContainerConfig) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pods[cfg.Pod.UID]
	if p == nil || p.Sandbox == nil {
		return "", fmt.Errorf("start %s of pod %s: sandbox: %w", cfg.Name, cfg.Pod.UID, container.ErrNotFound)
	}
	now := time.Now()
	c := &container.ContainerStatus{
		ID: r.id(), Name: cfg.Name, Attempt: cfg.Attempt, State: container.StateRunning, PID: r.next,
		CreatedAt: now, StartedAt: now, Image: cfg.Image,
		ImageRef: fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(cfg.Image))),
	}
	p.Containers = append(p.Containers, c)
	r.byID[c.ID] = c
	r.podOf[c.ID] = cfg.Pod.UID
	return c.ID, nil
}

// Exit makes a running container exit with code (a test hook), and tells subscribers.
func (r *Runtime) Exit(id string, code int) {
	r.mu.Lock()
	c := r.byID[id]
	uid := r.podOf[id]
	if c != nil && c.State == container.StateRunning {
		c.State, c.ExitCode, c.FinishedAt, c.PID = container.StateExited, code, time.Now(), 0
		c.Reason = "Completed"
		if code != 0 {
			c.Reason = "Error"
		}
	}
	subs := append([]func(string){}, r.subs...)
	r.mu.Unlock()
	for _, fn := range subs {
		fn(uid)
	}
}

// StopContainer implements container.Runtime.
func (r *Runtime) StopContainer(_ context.Context, id string, _ time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.byID[id]
	if c == nil {
		return fmt.Errorf("stop %s: %w", id, container.ErrNotFound)
	}
	if c.State == container.StateRunning {
		c.State, c.ExitCode, c.Signal, c.Reason, c.FinishedAt, c.PID = container.StateExited, 137, 9, "Error", time.Now(), 0
	}
	return nil
}

// RemoveContainer implements container.Runtime.
func (r *Runtime) RemoveContainer(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	uid := r.podOf[id]
	delete(r.byID, id)
	delete(r.podOf, id)
	if p := r.pods[uid]; p != nil {
		for i, c := range p.Containers {
			if c.ID == id {
				p.Containers = append(p.Containers[:i], p.Containers[i+1:]...)
				break
			}
		}
	}
	return nil
}

func clone(p *container.PodStatus) *container.PodStatus {
	out := &container.PodStatus{Pod: p.Pod}
	if p.Sandbox != nil {
		sb := *p.Sandbox
		out.Sandbox = &sb
	}
	for _, c := range p.Containers {
		cc := *c
		out.Containers = append(out.Containers, &cc)
	}
	return out
}

// PodStatus implements container.Runtime.
func (r *Runtime) PodStatus(_ context.Context, pod container.PodRef) (*container.PodStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pods[pod.UID]; p != nil {
		return clone(p), nil
	}
	return &container.PodStatus{Pod: pod}, nil
}

// ListPods implements container.Runtime.
func (r *Runtime) ListPods(context.Context) ([]*container.PodStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*container.PodStatus, 0, len(r.pods))
	for _, p := range r.pods {
		out = append(out, clone(p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pod.UID < out[j].Pod.UID })
	return out, nil
}

// Subscribe implements container.Runtime.
func (r *Runtime) Subscribe(fn func(string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subs = append(r.subs, fn)
}

// Exec implements container.Runtime: a hollow container runs nothing, so every command
// fails with exit code 126 (cannot execute).
func (r *Runtime) Exec(_ context.Context, id string, _ container.ExecOptions) (int, error) {
	return 126, nil
}
