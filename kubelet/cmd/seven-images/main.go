// Command seven-images builds Seven's test and cluster images offline: seven.dev/pause
// (our pause binary), busybox (Debian's busybox-static), redis (Debian's redis-server with
// its libraries, when installed) and, with -serve, serves them from a local registry
// (go-containerregistry's pkg/registry) for `kubelet --insecure-registry`.
//
//	seven-images -out _output/images               # writes images.tar for --image-preload-dir
//	seven-images -out _output/images -serve 127.0.0.1:5000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"seven.dev/kubelet/pkg/images"
)

func main() {
	out := flag.String("out", "_output/images", "directory for images.tar")
	src := flag.String("src", ".", "the kubelet module's directory (for go build of cmd/pause)")
	busybox := flag.String("busybox", "/bin/busybox", "static busybox binary")
	serve := flag.String("serve", "", "serve the images from a registry on this address (e.g. 127.0.0.1:5000)")
	flag.Parse()
	if err := run(*out, *src, *busybox, *serve); err != nil {
		fmt.Fprintln(os.Stderr, "seven-images:", err)
		os.Exit(1)
	}
}

func run(out, src, busybox, serve string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	pauseBin, err := images.BuildGo("./cmd/pause", src, out)
	if err != nil {
		return err
	}
	imgs := map[string]v1.Image{}
	if imgs["seven.dev/pause:latest"], err = images.Static(pauseBin, "/pause", nil, ""); err != nil {
		return err
	}
	if imgs["docker.io/library/busybox:latest"], err = images.Busybox(busybox); err != nil {
		return err
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		if imgs["docker.io/library/redis:latest"], err = images.HostBinary("/usr/bin/redis-server",
			[]string{"/usr/bin/redis-server", "--protected-mode", "no"}, nil); err != nil {
			return err
		}
	} else {
		log.Print("redis-server not installed: skipping the redis image")
	}
	tarPath := filepath.Join(out, "images.tar")
	if err := images.WriteTarball(tarPath, imgs); err != nil {
		return err
	}
	log.Printf("wrote %s (%d images)", tarPath, len(imgs))
	if serve == "" {
		return nil
	}
	ln, err := net.Listen("tcp", serve)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: registry.New()}
	go func() { _ = srv.Serve(ln) }()
	for ref, img := range imgs {
		tag, err := name.NewTag(serve+"/"+repoPath(ref), name.Insecure)
		if err != nil {
			return err
		}
		if err := remote.Write(tag, img); err != nil {
			return fmt.Errorf("push %s: %w", tag, err)
		}
		log.Printf("serving %s", tag)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	<-ctx.Done()
	return srv.Close()
}

// repoPath drops the registry host of ref: docker.io/library/busybox:latest -> library/busybox:latest.
func repoPath(ref string) string {
	t, err := name.NewTag(ref)
	if err != nil {
		return ref
	}
	return t.RepositoryStr() + ":" + t.TagStr()
}
