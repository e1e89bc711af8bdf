// Package resp is a minimal client for the Redis serialization protocol (RESP2): enough
// to send a command and read its reply. It is what the guestbook frontend speaks to its
// redis master and slaves with. It never pools connections or retries: one Do, one dial.
package resp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// ErrNil is returned by Do when the server answers a nil bulk string ($-1), as GET does
// for a missing key.
var ErrNil = errors.New("redis: nil reply")

// Error is an error reply (-ERR ...) from the server.
type Error string

func (e Error) Error() string { return "redis: " + string(e) }

// Do dials addr, sends one command and returns its reply: a string for simple and bulk
// strings, an int64 for integers, a []any for arrays.
func Do(ctx context.Context, addr string, args ...string) (any, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("redis %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(Encode(args...)); err != nil {
		return nil, fmt.Errorf("redis %s: write %s: %w", addr, args[0], err)
	}
	v, err := Read(bufio.NewReader(conn))
	if err != nil && !errors.Is(err, ErrNil) {
		var re Error
		if !errors.As(err, &re) {
			err = fmt.Errorf("redis %s: read reply to %s: %w", addr, args[0], err)
		}
	}
	return v, err
}

// Encode renders a command as a RESP array of bulk strings.
func Encode(args ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return []byte(b.String())
}

// Read reads one reply.
func Read(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("malformed reply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return body, nil
	case '-':
		return nil, Error(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, fmt.Errorf("bulk length %q: %w", body, err)
		}
		if n < 0 {
			return nil, ErrNil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, fmt.Errorf("array length %q: %w", body, err)
		}
		if n < 0 {
			return nil, ErrNil
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := Read(r)
			if err != nil && !errors.Is(err, ErrNil) {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", kind)
}
