package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Item is one object read from a source.
type Item struct {
	// Source is the file the object came from ("-" names stdin), as the user wrote it.
	Source string
	// Object is the decoded object.
	Object map[string]any
}

// Read decodes every object of the given paths. A directory contributes its .yaml, .yml and
// .json files (and those of its subdirectories when recursive is set); "-" reads stdin.
func Read(paths []string, recursive bool, stdin io.Reader) ([]Item, error) {
	var items []Item
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			got, err := Decode("STDIN", data)
			if err != nil {
				return nil, err
			}
			items = append(items, got...)
			continue
		}
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			return nil, fmt.Errorf("reading manifests from URLs is not supported: %q", p)
		}
		files, err := expand(p, recursive)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("reading %q: %w", f, err)
			}
			got, err := Decode(f, data)
			if err != nil {
				return nil, err
			}
			items = append(items, got...)
		}
	}
	return items, nil
}

func expand(p string, recursive bool) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("the path %q does not exist", p)
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != p && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading directory %q: %w", p, err)
	}
	sort.Strings(files)
	return files, nil
}

// Decode splits data into YAML documents (JSON is YAML) and decodes each, flattening Lists.
func Decode(source string, data []byte) ([]Item, error) {
	var items []Item
	for _, doc := range splitDocuments(data) {
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("error parsing %s: error converting YAML to JSON: %v", source, strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
		}
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return nil, fmt.Errorf("error parsing %s: not an object: %v", source, err)
		}
		if obj == nil {
			continue
		}
		flat, err := flatten(source, obj)
		if err != nil {
			return nil, err
		}
		items = append(items, flat...)
	}
	return items, nil
}

func flatten(source string, obj map[string]any) ([]Item, error) {
	kind, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	var missing []string
	if apiVersion == "" {
		missing = append(missing, "apiVersion not set")
	}
	if kind == "" {
		missing = append(missing, "kind not set")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("error validating %q: error validating data: [%s]", source, strings.Join(missing, ", "))
	}
	if strings.HasSuffix(kind, "List") {
		if raw, ok := obj["items"].([]any); ok {
			var out []Item
			for i, it := range raw {
				m, ok := it.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("error validating %q: item %d of the list is not an object", source, i)
				}
				sub, err := flatten(source, m)
				if err != nil {
					return nil, err
				}
				out = append(out, sub...)
			}
			return out, nil
		}
	}
	return []Item{{Source: source, Object: obj}}, nil
}

// splitDocuments splits a YAML stream on lines that are exactly "---" (optionally followed by
// a comment or spaces), as upstream's YAML reader does.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.SplitN(line[3:], "#", 2)[0]) == "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	docs = append(docs, cur.Bytes())
	return docs
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}
