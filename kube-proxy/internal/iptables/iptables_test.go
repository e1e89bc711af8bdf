package iptables

import (
	"slices"
	"testing"
)

func TestWithTunable(t *testing.T) {
	for _, tc := range []struct{ env, want []string }{
		{[]string{"A=1"}, []string{"A=1", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
		{[]string{"GLIBC_TUNABLES=glibc.malloc.arena_max=2", "A=1"}, []string{"A=1", "GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"}},
		{[]string{"GLIBC_TUNABLES="}, []string{"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
	} {
		if got := withTunable(tc.env, "glibc.malloc.hugetlb=1"); !slices.Equal(got, tc.want) {
			t.Errorf("withTunable(%q) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
