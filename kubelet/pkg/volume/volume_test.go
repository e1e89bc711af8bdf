package volume

import (
	"os"
	"path/filepath"
	"testing"

	"seven.dev/api/core"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	wrote, err := WriteAtomic(dir, map[string]File{"a": {Data: []byte("1"), Mode: 0o644}, "sub/b": {Data: []byte("2"), Mode: 0o600}})
	if err != nil || !wrote {
		t.Fatal(wrote, err)
	}
	if wrote, _ := WriteAtomic(dir, map[string]File{"a": {Data: []byte("1"), Mode: 0o644}, "sub/b": {Data: []byte("2"), Mode: 0o600}}); wrote {
		t.Fatal("rewrote unchanged files")
	}
	if _, err := WriteAtomic(dir, map[string]File{"a": {Data: []byte("new"), Mode: 0o644}}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "a")); string(data) != "new" {
		t.Fatalf("a = %q", data)
	}
	if _, err := os.Lstat(filepath.Join(dir, "sub")); !os.IsNotExist(err) {
		t.Fatalf("stale sub: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 { // a, ..data, ..<ts>
		t.Fatalf("entries: %v", ents)
	}
	if _, err := WriteAtomic(dir, map[string]File{"../x": {}}); err == nil {
		t.Fatal("escaping path accepted")
	}
}

func TestMountsSubPath(t *testing.T) {
	vol := t.TempDir()
	_ = os.Symlink("/etc", filepath.Join(vol, "evil"))
	c := &core.Container{VolumeMounts: []core.VolumeMount{{Name: "v", MountPath: "/data", SubPath: "x/y", ReadOnly: true}}}
	ms, err := Mounts(c, map[string]string{"v": vol})
	if err != nil || len(ms) != 1 || !ms[0].ReadOnly || filepath.Base(ms[0].Source) != "y" {
		t.Fatal(ms, err)
	}
	for _, sp := range []string{"evil", "../up", "/abs"} {
		c.VolumeMounts[0].SubPath = sp
		if _, err := Mounts(c, map[string]string{"v": vol}); err == nil {
			t.Fatalf("subPath %q accepted", sp)
		}
	}
}
