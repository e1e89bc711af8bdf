// Command seven-images builds Seven's test and cluster images offline (see
// seven.dev/kubelet/pkg/images): seven.dev/pause, busybox, redis with the guestbook's
// kubeguide/redis-master and kubeguide/guestbook-redis-slave, the guestbook frontend
// kubeguide/guestbook-php-frontend and seven/testserver, one docker-archive tarball per
// group in -out. With -serve it also serves them from a local plain-HTTP registry
// (go-containerregistry's pkg/registry) until SIGTERM, for `kubelet --insecure-registry`.
//
//	seven-images -out _output/images               # tarballs for --image-preload-dir
//	seven-images -out _output/images -serve 127.0.0.1:5000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"seven.dev/kubelet/pkg/images"
)

type options struct {
	out, serve string
	src        images.Sources
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "_output/images", "directory for the image tarballs")
	flag.StringVar(&o.src.KubeletDir, "src", ".", "the kubelet module's directory (go build ./cmd/pause)")
	flag.StringVar(&o.src.ExamplesDir, "examples", "", "the examples module's directory (default: <src>/../examples)")
	flag.StringVar(&o.src.Busybox, "busybox", "/bin/busybox", "static busybox binary")
	flag.StringVar(&o.src.RedisServer, "redis-server", "/usr/bin/redis-server", "redis-server binary")
	flag.StringVar(&o.src.RedisCLI, "redis-cli", "/usr/bin/redis-cli", "redis-cli binary")
	flag.StringVar(&o.serve, "serve", "", "serve the images from a registry on this address (e.g. 127.0.0.1:5000)")
	flag.Parse()
	if o.src.ExamplesDir == "" {
		o.src.ExamplesDir = filepath.Join(o.src.KubeletDir, "..", "examples")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "seven-images:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "seven-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	o.src.WorkDir = work
	groups, err := images.Catalog(o.src, log.Printf)
	if err != nil {
		return err
	}
	paths, err := images.WriteGroups(o.out, groups)
	if err != nil {
		return err
	}
	for i, p := range paths {
		for ref := range groups[i].Images {
			log.Printf("wrote %s: %s", p, ref)
		}
	}
	if o.serve == "" {
		return nil
	}
	return serve(ctx, o.serve, groups)
}

// serve runs a registry on addr holding the groups' images until ctx ends.
func serve(ctx context.Context, addr string, groups []images.Group) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-serve: %w", err)
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	tags, err := images.Push(ctx, ln.Addr().String(), images.All(groups))
	if err != nil {
		_ = srv.Close()
		return err
	}
	for _, t := range tags {
		log.Printf("serving %s", t)
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("registry on %s: %w", addr, err)
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}
