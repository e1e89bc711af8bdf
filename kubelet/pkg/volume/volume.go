package volume

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
)

// Objects fetches the API objects projected volumes read.
type Objects interface {
	ConfigMap(ctx context.Context, namespace, name string) (*core.ConfigMap, error)
	Secret(ctx context.Context, namespace, name string) (*core.Secret, error)
}

// ErrNotFound is what Objects return for a missing object (wrapped).
var ErrNotFound = errors.New("not found")

// Resolver returns the value of a downwardAPI item.
type Resolver func(item core.DownwardAPIVolumeFile) (string, error)

// Manager makes pods' volumes under RootDir/pods/<uid>/volumes.
type Manager struct {
	RootDir string
	Objects Objects
}

// Dir is the node directory of a pod's volume (hostPath volumes excepted).
func (m *Manager) Dir(podUID string, v *core.Volume) string {
	kind := "kubernetes.io~other"
	switch {
	case v.EmptyDir != nil:
		kind = "kubernetes.io~empty-dir"
	case v.ConfigMap != nil:
		kind = "kubernetes.io~configmap"
	case v.Secret != nil:
		kind = "kubernetes.io~secret"
	case v.DownwardAPI != nil:
		kind = "kubernetes.io~downward-api"
	}
	return filepath.Join(m.RootDir, "pods", podUID, "volumes", kind, v.Name)
}

// SetUp makes (or refreshes: configMap, secret and downwardAPI contents follow their
// sources) every volume of pod and returns their node paths by volume name.
func (m *Manager) SetUp(ctx context.Context, pod *core.Pod, resolve Resolver) (map[string]string, error) {
	paths := map[string]string{}
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		p, err := m.setUp(ctx, pod, v, resolve)
		if err != nil {
			return nil, fmt.Errorf("volume %q: %w", v.Name, err)
		}
		paths[v.Name] = p
	}
	return paths, nil
}

func (m *Manager) setUp(ctx context.Context, pod *core.Pod, v *core.Volume, resolve Resolver) (string, error) {
	dir := m.Dir(pod.UID, v)
	switch {
	case v.HostPath != nil:
		return v.HostPath.Path, hostPath(v.HostPath)
	case v.EmptyDir != nil:
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return "", err
		}
		_ = os.Chmod(dir, 0o777)
		if v.EmptyDir.Medium == core.StorageMediumMemory {
			return dir, ensureTmpfs(dir, 0o777)
		}
		return dir, nil
	case v.ConfigMap != nil:
		s := v.ConfigMap
		files, err := m.configMapFiles(ctx, pod.Namespace, s)
		if err != nil {
			return "", err
		}
		_, err = WriteAtomic(dir, files)
		return dir, err
	case v.Secret != nil:
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		if err := ensureTmpfs(dir, 0o755); err != nil {
			return "", err
		}
		files, err := m.secretFiles(ctx, pod.Namespace, v.Secret)
		if err != nil {
			return "", err
		}
		_, err = WriteAtomic(dir, files)
		return dir, err
	case v.DownwardAPI != nil:
		files := map[string]File{}
		for _, it := range v.DownwardAPI.Items {
			val, err := resolve(it)
			if err != nil {
				return "", err
			}
			files[it.Path] = File{Data: []byte(val), Mode: mode(it.Mode, v.DownwardAPI.DefaultMode, core.DownwardAPIVolumeSourceDefaultMode)}
		}
		_, err := WriteAtomic(dir, files)
		return dir, err
	}
	return "", fmt.Errorf("volume kind not supported by this kubelet")
}

func mode(item, def *int32, fallback int32) os.FileMode {
	switch {
	case item != nil:
		return os.FileMode(*item)
	case def != nil:
		return os.FileMode(*def)
	}
	return os.FileMode(fallback)
}

// project maps data to files: every key, or only items (each with its path and mode).
func project(data map[string][]byte, items []core.KeyToPath, def *int32, optional bool, what string) (map[string]File, error) {
	files := map[string]File{}
	if len(items) == 0 {
		for k, v := range data {
			files[k] = File{Data: v, Mode: mode(nil, def, 0o644)}
		}
		return files, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("%s has no key %q", what, it.Key)
		}
		files[it.Path] = File{Data: v, Mode: mode(it.Mode, def, 0o644)}
	}
	return files, nil
}

func (m *Manager) configMapFiles(ctx context.Context, ns string, s *core.ConfigMapVolumeSource) (map[string]File, error) {
	optional := s.Optional != nil && *s.Optional
	cm, err := m.Objects.ConfigMap(ctx, ns, s.Name)
	if err != nil {
		if optional && errors.Is(err, ErrNotFound) {
			return map[string]File{}, nil
		}
		return nil, fmt.Errorf("configmap %q: %w", s.Name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return project(data, s.Items, s.DefaultMode, optional, "configmap "+s.Name)
}

func (m *Manager) secretFiles(ctx context.Context, ns string, s *core.SecretVolumeSource) (map[string]File, error) {
	optional := s.Optional != nil && *s.Optional
	sec, err := m.Objects.Secret(ctx, ns, s.SecretName)
	if err != nil {
		if optional && errors.Is(err, ErrNotFound) {
			return map[string]File{}, nil
		}
		return nil, fmt.Errorf("secret %q: %w", s.SecretName, err)
	}
	data := map[string][]byte{}
	for k, v := range sec.Data {
		data[k] = v
	}
	for k, v := range sec.StringData {
		data[k] = []byte(v)
	}
	return project(data, s.Items, s.DefaultMode, optional, "secret "+s.SecretName)
}

// hostPath checks (or makes) what the volume's type asks for.
func hostPath(h *core.HostPathVolumeSource) error {
	t := core.HostPathUnset
	if h.Type != nil {
		t = *h.Type
	}
	st, err := os.Stat(h.Path)
	switch t {
	case core.HostPathDirectoryOrCreate:
		if err != nil {
			return os.MkdirAll(h.Path, 0o755)
		}
	case core.HostPathFileOrCreate:
		if err != nil {
			if err := os.MkdirAll(filepath.Dir(h.Path), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(h.Path, os.O_CREATE|os.O_RDWR, 0o644)
			if err != nil {
				return err
			}
			return f.Close()
		}
	case core.HostPathDirectory:
		if err != nil || !st.IsDir() {
			return fmt.Errorf("hostPath type check failed: %s is not a directory", h.Path)
		}
	case core.HostPathFile:
		if err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("hostPath type check failed: %s is not a file", h.Path)
		}
	case core.HostPathSocket:
		if err != nil || st.Mode()&os.ModeSocket == 0 {
			return fmt.Errorf("hostPath type check failed: %s is not a socket file", h.Path)
		}
	case core.HostPathCharDev:
		if err != nil || st.Mode()&os.ModeCharDevice == 0 {
			return fmt.Errorf("hostPath type check failed: %s is not a character device", h.Path)
		}
	case core.HostPathBlockDev:
		if err != nil || st.Mode()&os.ModeDevice == 0 || st.Mode()&os.ModeCharDevice != 0 {
			return fmt.Errorf("hostPath type check failed: %s is not a block device", h.Path)
		}
	}
	return nil
}

func ensureTmpfs(dir string, perm os.FileMode) error {
	var st, parent unix.Stat_t
	if unix.Stat(dir, &st) == nil && unix.Stat(filepath.Dir(dir), &parent) == nil && st.Dev != parent.Dev {
		return nil // already a mount point: ours
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, fmt.Sprintf("mode=%o", perm)); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
	}
	return nil
}

// TearDown unmounts and removes every volume of the pod with uid.
func (m *Manager) TearDown(uid string) error {
	base := filepath.Join(m.RootDir, "pods", uid, "volumes")
	dirs, _ := filepath.Glob(filepath.Join(base, "*", "*"))
	var errs []error
	for _, d := range dirs {
		for unix.Unmount(d, unix.MNT_DETACH) == nil {
		}
	}
	if err := os.RemoveAll(base); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PodsWithVolumes lists the pod UIDs that have a volumes directory.
func (m *Manager) PodsWithVolumes() []string {
	dirs, _ := filepath.Glob(filepath.Join(m.RootDir, "pods", "*", "volumes"))
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, filepath.Base(filepath.Dir(d)))
	}
	sort.Strings(out)
	return out
}

// Mounts turns c's volumeMounts into bind mounts, given the node paths of the pod's
// volumes. A subPath must stay inside its volume (symlinks included); a missing one is
// made as a directory, as upstream does.
func Mounts(c *core.Container, paths map[string]string) ([]container.Mount, error) {
	var out []container.Mount
	for _, vm := range c.VolumeMounts {
		src, ok := paths[vm.Name]
		if !ok {
			return nil, fmt.Errorf("volumeMount %q: no such volume", vm.Name)
		}
		if vm.SubPath != "" {
			sp, err := subPath(src, vm.SubPath)
			if err != nil {
				return nil, fmt.Errorf("volumeMount %q: %w", vm.Name, err)
			}
			src = sp
		}
		out = append(out, container.Mount{Source: src, Destination: vm.MountPath, ReadOnly: vm.ReadOnly})
	}
	return out, nil
}

func subPath(vol, sub string) (string, error) {
	if filepath.IsAbs(sub) || strings.HasPrefix(filepath.Clean(sub), "..") {
		return "", fmt.Errorf("subPath %q must be a relative path inside the volume", sub)
	}
	full := filepath.Join(vol, sub)
	if _, err := os.Lstat(full); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(full, 0o777); err != nil {
			return "", err
		}
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(vol)
	if err != nil {
		return "", err
	}
	if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
		return "", fmt.Errorf("subPath %q leaves the volume", sub)
	}
	return real, nil
}
