package main

import "testing"

func TestParseStat(t *testing.T) {
	// comm may hold spaces and parentheses; the fields after the last ')' are counted from state.
	line := []byte("4242 (runc:[2:INIT] (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 17 5 3 2 20 0 1 0 98765 1000 10 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
	k, v, ok := parseStat(4242, line)
	if !ok {
		t.Fatal("not parsed")
	}
	if k.pid != 4242 || k.start != 98765 {
		t.Errorf("key = %+v, want pid 4242 start 98765", k)
	}
	if v.comm != "runc:[2:INIT] (x)" || v.self != 22 || v.children != 5 {
		t.Errorf("times = %+v, want comm %q self 22 children 5", v, "runc:[2:INIT] (x)")
	}
	if _, _, ok := parseStat(1, []byte("1 (short) S 1 2")); ok {
		t.Error("a truncated line parsed")
	}
}
