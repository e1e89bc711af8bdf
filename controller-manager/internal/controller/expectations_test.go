package controller

import (
	"testing"
	"time"
)

func TestExpectations(t *testing.T) {
	now := time.Unix(0, 0)
	e := NewExpectations(func() time.Time { return now })
	if !e.Satisfied("k") {
		t.Fatal("unknown key must be satisfied")
	}
	e.ExpectCreations("k", 2)
	e.CreationObserved("k")
	if e.Satisfied("k") {
		t.Fatal("one creation still pending")
	}
	e.CreationObserved("k")
	if !e.Satisfied("k") {
		t.Fatal("all creations observed")
	}
	e.ExpectDeletions("k", []string{"a", "b"})
	e.DeletionObserved("k", "other")
	e.DeletionObserved("k", "a")
	if e.Satisfied("k") {
		t.Fatal("b still pending; an unrelated deletion must not count")
	}
	now = now.Add(ExpectationsTimeout + time.Second)
	if !e.Satisfied("k") {
		t.Fatal("expired expectations must not block forever")
	}
}

func TestCloneIsDeep(t *testing.T) {
	type obj struct{ M map[string]string }
	a := &obj{M: map[string]string{"x": "1"}}
	b := Clone(a)
	b.M["x"] = "2"
	if a.M["x"] != "1" {
		t.Fatal("clone shares its map")
	}
}
