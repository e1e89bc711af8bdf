package containerdrt

import (
	"reflect"
	"testing"
)

func TestPodIndex(t *testing.T) {
	var x podIndex
	if got := x.of("a"); len(got) != 0 {
		t.Fatalf("empty index: %v", got)
	}
	x.add("a", "c2")
	x.add("a", "c1")
	x.add("b", "c3")
	x.add("a", "c1") // again: no duplicate
	if got, want := x.of("a"), []string{"c1", "c2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("of(a) = %v, want %v", got, want)
	}
	x.remove("c1")
	x.remove("unknown")
	if got, want := x.of("a"), []string{"c2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after remove: of(a) = %v, want %v", got, want)
	}
	x.remove("c2")
	if _, ok := x.ids["a"]; ok {
		t.Fatal("a pod without containers stays in the index")
	}
	if got, want := x.of("b"), []string{"c3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("of(b) = %v, want %v", got, want)
	}
}
