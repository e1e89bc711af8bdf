package resp

import (
	"bufio"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	got := string(Encode("SET", "messages", "a,b"))
	want := "*3\r\n$3\r\nSET\r\n$8\r\nmessages\r\n$3\r\na,b\r\n"
	if got != want {
		t.Errorf("Encode = %q, want %q", got, want)
	}
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    any
		wantErr error
	}{
		{"+OK\r\n", "OK", nil},
		{":42\r\n", int64(42), nil},
		{"$5\r\nhello\r\n", "hello", nil},
		{"$0\r\n\r\n", "", nil},
		{"$8\r\na\r\nb,c d\r\n", "a\r\nb,c d", nil},
		{"$-1\r\n", nil, ErrNil},
		{"*2\r\n$1\r\na\r\n:1\r\n", []any{"a", int64(1)}, nil},
		{"-ERR wrong\r\n", nil, Error("ERR wrong")},
	} {
		got, err := Read(bufio.NewReader(strings.NewReader(tc.in)))
		if !errors.Is(err, tc.wantErr) && err != tc.wantErr {
			t.Errorf("Read(%q) error %v, want %v", tc.in, err, tc.wantErr)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Read(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "OK\r\n", "?x\r\n", "$abc\r\n", "$5\r\nab"} {
		if _, err := Read(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("Read(%q): no error", bad)
		}
	}
}
