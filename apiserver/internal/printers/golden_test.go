package printers

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the printers' output (review every change against upstream before committing)")

// goldenNow is the time the ages in every golden file are computed against.
func goldenNow() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

// TestGolden prints each testdata/<name>.in.json (a list such as PodList) and
// compares the Table with testdata/<name>.golden.json. The golden files are
// the specification: each was checked by hand against upstream's
// pkg/printers/internalversion at v1.32.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.in.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no testdata/*.in.json")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".in.json")
		t.Run(name, func(t *testing.T) {
			k, objs := readList(t, in)
			table, err := ToTable(k, objs, goldenNow())
			if err != nil {
				t.Fatalf("ToTable: %v", err)
			}
			got, err := json.MarshalIndent(table, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			goldenPath := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !sameJSON(t, got, want) {
				t.Errorf("table differs from %s\ngot:\n%s\nrows wanted:\n%s", goldenPath, rowsOf(t, got), rowsOf(t, want))
			}
		})
	}
}

// readList decodes a list file into its kind and items.
func readList(t *testing.T, path string) (*scheme.Kind, []meta.Object) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		meta.TypeMeta
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	k, ok := scheme.Default().ByKind(list.APIVersion, strings.TrimSuffix(list.Kind, "List"))
	if !ok {
		t.Fatalf("%s: unknown list %s %s", path, list.APIVersion, list.Kind)
	}
	objs := make([]meta.Object, len(list.Items))
	for i, raw := range list.Items {
		obj := k.New()
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields() // catch typos in the inputs
		if err := dec.Decode(obj); err != nil {
			t.Fatalf("%s item %d: %v", path, i, err)
		}
		objs[i] = obj
	}
	return k, objs
}

// sameJSON compares two documents after parsing, so formatting does not
// matter but the JSON type of every cell does (64 and "64" differ).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// rowsOf renders a table's cells one row a line, for readable failures.
func rowsOf(t *testing.T, doc []byte) string {
	t.Helper()
	var table struct {
		Rows []struct {
			Cells      []any `json:"cells"`
			Conditions any   `json:"conditions"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(doc, &table); err != nil {
		return string(doc)
	}
	var b strings.Builder
	for _, r := range table.Rows {
		line, _ := json.Marshal(r)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}
