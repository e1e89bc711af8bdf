package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"seven.dev/examples/internal/resp"
)

func TestHostsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want hosts
	}{
		{"dns", map[string]string{}, hosts{"redis-master:6379", "redis-slave:6379"}},
		{"dns when not env", map[string]string{"GET_HOSTS_FROM": "dns", "REDIS_MASTER_SERVICE_HOST": "10.0.0.1"}, hosts{"redis-master:6379", "redis-slave:6379"}},
		{"env", map[string]string{"GET_HOSTS_FROM": "env", "REDIS_MASTER_SERVICE_HOST": "10.0.0.1", "REDIS_MASTER_SERVICE_PORT": "6379",
			"REDIS_SLAVE_SERVICE_HOST": "10.0.0.2", "REDIS_SLAVE_SERVICE_PORT": "6380"}, hosts{"10.0.0.1:6379", "10.0.0.2:6380"}},
		{"env without ports", map[string]string{"GET_HOSTS_FROM": "env", "REDIS_MASTER_SERVICE_HOST": "10.0.0.1", "REDIS_SLAVE_SERVICE_HOST": "10.0.0.2"},
			hosts{"10.0.0.1:6379", "10.0.0.2:6379"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hostsFromEnv(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// fakeRedis answers SET and GET from data, which master and slave share (instant replication).
type fakeRedis struct {
	mu   sync.Mutex
	data map[string]string
	cmds []string
}

func (f *fakeRedis) serve(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.conn(c)
		}
	}()
	return ln.Addr().String()
}

func (f *fakeRedis) conn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		v, err := resp.Read(r)
		if err != nil {
			return
		}
		args := v.([]any)
		f.mu.Lock()
		f.cmds = append(f.cmds, c.LocalAddr().String()+" "+args[0].(string))
		switch args[0] {
		case "SET":
			f.data[args[1].(string)] = args[2].(string)
			io.WriteString(c, "+OK\r\n")
		case "GET":
			if v, ok := f.data[args[1].(string)]; ok {
				c.Write(resp.Encode(v)[4:]) // a bulk string: drop the "*1\r\n" array header
			} else {
				io.WriteString(c, "$-1\r\n")
			}
		}
		f.mu.Unlock()
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestGuestbookAPI(t *testing.T) {
	f := &fakeRedis{data: map[string]string{}}
	master, slave := f.serve(t), f.serve(t)
	srv := httptest.NewServer(newHandler(hosts{master: master, slave: slave}))
	defer srv.Close()

	for _, tc := range []struct{ path, want string }{
		{"/guestbook.php?cmd=get&key=messages", `{"data": ""}`},
		{"/guestbook.php?cmd=set&key=messages&value=hello,%22world%22", `{"message": "Updated"}`},
		{"/guestbook.php?cmd=get&key=messages", `{"data": "hello,\"world\""}`},
	} {
		if code, body := get(t, srv.URL+tc.path); code != 200 || body != tc.want {
			t.Errorf("%s: %d %s, want 200 %s", tc.path, code, body, tc.want)
		}
	}
	f.mu.Lock()
	want := []string{slave + " GET", master + " SET", slave + " GET"}
	if strings.Join(f.cmds, "|") != strings.Join(want, "|") {
		t.Errorf("commands %v, want %v", f.cmds, want)
	}
	f.mu.Unlock()

	if code, body := get(t, srv.URL+"/"); code != 200 || !strings.Contains(body, "guestbook.php") {
		t.Errorf("/: %d %.80s", code, body)
	}
	if code, _ := get(t, srv.URL+"/guestbook.php?cmd=nope"); code != http.StatusBadRequest {
		t.Errorf("bad cmd: %d", code)
	}
}

func TestRedisDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	srv := httptest.NewServer(newHandler(hosts{master: addr, slave: addr}))
	defer srv.Close()
	if code, body := get(t, srv.URL+"/guestbook.php?cmd=set&key=k&value=v"); code != 500 || !strings.Contains(body, `"error"`) {
		t.Errorf("set with redis down: %d %s", code, body)
	}
}
