package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"seven.dev/kubelet/pkg/images"
)

// TestServe runs -serve's registry on a free loopback port and pulls what it serves.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	img, err := images.Build([]images.File{{Path: "/hello", Data: []byte("hi")}}, v1.Config{Cmd: []string{"/hello"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, addr, []images.Group{{Name: "g", Images: map[string]v1.Image{images.RedisMasterRef: img, images.BusyboxRef: img}}})
	}()
	want, _ := img.Digest()
	for _, repo := range []string{"kubeguide/redis-master:latest", "busybox:latest", "library/busybox:latest"} {
		ref, _ := name.NewTag(addr+"/"+repo, name.Insecure)
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := remote.Image(ref)
			if err == nil {
				if d, _ := got.Digest(); d != want {
					t.Errorf("%s: digest %s, want %s", ref, d, want)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pull %s: %v", ref, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
