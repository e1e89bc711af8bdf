package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// server answers HTTP, TCP and UDP with its hostname or an echo.
type server struct {
	hostname string
	// ready, when set, is called with the bound addresses before serving (tests use it).
	ready func(http, tcp, udp net.Addr)
	// draining makes /healthz answer 503 (shutting down).
	draining atomic.Bool
}

// run listens on the non-empty addresses and serves until ctx ends.
func (s *server) run(ctx context.Context, httpAddr, tcpAddr, udpAddr string) error {
	var lc net.ListenConfig
	var httpLn, tcpLn net.Listener
	var udpConn net.PacketConn
	var err error
	var addrs [3]net.Addr
	if httpAddr != "" {
		if httpLn, err = lc.Listen(ctx, "tcp", httpAddr); err != nil {
			return fmt.Errorf("http: %w", err)
		}
		addrs[0] = httpLn.Addr()
	}
	if tcpAddr != "" {
		if tcpLn, err = lc.Listen(ctx, "tcp", tcpAddr); err != nil {
			return fmt.Errorf("tcp: %w", err)
		}
		addrs[1] = tcpLn.Addr()
	}
	if udpAddr != "" {
		if udpConn, err = lc.ListenPacket(ctx, "udp", udpAddr); err != nil {
			return fmt.Errorf("udp: %w", err)
		}
		addrs[2] = udpConn.LocalAddr()
	}
	if s.ready != nil {
		s.ready(addrs[0], addrs[1], addrs[2])
	}
	log.Printf("testserver %s: http %v tcp %v udp %v", s.hostname, addrs[0], addrs[1], addrs[2])
	var wg sync.WaitGroup
	if httpLn != nil {
		srv := &http.Server{Handler: s.httpHandler(), ReadHeaderTimeout: 10 * time.Second}
		wg.Go(func() { _ = srv.Serve(httpLn) })
		wg.Go(func() { <-ctx.Done(); _ = srv.Close() })
	}
	if tcpLn != nil {
		wg.Go(func() { s.serveTCP(ctx, tcpLn) })
		wg.Go(func() { <-ctx.Done(); _ = tcpLn.Close() })
	}
	if udpConn != nil {
		wg.Go(func() { s.serveUDP(udpConn) })
		wg.Go(func() { <-ctx.Done(); _ = udpConn.Close() })
	}
	wg.Wait()
	return nil
}

func (s *server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	hostname := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/hostname" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, s.hostname)
	}
	mux.HandleFunc("/", hostname)
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Query().Get("msg")) })
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		if s.draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// answer is what a TCP line or UDP datagram gets back.
func (s *server) answer(msg []byte) []byte {
	if strings.TrimSpace(string(msg)) == "hostname" {
		return []byte(s.hostname + "\n")
	}
	return msg
}

func (s *server) serveTCP(ctx context.Context, ln net.Listener) {
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Printf("tcp accept: %v", err)
			}
			return
		}
		conns.Go(func() {
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { _ = c.Close() })
			defer stop()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadBytes('\n')
				if len(line) > 0 {
					if _, werr := c.Write(s.answer(line)); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
}

func (s *server) serveUDP(conn net.PacketConn) {
	buf := make([]byte, 64<<10)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Printf("udp read: %v", err)
			}
			return
		}
		_, _ = conn.WriteTo(s.answer(buf[:n]), from)
	}
}
