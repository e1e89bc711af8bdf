package images

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The references the catalog's images are stored under: the names containerd resolves the
// seeds' manifests' images to (kubeguide/redis-master -> docker.io/kubeguide/redis-master:latest)
// and the kubelet's default --pod-infra-container-image.
const (
	PauseRef       = "seven.dev/pause:latest"
	BusyboxRef     = "docker.io/library/busybox:latest"
	RedisRef       = "docker.io/library/redis:latest"
	RedisMasterRef = "docker.io/kubeguide/redis-master:latest"
	RedisSlaveRef  = "docker.io/kubeguide/guestbook-redis-slave:latest"
	FrontendRef    = "docker.io/kubeguide/guestbook-php-frontend:latest"
	TestServerRef  = "docker.io/seven/testserver:latest"
	// TestServerV2Ref is the same server under a second tag, for rolling updates.
	TestServerV2Ref = "docker.io/seven/testserver:v2"
)

// Sources says where the catalog's inputs are on this machine.
type Sources struct {
	// KubeletDir is the kubelet module (for go build ./cmd/pause).
	KubeletDir string
	// ExamplesDir is the examples module (./guestbook/frontend, ./testserver).
	ExamplesDir string
	// Busybox is a static busybox (Debian's busybox-static: /bin/busybox).
	Busybox string
	// RedisServer and RedisCLI are Debian's redis-server and redis-cli (/usr/bin/...).
	RedisServer, RedisCLI string
	// WorkDir receives the Go binaries built on the way.
	WorkDir string
}

// Group is images written together into one tarball, <Name>.tar, so that they share layers.
type Group struct {
	Name   string
	Images map[string]v1.Image
}

// Catalog builds every image of the catalog, in groups. Redis images are left out, with
// a message to logf, when redis-server is not installed.
func Catalog(src Sources, logf func(format string, args ...any)) ([]Group, error) {
	pauseBin, err := BuildGo("./cmd/pause", src.KubeletDir, src.WorkDir)
	if err != nil {
		return nil, err
	}
	pause, err := Static(pauseBin, "/pause", nil, "")
	if err != nil {
		return nil, fmt.Errorf("pause image: %w", err)
	}
	bb, err := Busybox(src.Busybox)
	if err != nil {
		return nil, fmt.Errorf("busybox image: %w", err)
	}
	groups := []Group{{"pause", map[string]v1.Image{PauseRef: pause}}, {"busybox", map[string]v1.Image{BusyboxRef: bb}}}

	if _, err := os.Stat(src.RedisServer); err == nil {
		redis, err := Redis(src.RedisServer, src.RedisCLI, src.Busybox)
		if err != nil {
			return nil, fmt.Errorf("redis images: %w", err)
		}
		groups = append(groups, Group{"redis", redis})
	} else {
		logf("%s not installed (deploy/install-deps.sh installs redis-server): skipping the redis images", src.RedisServer)
	}

	for _, p := range []struct{ group, pkg, ref, path string }{
		{"guestbook-frontend", "./guestbook/frontend", FrontendRef, "/frontend"},
		{"testserver", "./testserver", TestServerRef, "/testserver"},
	} {
		bin, err := BuildGo(p.pkg, src.ExamplesDir, src.WorkDir)
		if err != nil {
			return nil, err
		}
		img, err := Static(bin, p.path, nil, src.Busybox)
		if err != nil {
			return nil, fmt.Errorf("%s image: %w", p.group, err)
		}
		imgs := map[string]v1.Image{p.ref: img}
		if p.ref == TestServerRef {
			imgs[TestServerV2Ref] = img
		}
		groups = append(groups, Group{p.group, imgs})
	}
	return groups, nil
}

// redisEntrypoint is upstream's docker-entrypoint.sh in spirit: options alone run
// redis-server with them, and redis-server is started reachable from other pods
// (protected mode off; later options still override).
const redisEntrypoint = `#!/bin/sh
set -e
case "$1" in
-*|*.conf) set -- redis-server "$@" ;;
esac
if [ "$1" = redis-server ]; then
	shift
	set -- redis-server --protected-mode no "$@"
fi
exec "$@"
`

// redisSlave is the seeds' guestbook-redis-slave run.sh: replicate from the master found
// through the service variables when GET_HOSTS_FROM=env, through DNS otherwise.
const redisSlave = `#!/bin/sh
if [ "${GET_HOSTS_FROM:-dns}" = env ]; then
	exec redis-server --protected-mode no --slaveof "${REDIS_MASTER_SERVICE_HOST}" "${REDIS_MASTER_SERVICE_PORT:-6379}"
fi
exec redis-server --protected-mode no --slaveof redis-master 6379
`

// Redis makes the redis images from host binaries with their libraries and busybox (for
// the entrypoint scripts): library/redis, kubeguide/redis-master (plain redis-server) and
// kubeguide/guestbook-redis-slave (replicates from the master). They share one layer.
func Redis(server, cli, busybox string) (map[string]v1.Image, error) {
	bins := []string{server}
	if _, err := os.Stat(cli); err == nil {
		bins = append(bins, cli)
	}
	files, err := HostFiles(bins...)
	if err != nil {
		return nil, err
	}
	bb, err := BusyboxFiles(busybox)
	if err != nil {
		return nil, err
	}
	files = append(append(append(baseFiles(), bb...), files...),
		// redis-server decides what it is from argv[0]: keep the name whatever the host's
		// symlink points to.
		File{Path: "/usr/bin/redis-server", Source: server, Mode: 0o755},
		File{Path: "/data", Dir: true},
		File{Path: "/usr/local/bin/docker-entrypoint.sh", Data: []byte(redisEntrypoint), Mode: 0o755},
		File{Path: "/run.sh", Data: []byte(redisSlave), Mode: 0o755})
	if filepath.Clean(server) != "/usr/bin/redis-server" {
		files = append(files, File{Path: filepath.Clean(server), Link: "/usr/bin/redis-server"})
	}
	ports := map[string]struct{}{"6379/tcp": {}}
	l, err := Layer(files)
	if err != nil {
		return nil, err
	}
	mk := func(entrypoint, cmd []string) (v1.Image, error) {
		return withLayer(l, v1.Config{Entrypoint: entrypoint, Cmd: cmd, WorkingDir: "/data", ExposedPorts: ports})
	}
	out := map[string]v1.Image{}
	entry := []string{"/usr/local/bin/docker-entrypoint.sh"}
	for ref, c := range map[string][2][]string{
		RedisRef:       {entry, {"redis-server"}},
		RedisMasterRef: {entry, {"redis-server"}},
		RedisSlaveRef:  {{"/run.sh"}, nil},
	} {
		if out[ref], err = mk(c[0], c[1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WriteGroups writes each group as the docker-archive tarball dir/<name>.tar and returns
// their paths. A stale images.tar of the older single-tarball layout is removed, so that
// `kubelet --image-preload-dir=dir` does not import the images twice.
func WriteGroups(dir string, groups []Group) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	_ = os.Remove(filepath.Join(dir, "images.tar"))
	var paths []string
	for _, g := range groups {
		p := filepath.Join(dir, g.Name+".tar")
		if err := WriteTarball(p, g.Images); err != nil {
			return paths, fmt.Errorf("write %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// All merges the groups' images into one map, reference -> image.
func All(groups []Group) map[string]v1.Image {
	out := map[string]v1.Image{}
	for _, g := range groups {
		for r, img := range g.Images {
			out[r] = img
		}
	}
	return out
}
