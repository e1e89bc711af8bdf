// Command frontend is the guestbook's web frontend, image kubeguide/guestbook-php-frontend:
// a Go stand-in for the seeds' PHP program. It serves the page at / and the seeds'
// guestbook.php API:
//
//	/guestbook.php?cmd=set&key=messages&value=a,b  -> SET on the master, {"message": "Updated"}
//	/guestbook.php?cmd=get&key=messages            -> GET on a slave,    {"data": "a,b"}
//
// With GET_HOSTS_FROM=env the master is $REDIS_MASTER_SERVICE_HOST:$REDIS_MASTER_SERVICE_PORT
// and the slave $REDIS_SLAVE_SERVICE_HOST:$REDIS_SLAVE_SERVICE_PORT (the kubelet's service
// variables); otherwise the DNS names redis-master:6379 and redis-slave:6379.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", ":80", "address to serve on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := &http.Server{Addr: *listen, Handler: newHandler(hostsFromEnv(os.Getenv)), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Printf("guestbook frontend on %s", *listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
