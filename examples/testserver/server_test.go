package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	type addrs struct{ http, tcp, udp net.Addr }
	got := make(chan addrs, 1)
	s := &server{hostname: "pod-a", ready: func(h, tc, u net.Addr) { got <- addrs{h, tc, u} }}
	done := make(chan error, 1)
	go func() { done <- s.run(ctx, "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0") }()
	a := <-got

	for path, want := range map[string]string{"/": "pod-a\n", "/hostname": "pod-a\n", "/echo?msg=hi": "hi", "/healthz": "ok\n"} {
		res, err := http.Get("http://" + a.http.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != want {
			t.Errorf("GET %s = %q, want %q", path, b, want)
		}
	}

	c, err := net.Dial("tcp", a.tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for line, want := range map[string]string{"hello\n": "hello\n", "hostname\n": "pod-a\n"} {
		c.Write([]byte(line))
		if got, _ := r.ReadString('\n'); got != want {
			t.Errorf("tcp %q -> %q, want %q", line, got, want)
		}
	}

	u, err := net.Dial("udp", a.udp.String())
	if err != nil {
		t.Fatal(err)
	}
	for msg, want := range map[string]string{"ping": "ping", "hostname": "pod-a\n"} {
		u.Write([]byte(msg))
		u.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 100)
		n, err := u.Read(buf)
		if err != nil || string(buf[:n]) != want {
			t.Errorf("udp %q -> %q %v, want %q", msg, buf[:n], err, want)
		}
	}
	u.Close()

	// Draining: still serving, but no longer healthy.
	s.draining.Store(true)
	res, err := http.Get("http://" + a.http.String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("draining /healthz: %d, want 503", res.StatusCode)
	}
	if res, err := http.Get("http://" + a.http.String() + "/hostname"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("draining /hostname: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	cancel() // the open TCP connection must not keep run from returning
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	c.Close()
}
