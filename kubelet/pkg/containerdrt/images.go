package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/remotes"
	"github.com/containerd/containerd/remotes/docker"
	refdocker "github.com/distribution/reference"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
)

// normalize turns "busybox" into "docker.io/library/busybox:latest", as containerd names
// images.
func normalize(image string) string {
	named, err := refdocker.ParseDockerRef(image)
	if err != nil {
		return image
	}
	return named.String()
}

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
	name := normalize(image)
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
	return docker.NewResolver(docker.ResolverOptions{Hosts: docker.ConfigureDefaultRegistries(
		docker.WithPlainHTTP(func(host string) (bool, error) {
			if slices.Contains(r.opts.InsecureRegistries, host) {
				return true, nil
			}
			return docker.MatchLocalhost(host)
		}),
		docker.WithAuthorizer(docker.NewDockerAuthorizer(docker.WithAuthCreds(func(host string) (string, string, error) {
			a := creds[host]
			return a.Username, a.Password, nil
		}))),
	)})
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
