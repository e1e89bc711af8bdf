package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/images"
	"github.com/containerd/containerd/remotes"
	"github.com/containerd/containerd/remotes/docker"
	refdocker "github.com/distribution/reference"
	"golang.org/x/sys/unix"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
)

// imageID is upstream's imageID for containerd: repo@digest.
func imageID(img containerd.Image) string {
	named, err := refdocker.ParseNormalizedNamed(img.Name())
	if err != nil {
		return img.Target().Digest.String()
	}
	return named.Name() + "@" + img.Target().Digest.String()
}

// EnsureImage implements container.Runtime.
func (r *Runtime) EnsureImage(ctx context.Context, image string, opts container.ImageOptions) (string, string, bool, error) {
	ctx = r.ns(ctx)
	name := container.NormalizeImage(image)
	if opts.Policy != core.PullAlways {
		img, err := r.image(ctx, name)
		if err == nil {
			return name, imageID(img), false, nil
		}
		if !errdefs.IsNotFound(err) {
			return "", "", false, err
		}
		if opts.Policy == core.PullNever {
			return "", "", false, fmt.Errorf("container image %q is not present with pull policy of Never: %w", image, container.ErrImageNotFound)
		}
	}
	img, err := r.client.Pull(ctx, name, containerd.WithPullUnpack, containerd.WithPullSnapshotter(r.opts.Snapshotter),
		containerd.WithResolver(r.resolver(opts.Credentials)))
	if err != nil {
		if errdefs.IsNotFound(err) {
			err = errors.Join(err, container.ErrImageNotFound)
		}
		return "", "", false, fmt.Errorf("pull %s: %w", name, err)
	}
	return name, imageID(img), true, nil
}

func (r *Runtime) resolver(creds map[string]container.Auth) remotes.Resolver {
	auth := docker.NewDockerAuthorizer(docker.WithAuthCreds(func(host string) (string, string, error) {
		a := creds[host]
		return a.Username, a.Password, nil
	}))
	def := docker.ConfigureDefaultRegistries(
		docker.WithPlainHTTP(func(host string) (bool, error) {
			if slices.Contains(r.opts.InsecureRegistries, host) {
				return true, nil
			}
			return docker.MatchLocalhost(host)
		}),
		docker.WithAuthorizer(auth),
	)
	return docker.NewResolver(docker.ResolverOptions{Hosts: mirrorHosts(r.opts.Mirrors, auth, def)})
}

// mirrorHosts resolves a registry host to its mirrors (mirrors[host], else mirrors["*"]),
// and to def's answer when it has none.
func mirrorHosts(mirrors map[string][]*url.URL, auth docker.Authorizer, def docker.RegistryHosts) docker.RegistryHosts {
	return func(host string) ([]docker.RegistryHost, error) {
		eps, ok := mirrors[host]
		if !ok {
			eps = mirrors["*"]
		}
		if len(eps) == 0 {
			return def(host)
		}
		out := make([]docker.RegistryHost, 0, len(eps))
		for _, u := range eps {
			out = append(out, docker.RegistryHost{
				Client:       &http.Client{Transport: http.DefaultTransport},
				Authorizer:   auth,
				Host:         u.Host,
				Scheme:       u.Scheme,
				Path:         strings.TrimSuffix(u.Path, "/") + "/v2",
				Capabilities: docker.HostCapabilityPull | docker.HostCapabilityResolve,
			})
		}
		return out, nil
	}
}

// ParseMirror parses a --registry-mirror value, "REGISTRY=URL": REGISTRY is a host as
// image names spell it ("docker.io", "registry.example:5000") or "*" for every registry
// without a mirror of its own; URL is http:// or https://host[:port][/path].
func ParseMirror(s string) (string, *url.URL, error) {
	reg, ep, ok := strings.Cut(s, "=")
	if !ok || reg == "" || ep == "" {
		return "", nil, fmt.Errorf("registry mirror %q: want REGISTRY=URL (docker.io=http://10.0.0.1:5000)", s)
	}
	if strings.ContainsAny(reg, "/ ") {
		return "", nil, fmt.Errorf("registry mirror %q: %q is not a registry host", s, reg)
	}
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", nil, fmt.Errorf("registry mirror %q: %q is not an http:// or https:// URL", s, ep)
	}
	return reg, u, nil
}

// ImportDir imports every .tar in dir (docker-archive or OCI layout tarballs) and unpacks
// the images; it returns their names.
func (r *Runtime) ImportDir(ctx context.Context, dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.tar"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range paths {
		n, err := r.ImportFile(ctx, p)
		if err != nil {
			return names, err
		}
		names = append(names, n...)
	}
	return names, nil
}

// ImportFile imports one image tarball and unpacks its images.
func (r *Runtime) ImportFile(ctx context.Context, path string) ([]string, error) {
	ctx = r.ns(ctx)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	defer f.Close()
	imgs, err := r.client.Import(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	var names []string
	for _, im := range imgs {
		img := containerd.NewImage(r.client, im)
		if err := img.Unpack(ctx, r.opts.Snapshotter); err != nil {
			return names, fmt.Errorf("import %s: unpack %s: %w", path, im.Name, err)
		}
		names = append(names, im.Name)
	}
	return names, nil
}

var _ container.ImageService = (*Runtime)(nil)

// ListImages implements container.ImageService: the namespace's images grouped by ID, with
// the size of their content.
func (r *Runtime) ListImages(ctx context.Context) ([]container.Image, error) {
	ctx = r.ns(ctx)
	imgs, err := r.client.ListImages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	byID := map[string]*container.Image{}
	var order []string
	for _, img := range imgs {
		id := imageID(img)
		ci := byID[id]
		if ci == nil {
			ci = &container.Image{ID: id}
			if size, err := img.Size(ctx); err == nil {
				ci.Size = size
			}
			byID[id] = ci
			order = append(order, id)
		}
		ci.Names = append(ci.Names, img.Name())
	}
	out := make([]container.Image, 0, len(order))
	for _, id := range order {
		slices.Sort(byID[id].Names)
		out = append(out, *byID[id])
	}
	return out, nil
}

// RemoveImage implements container.ImageService: it deletes every name with ID id, the last
// one synchronously (containerd's garbage collection then removes the content and
// snapshots no other image or container holds).
func (r *Runtime) RemoveImage(ctx context.Context, id string) error {
	ctx = r.ns(ctx)
	imgs, err := r.client.ListImages(ctx)
	if err != nil {
		return fmt.Errorf("list images: %w", err)
	}
	var names []string
	for _, img := range imgs {
		if imageID(img) == id {
			names = append(names, img.Name())
		}
	}
	for i, name := range names {
		var opts []images.DeleteOpt
		if i == len(names)-1 {
			opts = append(opts, images.SynchronousDelete())
		}
		if err := r.client.ImageService().Delete(ctx, name, opts...); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove image %s: %w", name, err)
		}
	}
	return nil
}

// ImageFsStats implements container.ImageService for the file system of the snapshotter's
// root (where unpacked images take their room), as containerd exports it.
func (r *Runtime) ImageFsStats(ctx context.Context) (uint64, uint64, error) {
	resp, err := r.client.IntrospectionService().Plugins(r.ns(ctx), []string{
		fmt.Sprintf("type==%s,id==%s", "io.containerd.snapshotter.v1", r.opts.Snapshotter)})
	if err != nil {
		return 0, 0, fmt.Errorf("snapshotter %s: %w", r.opts.Snapshotter, err)
	}
	if len(resp.Plugins) == 0 || resp.Plugins[0].Exports["root"] == "" {
		return 0, 0, fmt.Errorf("snapshotter %s does not say where its root is", r.opts.Snapshotter)
	}
	var st unix.Statfs_t
	root := resp.Plugins[0].Exports["root"]
	if err := unix.Statfs(root, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", root, err)
	}
	return st.Blocks * uint64(st.Bsize), st.Bavail * uint64(st.Bsize), nil
}
