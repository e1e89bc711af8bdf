// Command seven-images builds Seven's test and cluster images offline (see
// seven.dev/kubelet/pkg/images): seven.dev/pause, busybox, redis with the guestbook's
// kubeguide/redis-master and kubeguide/guestbook-redis-slave, the guestbook frontend
// kubeguide/guestbook-php-frontend and seven/testserver, one docker-archive tarball per
// group in -out. With -serve it also serves them from a local plain-HTTP registry
// (go-containerregistry's pkg/registry) until SIGTERM, for `kubelet --insecure-registry` or
// `--registry-mirror`; with -from it serves the tarballs already in a directory instead of
// building. The address answers only once every image is in.
//
//	seven-images -out _output/images               # tarballs for --image-preload-dir
//	seven-images -out _output/images -serve 127.0.0.1:5000
//	seven-images -from _output/images -serve 10.250.0.1:5000
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
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"seven.dev/kubelet/pkg/images"
)

type options struct {
	out, serve, from string
	src              images.Sources
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
	flag.StringVar(&o.from, "from", "", "serve the tarballs in this directory (needs -serve) instead of building")
	flag.Parse()
	if o.from != "" && o.serve == "" {
		fmt.Fprintln(os.Stderr, "seven-images: -from needs -serve")
		os.Exit(2)
	}
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
	if o.from != "" {
		imgs, err := images.ReadTarballs(o.from)
		if err != nil {
			return err
		}
		return serve(ctx, o.serve, imgs)
	}
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
	return serve(ctx, o.serve, images.All(groups))
}

// serve runs a registry on addr holding imgs until ctx ends. The images are pushed through a
// loopback listener of the same registry first, so addr answers only once they are all in.
func serve(ctx context.Context, addr string, imgs map[string]v1.Image) error {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	push, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	pushSrv := &http.Server{Handler: reg, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = pushSrv.Serve(push) }()
	host := push.Addr().String()
	tags, err := images.Push(ctx, host, imgs)
	_ = pushSrv.Close()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-serve: %w", err)
	}
	srv := &http.Server{Handler: reg, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	for _, t := range tags {
		log.Printf("serving %s", strings.Replace(t, host, ln.Addr().String(), 1))
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
