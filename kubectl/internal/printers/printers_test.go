package printers

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestJSONPath(t *testing.T) {
	var doc any
	_ = json.Unmarshal([]byte(`{"items":[{"metadata":{"name":"a","labels":{"app":"x"}},"spec":{"replicas":3}},{"metadata":{"name":"b"},"spec":{"replicas":1}}]}`), &doc)
	cases := []struct{ tmpl, want string }{
		{"{.items[*].metadata.name}", "a b"},
		{"{.items[0].spec.replicas}", "3"},
		{"{.items[-1].metadata.name}", "b"},
		{`{range .items[*]}{.metadata.name}{"\n"}{end}`, "a\nb\n"},
		{`{.items[?(@.metadata.name=="b")].spec.replicas}`, "1"},
		{"{..name}", "a b"},
		{"{.items[0].metadata.labels}", `{"app":"x"}`},
		{".items[1].metadata.name", "b"},
		{"{.items[0:1].metadata.name}", "a"},
		{"{.items[*].missing}", ""},
	}
	for _, c := range cases {
		jp, err := ParseJSONPath(c.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", c.tmpl, err)
		}
		jp.AllowMissingKeys = true
		got, err := jp.Execute(doc)
		if err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
	if _, err := ParseJSONPath("{range .items}{.x}"); err == nil {
		t.Error("unclosed range parsed")
	}
}

func TestTabWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewTabWriter(&b)
	w.Write([]byte("NAME\tREADY\tAGE\nweb\t0/2\t1s\n"))
	_ = w.Flush()
	w.Write([]byte("a-longer-name\t1/2\t2s\n"))
	_ = w.Flush()
	want := "NAME   READY   AGE\nweb    0/2     1s\na-longer-name   1/2     2s\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestParseFormat(t *testing.T) {
	for _, o := range []string{"", "wide", "json", "yaml", "name", "jsonpath={.a}", "custom-columns=N:.metadata.name"} {
		if _, err := ParseFormat(o); err != nil {
			t.Errorf("%s: %v", o, err)
		}
	}
	for _, o := range []string{"xml", "jsonpath=", "custom-columns=bad", "go-template={{.a}}"} {
		if _, err := ParseFormat(o); err == nil {
			t.Errorf("%s accepted", o)
		}
	}
}
