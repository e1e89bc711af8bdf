package images

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCatalog builds the real catalog: it needs go, /bin/busybox (busybox-static) and,
// for the redis images, /usr/bin/redis-server.
func TestCatalog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go binaries")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("needs /bin/busybox (busybox-static)")
	}
	wd, _ := os.Getwd()
	kubeletDir := filepath.Join(wd, "..", "..")
	src := Sources{KubeletDir: kubeletDir, ExamplesDir: filepath.Join(kubeletDir, "..", "examples"), Busybox: "/bin/busybox",
		RedisServer: "/usr/bin/redis-server", RedisCLI: "/usr/bin/redis-cli", WorkDir: t.TempDir()}
	var logged []string
	groups, err := Catalog(src, func(f string, a ...any) { logged = append(logged, f) })
	if err != nil {
		t.Fatal(err)
	}
	all := All(groups)
	_, haveRedis := os.Stat(src.RedisServer)
	want := map[string][]string{ // reference -> entrypoint + cmd
		PauseRef:        {"/pause"},
		BusyboxRef:      {"sh"},
		FrontendRef:     {"/frontend"},
		TestServerRef:   {"/testserver"},
		TestServerV2Ref: {"/testserver"},
	}
	if haveRedis == nil {
		want[RedisRef] = []string{"/usr/local/bin/docker-entrypoint.sh", "redis-server"}
		want[RedisMasterRef] = want[RedisRef]
		want[RedisSlaveRef] = []string{"/run.sh"}
	} else if len(logged) == 0 {
		t.Error("redis images skipped silently")
	}
	if len(all) != len(want) {
		t.Errorf("catalog has %d images, want %d", len(all), len(want))
	}
	for ref, argv := range want {
		img, ok := all[ref]
		if !ok {
			t.Errorf("no %s", ref)
			continue
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if got := append(cf.Config.Entrypoint, cf.Config.Cmd...); !reflect.DeepEqual(got, argv) {
			t.Errorf("%s runs %v, want %v", ref, got, argv)
		}
	}
	if haveRedis != nil {
		return
	}
	layers, err := all[RedisSlaveRef].Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("redis layers: %d %v", len(layers), err)
	}
	files := entries(t, layers[0])
	for _, p := range []string{"usr/bin/redis-server", "usr/bin/redis-cli", "bin/sh", "run.sh", "data/", "usr/local/bin/docker-entrypoint.sh"} {
		if _, ok := files[p]; !ok {
			t.Errorf("redis layer lacks %s", p)
		}
	}
	if !strings.Contains(files["run.sh"], `--slaveof "${REDIS_MASTER_SERVICE_HOST}"`) {
		t.Errorf("run.sh: %s", files["run.sh"])
	}
	libs := 0
	for p := range files {
		if strings.Contains(p, ".so") {
			libs++
		}
	}
	if libs == 0 {
		t.Error("redis layer has no shared libraries")
	}
}
