package images

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is one entry of a layer.
type File struct {
	// Path inside the image, absolute.
	Path string
	// Source is a host file to copy; Data is used when Source is empty.
	Source string
	Data   []byte
	Mode   int64
	// Link makes a symlink to this target instead of a file.
	Link string
	Dir  bool
}

// Layer builds an uncompressed layer from files (parent directories are added; of two
// files with one path the later wins). The same files always make the same digest.
func Layer(files []File) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	byPath := map[string]File{}
	for _, f := range files {
		byPath[path.Clean("/"+f.Path)] = f
	}
	files = files[:0:0]
	for _, f := range byPath {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return path.Clean("/"+files[i].Path) < path.Clean("/"+files[j].Path) })
	addDir := func(d string) error {
		var parts []string
		for d = strings.Trim(d, "/"); d != "" && d != "."; d = filepath.Dir(d) {
			parts = append([]string{d}, parts...)
		}
		for _, p := range parts {
			if dirs[p] {
				continue
			}
			dirs[p] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: 0o755}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range files {
		p := strings.TrimPrefix(f.Path, "/")
		if f.Dir {
			if err := addDir(p); err != nil {
				return nil, err
			}
			continue
		}
		if err := addDir(filepath.Dir(p)); err != nil {
			return nil, err
		}
		if f.Link != "" {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: p, Linkname: f.Link, Mode: 0o777}); err != nil {
				return nil, err
			}
			continue
		}
		data, mode := f.Data, f.Mode
		if f.Source != "" {
			st, err := os.Stat(f.Source)
			if err != nil {
				return nil, err
			}
			if data, err = os.ReadFile(f.Source); err != nil {
				return nil, err
			}
			if mode == 0 {
				mode = int64(st.Mode().Perm())
			}
		}
		if mode == 0 {
			mode = 0o644
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: mode, Size: int64(len(data))}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}

// Image makes a one-layer image for this machine's architecture with an entrypoint, cmd
// and env.
func Image(files []File, entrypoint, cmd, env []string) (v1.Image, error) {
	return Build(files, v1.Config{Entrypoint: entrypoint, Cmd: cmd, Env: env})
}

// Build makes a one-layer image for this machine's architecture with cfg as its config
// (PATH is put first in Env).
func Build(files []File, cfg v1.Config) (v1.Image, error) {
	l, err := Layer(files)
	if err != nil {
		return nil, err
	}
	return withLayer(l, cfg)
}

// withLayer makes an image of one layer and cfg.
func withLayer(l v1.Layer, cfg v1.Config) (v1.Image, error) {
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", goarch()
	cfg.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, cfg.Env...)
	cf.Config = cfg
	return mutate.ConfigFile(img, cf)
}

func baseFiles() []File {
	return []File{
		{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
		{Path: "/etc/group", Data: []byte("root:x:0:\nnogroup:x:65534:\n")},
		{Path: "/tmp", Dir: true}, {Path: "/root", Dir: true}, {Path: "/proc", Dir: true},
		{Path: "/sys", Dir: true}, {Path: "/dev", Dir: true}, {Path: "/etc/hosts", Data: []byte("127.0.0.1 localhost\n")},
		{Path: "/etc/resolv.conf", Data: nil},
	}
}

// Busybox is busybox from a static binary (Debian's busybox-static: /bin/busybox) with a
// symlink per applet; cmd is sh.
func Busybox(binary string) (v1.Image, error) {
	files, err := BusyboxFiles(binary)
	if err != nil {
		return nil, err
	}
	return Image(append(baseFiles(), files...), nil, []string{"sh"}, nil)
}

// BusyboxFiles are a static busybox at /bin/busybox and a symlink to it per applet.
func BusyboxFiles(binary string) ([]File, error) {
	out, err := exec.Command(binary, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list-full: %w", binary, err)
	}
	files := []File{{Path: "/bin/busybox", Source: binary, Mode: 0o755}}
	for _, a := range strings.Fields(string(out)) {
		if a != "bin/busybox" {
			files = append(files, File{Path: "/" + a, Link: "/bin/busybox"})
		}
	}
	return files, nil
}

// Static wraps one static binary as the image's entrypoint at path, with busybox and its
// applets too when busybox is not empty (for scripts, and for tests that exec into it).
func Static(binary, path string, args []string, busybox string) (v1.Image, error) {
	files := append(baseFiles(), File{Path: path, Source: binary, Mode: 0o755})
	if busybox != "" {
		bb, err := BusyboxFiles(busybox)
		if err != nil {
			return nil, err
		}
		files = append(files, bb...)
	}
	return Image(files, append([]string{path}, args...), nil, nil)
}

// HostFiles are dynamically linked host binaries, each at its own path, with the shared
// libraries ldd lists for them (symlinks resolved, each library once).
func HostFiles(binaries ...string) ([]File, error) {
	seen := map[string]bool{}
	var files []File
	add := func(path, source string) {
		if !seen[path] {
			seen[path] = true
			files = append(files, File{Path: path, Source: source, Mode: 0o755})
		}
	}
	for _, bin := range binaries {
		add(bin, bin)
		out, err := exec.Command("ldd", bin).Output()
		if err != nil {
			return nil, fmt.Errorf("ldd %s: %w", bin, err)
		}
		for _, f := range libraries(string(out)) {
			real, err := filepath.EvalSymlinks(f)
			if err != nil {
				return nil, fmt.Errorf("ldd %s: %w", bin, err)
			}
			add(f, real)
		}
	}
	return files, nil
}

// libraries picks the absolute paths out of ldd's output.
func libraries(ldd string) []string {
	var libs []string
	for _, line := range strings.Split(ldd, "\n") {
		for _, f := range strings.Fields(line) {
			if strings.HasPrefix(f, "/") {
				libs = append(libs, f)
			}
		}
	}
	return libs
}

// WriteTarball writes images as one docker-archive tarball, each under its reference.
func WriteTarball(path string, imgs map[string]v1.Image) error {
	refs := map[name.Reference]v1.Image{}
	for r, img := range imgs {
		tag, err := name.NewTag(r)
		if err != nil {
			return err
		}
		refs[tag] = img
	}
	return tarball.MultiRefWriteToFile(path, refs)
}

// ReadTarballs reads the images of every docker-archive tarball in dir (as WriteTarball
// writes them), reference -> image.
func ReadTarballs(dir string) (map[string]v1.Image, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.tar"))
	if err != nil {
		return nil, err
	}
	out := map[string]v1.Image{}
	for _, p := range paths {
		m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(p) })
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, desc := range m {
			for _, t := range desc.RepoTags {
				tag, err := name.NewTag(t)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
				img, err := tarball.ImageFromPath(p, &tag)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", p, t, err)
				}
				out[tag.String()] = img
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no image tarballs in %s", dir)
	}
	return out, nil
}

// BuildGo builds a static Go binary of pkg (a package path in the workspace) into dir.
func BuildGo(pkg, dir, out string) (string, error) {
	bin := filepath.Join(out, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v: %s", pkg, err, b)
	}
	return bin, nil
}
