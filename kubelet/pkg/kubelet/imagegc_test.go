package kubelet

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
)

func TestImagesToFree(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	rec := func(id string, size int64, first, last time.Time, inUse, keep bool) imageRecord {
		return imageRecord{Image: container.Image{ID: id, Size: size}, firstSeen: first, lastUsed: last, inUse: inUse, keep: keep}
	}
	recs := []imageRecord{
		rec("used", 100, ago(60), now, true, false),
		rec("pause", 100, ago(60), time.Time{}, false, true),
		rec("young", 100, ago(1), time.Time{}, false, false),
		rec("old-used-long-ago", 300, ago(60), ago(50), false, false),
		rec("never-used", 200, ago(30), time.Time{}, false, false),
		rec("used-lately", 400, ago(60), ago(5), false, false),
	}
	ids := func(rs []imageRecord) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		need      int64
		want      []string
		wantFreed int64
	}{
		{"nothing needed", 0, nil, 0},
		{"the least recently used first", 150, []string{"never-used"}, 200},
		{"then by last use", 450, []string{"never-used", "old-used-long-ago"}, 500},
		{"everything eligible, still short", 5000, []string{"never-used", "old-used-long-ago", "used-lately"}, 900},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, freed := imagesToFree(recs, tc.need, now, 2*time.Minute)
			if !reflect.DeepEqual(ids(got), tc.want) || freed != tc.wantFreed {
				t.Errorf("imagesToFree(%d) = %v (%d bytes), want %v (%d bytes)", tc.need, ids(got), freed, tc.want, tc.wantFreed)
			}
		})
	}
	if got, _ := imagesToFree(recs, 5000, now, -1); !reflect.DeepEqual(ids(got), []string{"never-used", "young", "old-used-long-ago", "used-lately"}) {
		t.Errorf("no minimum age: %v", ids(got))
	}
}

func TestNormalizeImage(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	for in, want := range map[string]string{
		"busybox":                          "docker.io/library/busybox:latest",
		"redis:7":                          "docker.io/library/redis:7",
		"kubeguide/guestbook-php-frontend": "docker.io/kubeguide/guestbook-php-frontend:latest",
		"seven.dev/pause:latest":           "seven.dev/pause:latest",
		"localhost/app":                    "localhost/app:latest",
		"registry:5000/team/app":           "registry:5000/team/app:latest",
		"registry:5000/app:v2":             "registry:5000/app:v2",
		"busybox@sha256:" + digest:         "docker.io/library/busybox@sha256:" + digest,
	} {
		if got := container.NormalizeImage(in); got != want {
			t.Errorf("NormalizeImage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatusImages(t *testing.T) {
	imgs := []container.Image{
		{ID: "docker.io/library/busybox@sha256:b", Names: []string{"docker.io/library/busybox:1.36", "docker.io/library/busybox:latest"}, Size: 2 << 20},
		{ID: "docker.io/library/redis@sha256:r", Names: []string{"docker.io/library/redis:7"}, Size: 40 << 20},
		{ID: "seven.dev/pause@sha256:p", Names: []string{"seven.dev/pause:latest"}, Size: 1 << 20},
	}
	got := statusImages(imgs, 2)
	want := []core.ContainerImage{
		{Names: []string{"docker.io/library/redis@sha256:r", "docker.io/library/redis:7"}, SizeBytes: 40 << 20},
		{Names: []string{"docker.io/library/busybox@sha256:b", "docker.io/library/busybox:1.36", "docker.io/library/busybox:latest"}, SizeBytes: 2 << 20},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statusImages = %+v\nwant %+v", got, want)
	}
	if got := statusImages(nil, 50); got == nil || len(got) != 0 {
		t.Errorf("no images: %#v, want an empty list", got)
	}
}
