package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/handlers"
	"seven.dev/apiserver/internal/metricsapi"
	"seven.dev/apiserver/internal/printers"
)

// Version is reported at /version; the API it serves is that of Kubernetes 1.32.
var versionInfo = map[string]string{
	"major":        "1",
	"minor":        "32",
	"gitVersion":   "v1.32.0-seven",
	"gitCommit":    "",
	"gitTreeState": "clean",
	"buildDate":    "",
	"goVersion":    runtime.Version(),
	"compiler":     runtime.Compiler,
	"platform":     runtime.GOOS + "/" + runtime.GOARCH,
}

func (s *Server) routes(ctx context.Context) http.Handler {
	watchStop, stop := context.WithCancel(context.Background())
	s.stopWatches = stop
	res := handlers.NewResources(handlers.Config{
		Registry:        s.registry,
		Scheme:          s.scheme,
		Table:           printers.ToTable,
		Logger:          s.log,
		MaxBody:         s.opts.MaxRequestBodyBytes,
		RequestTimeout:  s.opts.RequestTimeout,
		MinWatchTimeout: time.Duration(s.opts.MinRequestTimeout) * time.Second,
		Watches:         s.metrics,
		Stop:            watchStop.Done(),
		Subresources: map[string]handlers.SubresourceHandler{
			"pods/log":  s.podLogs,
			"pods/exec": s.podExec,
		},
	})
	disc := &handlers.Discovery{Scheme: s.scheme, Extra: []meta.APIResourceList{metricsapi.Discovery()}}
	resourceMetrics := s.newResourceMetrics()
	r := chi.NewRouter()
	r.Use(s.recoverPanics)
	r.Use(s.metrics.middleware)
	r.NotFound(handlers.NotFound)
	r.MethodNotAllowed(handlers.NotFound)
	health := func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkEtcd(r.Context()); err != nil {
			http.Error(w, "[-]etcd failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	}
	r.Get("/healthz", health)
	r.Get("/livez", health)
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.ready:
			health(w, r)
		default:
			http.Error(w, "[-]bootstrap not finished", http.StatusInternalServerError)
		}
	})
	r.Get("/version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(versionInfo)
	})
	r.Handle("/metrics", promhttp.HandlerFor(s.metrics.gatherer, promhttp.HandlerOpts{}))
	if s.opts.Profiling {
		r.HandleFunc("/debug/pprof/*", pprof.Index)
		r.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		r.HandleFunc("/debug/pprof/profile", pprof.Profile)
		r.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		r.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	r.Get("/api", disc.ServeAPI)
	r.Get("/api/", disc.ServeAPI)
	r.Get("/apis", disc.ServeAPIs)
	r.Get("/apis/", disc.ServeAPIs)
	r.HandleFunc("/openapi/*", s.serveOpenAPI)
	serveAPI := func(w http.ResponseWriter, r *http.Request) {
		info := handlers.ParseRequestInfo(r)
		if !info.IsResource {
			path := strings.Trim(r.URL.Path, "/")
			parts := strings.Split(path, "/")
			switch {
			case r.Method != http.MethodGet:
				handlers.NotFound(w, r)
			case len(parts) == 2 && parts[0] == "api":
				disc.ServeResources(w, r, parts[1])
			case len(parts) == 2 && parts[0] == "apis":
				disc.ServeGroup(w, r, parts[1])
			case len(parts) == 3 && parts[0] == "apis":
				disc.ServeResources(w, r, parts[1]+"/"+parts[2])
			default:
				handlers.NotFound(w, r)
			}
			return
		}
		if info.Group == metricsapi.Group {
			resourceMetrics.ServeHTTP(w, r)
			return
		}
		res.ServeResource(w, r, info)
	}
	r.HandleFunc("/api/*", serveAPI)
	r.HandleFunc("/apis/*", serveAPI)
	return r
}

// recoverPanics turns a handler panic into a 500 Status and a log line, never a crash.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				b, _ := json.Marshal(apierrors.NewInternalError(fmt.Errorf("%v", p)))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write(b)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) checkEtcd(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := s.client.Get(ctx, "health")
	return err
}
