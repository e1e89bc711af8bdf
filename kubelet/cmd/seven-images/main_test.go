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

// TestServe runs `-from dir -serve`'s registry on a free loopback port and pulls what it
// serves: everything is there as soon as the port answers.
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
	dir := t.TempDir()
	if _, err := images.WriteGroups(dir, []images.Group{{Name: "g", Images: map[string]v1.Image{images.RedisMasterRef: img, images.BusyboxRef: img}}}); err != nil {
		t.Fatal(err)
	}
	imgs, err := images.ReadTarballs(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, addr, imgs) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the registry never listened")
		}
	}
	want, _ := img.Digest()
	for _, repo := range []string{"kubeguide/redis-master:latest", "busybox:latest", "library/busybox:latest"} {
		ref, _ := name.NewTag(addr+"/"+repo, name.Insecure)
		got, err := remote.Image(ref)
		if err != nil {
			t.Fatalf("pull %s right after the port opened: %v", ref, err)
		}
		if d, _ := got.Digest(); d != want {
			t.Errorf("%s: digest %s, want %s", ref, d, want)
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
