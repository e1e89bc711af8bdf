package images

import (
	"archive/tar"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// entries lists a layer's tar entries as "name type [linkname|content]".
func entries(t *testing.T, l v1.Layer) map[string]string {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			out[h.Name] = "dir"
		case tar.TypeSymlink:
			out[h.Name] = "-> " + h.Linkname
		default:
			b, _ := io.ReadAll(tr)
			out[h.Name] = string(b)
		}
	}
}

func TestLayer(t *testing.T) {
	files := []File{
		{Path: "/etc/motd", Data: []byte("old")},
		{Path: "/usr/bin/tool", Data: []byte("bin"), Mode: 0o755},
		{Path: "etc/motd", Data: []byte("new")},
		{Path: "/bin/sh", Link: "/bin/busybox"},
		{Path: "/data", Dir: true},
	}
	l1, err := Layer(files)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"etc/": "dir", "etc/motd": "new", "usr/": "dir", "usr/bin/": "dir", "usr/bin/tool": "bin",
		"bin/": "dir", "bin/sh": "-> /bin/busybox", "data/": "dir"}
	if got := entries(t, l1); !reflect.DeepEqual(got, want) {
		t.Errorf("entries = %v, want %v", got, want)
	}
	l2, _ := Layer(files)
	d1, _ := l1.Digest()
	d2, _ := l2.Digest()
	if d1 != d2 {
		t.Errorf("the same files made two digests: %s, %s", d1, d2)
	}
}

func TestLibraries(t *testing.T) {
	ldd := "\tlinux-vdso.so.1 (0x00007ffd)\n" +
		"\tlibjemalloc.so.2 => /lib/x86_64-linux-gnu/libjemalloc.so.2 (0x00007f5e)\n" +
		"\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f5e)\n" +
		"\t/lib64/ld-linux-x86-64.so.2 (0x00007f5e)\n"
	want := []string{"/lib/x86_64-linux-gnu/libjemalloc.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"}
	if got := libraries(ldd); !reflect.DeepEqual(got, want) {
		t.Errorf("libraries = %v, want %v", got, want)
	}
	if got := libraries("\tstatically linked\n"); len(got) != 0 {
		t.Errorf("static binary: %v", got)
	}
}

func TestRegistryRefs(t *testing.T) {
	for _, tc := range []struct {
		ref  string
		want []string
	}{
		{PauseRef, []string{"127.0.0.1:5000/pause:latest"}},
		{BusyboxRef, []string{"127.0.0.1:5000/library/busybox:latest", "127.0.0.1:5000/busybox:latest"}},
		{RedisMasterRef, []string{"127.0.0.1:5000/kubeguide/redis-master:latest"}},
		{"kubeguide/guestbook-php-frontend", []string{"127.0.0.1:5000/kubeguide/guestbook-php-frontend:latest"}},
		{"quay.io/library/x:v1", []string{"127.0.0.1:5000/library/x:v1"}},
	} {
		tags, err := RegistryRefs("127.0.0.1:5000", tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tag := range tags {
			got = append(got, tag.String())
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RegistryRefs(%s) = %v, want %v", tc.ref, got, tc.want)
		}
	}
	if _, err := RegistryRefs("127.0.0.1:5000", "UPPER/case"); err == nil {
		t.Error("bad reference accepted")
	}
}

func smallImage(t *testing.T, msg string) v1.Image {
	t.Helper()
	img, err := Build([]File{{Path: "/msg", Data: []byte(msg)}}, v1.Config{Cmd: []string{"cat", "/msg"}, WorkingDir: "/"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestWriteGroupsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "images.tar"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := smallImage(t, "a"), smallImage(t, "b")
	paths, err := WriteGroups(dir, []Group{{"one", map[string]v1.Image{BusyboxRef: a, RedisRef: b}}, {"two", map[string]v1.Image{PauseRef: a}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Base(paths[0]) != "one.tar" || filepath.Base(paths[1]) != "two.tar" {
		t.Errorf("paths %v", paths)
	}
	if _, err := os.Stat(filepath.Join(dir, "images.tar")); !os.IsNotExist(err) {
		t.Error("stale images.tar kept")
	}
	for path, refs := range map[string]map[string]v1.Image{paths[0]: {BusyboxRef: a, RedisRef: b}, paths[1]: {PauseRef: a}} {
		for ref, want := range refs {
			tag, _ := name.NewTag(ref)
			got, err := tarball.ImageFromPath(path, &tag)
			if err != nil {
				t.Fatalf("%s in %s: %v", ref, path, err)
			}
			gd, _ := got.Digest()
			wd, _ := want.Digest()
			if gd != wd {
				t.Errorf("%s in %s: digest %s, want %s", ref, path, gd, wd)
			}
		}
	}
}

func TestPush(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img := smallImage(t, "hello")
	tags, err := Push(context.Background(), host, map[string]v1.Image{BusyboxRef: img})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{host + "/busybox:latest", host + "/library/busybox:latest"}; !reflect.DeepEqual(tags, want) {
		t.Errorf("pushed %v, want %v", tags, want)
	}
	want, _ := img.Digest()
	for _, tg := range tags {
		ref, _ := name.NewTag(tg, name.Insecure)
		got, err := remote.Image(ref)
		if err != nil {
			t.Fatalf("pull %s: %v", tg, err)
		}
		if d, _ := got.Digest(); d != want {
			t.Errorf("%s: digest %s, want %s", tg, d, want)
		}
	}
}
