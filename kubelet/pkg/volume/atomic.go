package volume

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one file of a projected volume.
type File struct {
	Data []byte
	Mode os.FileMode
}

const dataDir = "..data"

// WriteAtomic makes dir hold exactly files (relative paths), swapping them in at once:
// they are written to a new ..<time> directory, ..data is re-pointed to it, and every
// top-level name is a symlink through ..data. Nothing is written when nothing changed.
// It reports whether it wrote.
func WriteAtomic(dir string, files map[string]File) (bool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	for p := range files {
		if filepath.IsAbs(p) || strings.HasPrefix(filepath.Clean(p), "..") {
			return false, fmt.Errorf("volume file %q: must be a relative path inside the volume", p)
		}
	}
	old, _ := os.Readlink(filepath.Join(dir, dataDir))
	if old != "" && same(filepath.Join(dir, old), files) {
		return false, nil
	}
	ts := dir + "/.." + time.Now().UTC().Format("2006_01_02_15_04_05.000000000")
	if err := os.Mkdir(ts, 0o755); err != nil {
		return false, err
	}
	for p, f := range files {
		full := filepath.Join(ts, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return false, err
		}
		if err := os.WriteFile(full, f.Data, f.Mode); err != nil {
			return false, err
		}
		_ = os.Chmod(full, f.Mode)
	}
	tmp := filepath.Join(dir, "..data_tmp")
	_ = os.Remove(tmp)
	if err := os.Symlink(filepath.Base(ts), tmp); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, dataDir)); err != nil {
		return false, err
	}
	top := map[string]bool{}
	for p := range files {
		first, _, _ := strings.Cut(filepath.ToSlash(filepath.Clean(p)), "/")
		top[first] = true
	}
	for name := range top {
		link := filepath.Join(dir, name)
		if target, err := os.Readlink(link); err == nil && target == filepath.Join(dataDir, name) {
			continue
		}
		_ = os.RemoveAll(link)
		if err := os.Symlink(filepath.Join(dataDir, name), link); err != nil {
			return false, err
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		n := e.Name()
		switch {
		case n == dataDir || n == filepath.Base(ts):
		case strings.HasPrefix(n, ".."):
			_ = os.RemoveAll(filepath.Join(dir, n))
		case !top[n]:
			_ = os.Remove(filepath.Join(dir, n))
		}
	}
	return true, nil
}

// same says whether dir holds exactly files.
func same(dir string, files map[string]File) bool {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(dir, p)
		f, ok := files[rel]
		if !ok {
			return fmt.Errorf("extra")
		}
		data, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(data, f.Data) {
			return fmt.Errorf("changed")
		}
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != f.Mode.Perm() {
			return fmt.Errorf("mode")
		}
		return nil
	})
	return err == nil && n == len(files)
}
