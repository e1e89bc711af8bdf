package kubelet

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/logs"
	"seven.dev/kubelet/pkg/remotecommand"
)

// serverPort is the kubelet API's port as reported in the node's daemonEndpoints: the
// one listened on, else the one configured, else upstream's 10250.
func (k *Kubelet) serverPort() int32 {
	if p := k.port.Load(); p > 0 {
		return p
	}
	if _, port, err := net.SplitHostPort(k.opts.ServerAddr); err == nil {
		if n, err := strconv.Atoi(port); err == nil && n > 0 {
			return int32(n)
		}
	}
	return 10250
}

// Handler serves the kubelet API: /healthz, /metrics, /pods, /stats/summary,
// /containerLogs/<ns>/<pod>/<container> and /exec/<ns>/<pod>/<container>.
func (k *Kubelet) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.Handle("/metrics", k.metricsHandler())
	mux.HandleFunc("GET /pods", k.servePods)
	mux.HandleFunc("GET /stats/summary", k.serveStats)
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", k.serveLogs)
	mux.HandleFunc("/exec/{ns}/{pod}/{container}", k.serveExec)
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// servePods lists the pods bound to this node, as upstream's /pods does.
func (k *Kubelet) servePods(w http.ResponseWriter, _ *http.Request) {
	items := []*core.Pod{}
	for _, p := range k.pods.Store().List() {
		items = append(items, p)
	}
	writeJSON(w, map[string]any{"kind": "PodList", "apiVersion": "v1", "metadata": map[string]any{}, "items": items})
}

// findPod returns the pod ns/name bound to this node.
func (k *Kubelet) findPod(ns, name string) *core.Pod {
	for _, p := range k.pods.Store().List() {
		if p.Namespace == ns && p.Name == name {
			return p
		}
	}
	return nil
}

// attempt returns the latest (or, with previous, the one before) attempt of a container.
func (k *Kubelet) attempt(ctx context.Context, pod *core.Pod, name string, prev bool) (*container.ContainerStatus, error) {
	rs, err := k.rt.PodStatus(ctx, podRef(pod))
	if err != nil {
		return nil, err
	}
	latest := rs.Latest(name)
	if latest == nil {
		return nil, fmt.Errorf("container %q in pod %q is waiting to start: ContainerCreating", name, pod.Name)
	}
	if !prev {
		return latest, nil
	}
	p := previous(rs, latest)
	if p == nil {
		return nil, fmt.Errorf("previous terminated container %q in pod %q not found", name, pod.Name)
	}
	return p, nil
}

func boolParam(q string) bool { b, _ := strconv.ParseBool(q); return b }

// serveLogs streams a container's log: follow, tailLines, previous, timestamps,
// sinceSeconds, sinceTime and limitBytes, as upstream.
func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	ns, name, cname := r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")
	pod := k.findPod(ns, name)
	if pod == nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found on node %s", ns, name, k.opts.NodeName), http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	opts := logs.ReadOptions{Follow: boolParam(q.Get("follow")), Timestamps: boolParam(q.Get("timestamps")), TailLines: -1}
	if v := q.Get("tailLines"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "tailLines must be a non-negative integer", http.StatusBadRequest)
			return
		}
		opts.TailLines = n
	}
	if v := q.Get("limitBytes"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			http.Error(w, "limitBytes must be a positive integer", http.StatusBadRequest)
			return
		}
		opts.LimitBytes = n
	}
	if v := q.Get("sinceSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			http.Error(w, "sinceSeconds must be a positive integer", http.StatusBadRequest)
			return
		}
		opts.Since = time.Now().Add(-time.Duration(n) * time.Second)
	} else if v := q.Get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			http.Error(w, "sinceTime must be RFC3339", http.StatusBadRequest)
			return
		}
		opts.Since = t
	}
	cs, err := k.attempt(r.Context(), pod, cname, boolParam(q.Get("previous")))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	path := cs.LogPath
	if path == "" {
		path = LogPath(k.opts.RootDir, pod.UID, cname, cs.Attempt)
	}
	id := cs.ID
	opts.Running = func() bool {
		rs, err := k.rt.PodStatus(r.Context(), podRef(pod))
		if err != nil {
			return false
		}
		for _, c := range rs.Containers {
			if c.ID == id {
				return c.State == container.StateRunning
			}
		}
		return false
	}
	w.Header().Set("Content-Type", "text/plain")
	fw := flushWriter{w: w}
	if f, ok := w.(http.Flusher); ok {
		fw.f = f
	}
	if err := logs.Read(r.Context(), path, opts, fw); err != nil {
		k.log.Debug("serve logs", "pod", podDesc(pod), "container", cname, "err", err)
	}
}

type flushWriter struct {
	w http.ResponseWriter
	f http.Flusher
}

func (f flushWriter) Write(p []byte) (int, error) { return f.w.Write(p) }

// Flush sends what was written so far (logs.Read calls it after a batch).
func (f flushWriter) Flush() {
	if f.f != nil {
		f.f.Flush()
	}
}

// serveExec runs a command in a container over the WebSocket channel protocol.
func (k *Kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	ns, name, cname := r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")
	pod := k.findPod(ns, name)
	if pod == nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found on node %s", ns, name, k.opts.NodeName), http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	cmd := q["command"]
	if len(cmd) == 0 {
		http.Error(w, "you must specify at least 1 command", http.StatusBadRequest)
		return
	}
	cs, err := k.attempt(r.Context(), pod, cname, false)
	if err == nil && cs.State != container.StateRunning {
		err = fmt.Errorf("container %s is not running", cname)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	opts := remotecommand.Options{Stdin: boolParam(q.Get("stdin")), Stdout: boolParam(q.Get("stdout")),
		Stderr: boolParam(q.Get("stderr")), TTY: boolParam(q.Get("tty"))}
	if !strings.Contains(r.URL.RawQuery, "stdout") && !strings.Contains(r.URL.RawQuery, "stderr") {
		opts.Stdout, opts.Stderr = true, true
	}
	err = remotecommand.Serve(w, r, opts, func(ctx context.Context, s remotecommand.Streams) error {
		code, err := k.rt.Exec(ctx, cs.ID, container.ExecOptions{Command: cmd, Stdin: s.Stdin, Stdout: s.Stdout, Stderr: s.Stderr, TTY: opts.TTY, Resize: s.Resize})
		if err != nil {
			return err
		}
		if code != 0 {
			return remotecommand.ExitError{Code: code}
		}
		return nil
	})
	if err != nil {
		k.log.Debug("exec", "pod", podDesc(pod), "container", cname, "err", err)
	}
}
