// Command testserver is the image seven/testserver: a small server for network tests.
//
//	HTTP on --http-port (8080): / and /hostname answer the hostname (the pod's name),
//	                            /echo?msg=x answers x, /healthz answers ok.
//	TCP  on --tcp-port  (9000): echoes what it reads; a line "hostname" is answered with the hostname.
//	UDP  on --udp-port  (9001): echoes each datagram; a datagram "hostname" is answered with the hostname.
//
// A port of 0 turns that server off. It exits cleanly on SIGTERM; with --shutdown-delay it
// first goes on serving that long while /healthz answers 503, so a rollout can take it out
// of its Service before it stops answering.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	httpPort := flag.Int("http-port", 8080, "HTTP port (0: off)")
	tcpPort := flag.Int("tcp-port", 9000, "TCP echo port (0: off)")
	udpPort := flag.Int("udp-port", 9001, "UDP echo port (0: off)")
	delay := flag.Duration("shutdown-delay", 0, "keep serving this long after SIGTERM, /healthz failing")
	flag.Parse()
	hostname, err := os.Hostname()
	if err != nil {
		log.Fatal(err)
	}
	sig, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	s := &server{hostname: hostname}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-sig.Done()
		s.draining.Store(true)
		time.Sleep(*delay)
		cancel()
	}()
	if err := s.run(ctx, addr(*httpPort), addr(*tcpPort), addr(*udpPort)); err != nil {
		log.Fatal(err)
	}
}

func addr(port int) string {
	if port == 0 {
		return ""
	}
	return fmt.Sprintf(":%d", port)
}
