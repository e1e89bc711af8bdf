package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"seven.dev/examples/internal/resp"
)

//go:embed index.html
var indexHTML []byte

// hosts are the redis addresses the frontend writes to and reads from.
type hosts struct{ master, slave string }

// hostsFromEnv applies the seeds' GET_HOSTS_FROM semantics to the environment getenv reads.
func hostsFromEnv(getenv func(string) string) hosts {
	if getenv("GET_HOSTS_FROM") != "env" {
		return hosts{master: "redis-master:6379", slave: "redis-slave:6379"}
	}
	addr := func(svc string) string {
		port := getenv(svc + "_SERVICE_PORT")
		if port == "" {
			port = "6379"
		}
		return net.JoinHostPort(getenv(svc+"_SERVICE_HOST"), port)
	}
	return hosts{master: addr("REDIS_MASTER"), slave: addr("REDIS_SLAVE")}
}

// newHandler serves the page and the guestbook.php API against h.
func newHandler(h hosts) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/guestbook.php", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		key := q.Get("key")
		switch q.Get("cmd") {
		case "set":
			if _, err := resp.Do(ctx, h.master, "SET", key, q.Get("value")); err != nil {
				writeError(w, err)
				return
			}
			fmt.Fprint(w, `{"message": "Updated"}`)
		case "get":
			v, err := resp.Do(ctx, h.slave, "GET", key)
			if err != nil && !errors.Is(err, resp.ErrNil) {
				writeError(w, err)
				return
			}
			s, _ := v.(string)
			fmt.Fprintf(w, `{"data": %s}`, quote(s))
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error": %s}`, quote("cmd must be set or get"))
		}
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(indexHTML)
	})
	return mux
}

func writeError(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `{"error": %s}`, quote(err.Error()))
}

// quote renders s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
