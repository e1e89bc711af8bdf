package container

import (
	"context"
	"errors"
	"github.com/distribution/reference"
	"io"
	"time"

	"seven.dev/api/core"
)

// Sentinel errors of Runtime implementations, checked with errors.Is.
var (
	// ErrImageNotFound says an image is not present locally (and a pull was not asked for)
	// or the registry does not have it.
	ErrImageNotFound = errors.New("image not found")
	// ErrNotFound says a sandbox or container does not exist.
	ErrNotFound = errors.New("not found")
)

// State is the coarse state of a container.
type State string

// Values of State.
const (
	StateCreated State = "Created"
	StateRunning State = "Running"
	StateExited  State = "Exited"
	StateUnknown State = "Unknown"
)

// Labels the runtimes put on sandboxes and containers, so that a restarted kubelet can
// find what belongs to which pod.
const (
	LabelPodUID        = "seven.dev/pod-uid"
	LabelPodName       = "seven.dev/pod-name"
	LabelPodNamespace  = "seven.dev/pod-namespace"
	LabelContainerName = "seven.dev/container-name"
	LabelAttempt       = "seven.dev/attempt"
	LabelKind          = "seven.dev/kind" // "sandbox" or "container"
)

// PodRef names a pod.
type PodRef struct {
	UID, Namespace, Name string
}

// SandboxConfig is what RunSandbox needs.
type SandboxConfig struct {
	Pod         PodRef
	Hostname    string
	HostNetwork bool
	// Image is the pod infra (pause) image.
	Image string
	// LogDir holds the containers' log files.
	LogDir string
	// NetNSPath is the network namespace to join (made by the network plugin); "" makes a
	// new one (or, with HostNetwork, uses the node's).
	NetNSPath string
	// Cgroup, when set, is the pod's cgroup, made before the sandbox; the pod's containers
	// go under it. Nil puts them straight under the runtime's cgroup root.
	Cgroup *PodCgroup
}

// PodCgroup is the pod level of the cgroup tree: its QoS directory ("", "burstable" or
// "besteffort") and the pod's limits (zero quota or memory: unlimited).
type PodCgroup struct {
	QoSDir      string
	CPUShares   uint64
	CPUQuota    int64
	CPUPeriod   uint64
	MemoryLimit int64
}

// Sandbox is a pod's running sandbox.
type Sandbox struct {
	ID string
	// NetNSPath is the network namespace the pod's containers share ("" for host network).
	NetNSPath string
	// PID is the sandbox process, 0 when it is not running.
	PID     int
	Running bool
}

// ContainerConfig is what StartContainer needs.
type ContainerConfig struct {
	Pod       PodRef
	SandboxID string
	Name      string
	Attempt   int
	// Image is a reference already present locally (EnsureImage returned it).
	Image      string
	Command    []string
	Args       []string
	WorkingDir string
	Env        []string // "K=V"
	// LogPath receives the container's stdout and stderr.
	LogPath string
	// Resources are the cgroup settings.
	Resources Resources
	// TerminationMessagePath is a file inside the container read after exit.
	TerminationMessagePath string
	Privileged             bool
	// HostNetwork runs the container in the node's network namespace.
	HostNetwork bool
	// Mounts are bind mounts (volumes, /etc/hosts, /etc/resolv.conf), in order.
	Mounts []Mount
}

// Mount is a bind mount of a node path into a container.
type Mount struct {
	Source, Destination string
	ReadOnly            bool
}

// TermSize is a terminal's size.
type TermSize struct {
	Width, Height uint16
}

// ExecOptions say what to run in a container and where its streams go; nil streams are
// not attached.
type ExecOptions struct {
	Command []string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// TTY allocates a terminal; Stderr is then unused (merged into Stdout).
	TTY bool
	// Resize carries terminal size changes (with TTY); may be nil.
	Resize <-chan TermSize
}

// Resources are a container's cgroup settings; zero means unset.
type Resources struct {
	CPUShares   uint64
	CPUQuota    int64
	CPUPeriod   uint64
	MemoryLimit int64
	OOMScoreAdj int
}

// ContainerStatus is what a runtime knows of one container.
type ContainerStatus struct {
	ID      string
	Name    string
	Attempt int
	State   State
	// PID is the container's init process while it runs.
	PID        int
	ExitCode   int
	Signal     int
	Reason     string // "Completed", "Error", "OOMKilled"
	Message    string // the termination message
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Image      string
	ImageRef   string
	// LogPath is the container's log file.
	LogPath string
	// Cgroup is the container's cgroup path (relative to the hierarchy roots).
	Cgroup string
}

// PodStatus is what a runtime knows of one pod.
type PodStatus struct {
	Pod     PodRef
	Sandbox *Sandbox
	// Containers holds every container of the pod the runtime still has, all attempts.
	Containers []*ContainerStatus
}

// Latest returns the newest attempt of the named container, or nil.
func (p *PodStatus) Latest(name string) *ContainerStatus {
	var best *ContainerStatus
	for _, c := range p.Containers {
		if c.Name == name && (best == nil || c.Attempt > best.Attempt) {
			best = c
		}
	}
	return best
}

// Auth holds registry credentials.
type Auth struct {
	Username, Password string
}

// ImageOptions say how to get an image.
type ImageOptions struct {
	Policy core.PullPolicy
	// Credentials maps a registry host to its credentials (from imagePullSecrets).
	Credentials map[string]Auth
}

// NormalizeImage names an image the way containerd stores it: "busybox" is
// "docker.io/library/busybox:latest", "user/app:v2" is "docker.io/user/app:v2"; a reference
// that does not parse is returned as it is.
func NormalizeImage(image string) string {
	named, err := reference.ParseDockerRef(image)
	if err != nil {
		return image
	}
	return named.String()
}

// Image is an image a runtime holds: every name it has locally, one ID (repo@digest, as
// ContainerStatus.ImageRef) and its size on disk (its content; snapshots may add to it).
type Image struct {
	ID    string
	Names []string
	Size  int64
}

// ImageService is what a runtime offers for image garbage collection; runtimes without
// images (the hollow one) do not implement it.
type ImageService interface {
	// ListImages returns the runtime's images, one per ID.
	ListImages(ctx context.Context) ([]Image, error)
	// RemoveImage removes every name of the image id and waits until its unused content
	// and snapshots are gone.
	RemoveImage(ctx context.Context, id string) error
	// ImageFsStats reports the size and free bytes of the file system holding the images.
	ImageFsStats(ctx context.Context) (capacity, available uint64, err error)
}

// Runtime runs pod sandboxes and containers. Every method is safe for concurrent use.
type Runtime interface {
	// Version names the runtime, as NodeSystemInfo.containerRuntimeVersion ("containerd://1.6.20").
	Version(ctx context.Context) (string, error)
	// EnsureImage makes image present according to opts.Policy and returns its local
	// reference and digest (the imageID reported in status). pulled says a pull happened.
	EnsureImage(ctx context.Context, image string, opts ImageOptions) (ref, digest string, pulled bool, err error)
	// RunSandbox creates and starts a pod's sandbox.
	RunSandbox(ctx context.Context, cfg *SandboxConfig) (*Sandbox, error)
	// RemoveSandbox kills and removes a pod's sandbox, if any.
	RemoveSandbox(ctx context.Context, pod PodRef) error
	// StartContainer creates and starts a container in a sandbox and returns its ID.
	StartContainer(ctx context.Context, cfg *ContainerConfig) (string, error)
	// StopContainer sends SIGTERM, waits up to grace, then SIGKILLs; it returns once the
	// container has exited. Stopping an exited container is not an error.
	StopContainer(ctx context.Context, id string, grace time.Duration) error
	// RemoveContainer removes an exited container.
	RemoveContainer(ctx context.Context, id string) error
	// PodStatus reports one pod's sandbox and containers.
	PodStatus(ctx context.Context, pod PodRef) (*PodStatus, error)
	// ListPods reports every pod the runtime has (used for adoption and cleanup).
	ListPods(ctx context.Context) ([]*PodStatus, error)
	// Exec runs a command in a running container, wired to opts' streams, and returns its
	// exit code once it ends (or ctx ends, which kills it).
	Exec(ctx context.Context, containerID string, opts ExecOptions) (int, error)
	// Subscribe registers fn, called with a pod's UID whenever one of its containers exits.
	Subscribe(fn func(podUID string))
}
