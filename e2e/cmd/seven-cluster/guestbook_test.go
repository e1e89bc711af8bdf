package main

import "testing"

func TestNormalizeImage(t *testing.T) {
	for in, want := range map[string]string{
		"redis":                            "docker.io/library/redis:latest",
		"kubeguide/redis-master":           "docker.io/kubeguide/redis-master:latest",
		"kubeguide/redis-master:v2":        "docker.io/kubeguide/redis-master:v2",
		"seven.dev/pause:latest":           "seven.dev/pause:latest",
		"localhost:5000/guestbook":         "localhost:5000/guestbook:latest",
		"docker.io/library/busybox:latest": "docker.io/library/busybox:latest",
	} {
		if got := normalizeImage(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

func TestManifestImages(t *testing.T) {
	imgs, err := manifestImages("../../../examples/guestbook")
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 3 {
		t.Errorf("images: %v", imgs)
	}
}
