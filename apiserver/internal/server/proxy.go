package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/apiserver/internal/handlers"
	"seven.dev/apiserver/internal/registry"
)

// getPod reads the pod a pods/<name>/<subresource> request names.
func (s *Server) getPod(ctx context.Context, info handlers.RequestInfo) (*core.Pod, error) {
	podKind, _ := s.scheme.ByResource("", "pods")
	obj, err := s.registry.Get(ctx, &registry.Request{Kind: podKind, Namespace: info.Namespace, Name: info.Name})
	if err != nil {
		return nil, err
	}
	return obj.(*core.Pod), nil
}

// podLogs serves GET pods/<name>/log by streaming the container's log from the kubelet
// of the pod's node (GET http://<node>:<kubelet port>/containerLogs/<ns>/<pod>/<container>).
func (s *Server) podLogs(w http.ResponseWriter, r *http.Request, info handlers.RequestInfo) {
	if r.Method != http.MethodGet {
		handlers.WriteError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Resource: "pods/log"}, r.Method))
		return
	}
	ctx := r.Context()
	pod, err := s.getPod(ctx, info)
	if err != nil {
		handlers.WriteError(w, err)
		return
	}
	q := r.URL.Query()
	container := q.Get("container")
	if container == "" {
		switch len(pod.Spec.Containers) {
		case 1:
			container = pod.Spec.Containers[0].Name
		default:
			names := make([]string, 0, len(pod.Spec.Containers))
			for _, c := range pod.Spec.Containers {
				names = append(names, c.Name)
			}
			handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: %v", pod.Name, names)))
			return
		}
	} else if !hasContainer(pod, container) {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, pod.Name)))
		return
	}
	if pod.Spec.NodeName == "" {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name)))
		return
	}
	base, err := s.kubeletURL(ctx, pod.Spec.NodeName)
	if err != nil {
		handlers.WriteError(w, err)
		return
	}
	target := base + "/containerLogs/" + url.PathEscape(pod.Namespace) + "/" + url.PathEscape(pod.Name) + "/" + url.PathEscape(container)
	fwd := url.Values{}
	for _, p := range []string{"follow", "previous", "timestamps", "tailLines", "sinceSeconds", "sinceTime", "limitBytes"} {
		if v := q.Get(p); v != "" {
			fwd.Set(p, v)
		}
	}
	if len(fwd) > 0 {
		target += "?" + fwd.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		handlers.WriteError(w, apierrors.NewInternalError(err))
		return
	}
	client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}}
	resp, err := client.Do(req)
	if err != nil {
		handlers.WriteError(w, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot reach the kubelet of node %s: %v", pod.Spec.NodeName, err)))
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		st := apierrors.NewBadRequest(string(body))
		if resp.StatusCode == http.StatusNotFound {
			st = apierrors.NewNotFound(apierrors.Resource{Resource: "pods/log"}, pod.Name)
			st.Message = string(body)
		}
		handlers.WriteError(w, st)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

func hasContainer(p *core.Pod, name string) bool {
	for _, c := range append(append([]core.Container(nil), p.Spec.InitContainers...), p.Spec.Containers...) {
		if c.Name == name {
			return true
		}
	}
	return false
}

// kubeletURL is the base URL of a node's kubelet API.
func (s *Server) kubeletURL(ctx context.Context, nodeName string) (string, error) {
	nodeKind, _ := s.scheme.ByResource("", "nodes")
	obj, err := s.registry.Get(ctx, &registry.Request{Kind: nodeKind, Name: nodeName})
	if err != nil {
		return "", err
	}
	return s.nodeKubeletURL(obj.(*core.Node))
}

// nodeKubeletURL is the base URL of node's kubelet API: its InternalIP (else any address)
// and the port the kubelet reported (else --kubelet-port).
func (s *Server) nodeKubeletURL(node *core.Node) (string, error) {
	host := ""
	for _, a := range node.Status.Addresses {
		if a.Type == core.NodeInternalIP {
			host = a.Address
			break
		}
	}
	if host == "" && len(node.Status.Addresses) > 0 {
		host = node.Status.Addresses[0].Address
	}
	if host == "" {
		return "", apierrors.NewServiceUnavailable(fmt.Sprintf("node %s has no address", node.Name))
	}
	port := int(node.Status.DaemonEndpoints.KubeletEndpoint.Port)
	if port == 0 {
		port = s.opts.KubeletPort
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// podExec serves GET and POST pods/<name>/exec by proxying the request, upgrade included
// (WebSocket v4/v5.channel.k8s.io), to the kubelet of the pod's node
// (/exec/<ns>/<pod>/<container>?command=...&stdin&stdout&stderr&tty).
func (s *Server) podExec(w http.ResponseWriter, r *http.Request, info handlers.RequestInfo) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		handlers.WriteError(w, apierrors.NewMethodNotSupported(apierrors.Resource{Resource: "pods/exec"}, r.Method))
		return
	}
	ctx := r.Context()
	pod, err := s.getPod(ctx, info)
	if err != nil {
		handlers.WriteError(w, err)
		return
	}
	q := r.URL.Query()
	container := q.Get("container")
	if container == "" {
		if len(pod.Spec.Containers) != 1 {
			handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", pod.Name)))
			return
		}
		container = pod.Spec.Containers[0].Name
	} else if !hasContainer(pod, container) {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, pod.Name)))
		return
	}
	if len(q["command"]) == 0 {
		handlers.WriteError(w, apierrors.NewBadRequest("you must specify at least 1 command"))
		return
	}
	if pod.Spec.NodeName == "" {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name)))
		return
	}
	if pod.Status.Phase == core.PodSucceeded || pod.Status.Phase == core.PodFailed {
		handlers.WriteError(w, apierrors.NewBadRequest(fmt.Sprintf("cannot exec into a container in a completed pod; current phase is %s", pod.Status.Phase)))
		return
	}
	base, err := s.kubeletURL(ctx, pod.Spec.NodeName)
	if err != nil {
		handlers.WriteError(w, err)
		return
	}
	target, err := url.Parse(base)
	if err != nil {
		handlers.WriteError(w, apierrors.NewInternalError(err))
		return
	}
	q.Del("container")
	path := "/exec/" + url.PathEscape(pod.Namespace) + "/" + url.PathEscape(pod.Name) + "/" + url.PathEscape(container)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = target.Scheme, target.Host
			pr.Out.URL.Path, pr.Out.URL.RawPath = path, ""
			pr.Out.URL.RawQuery = q.Encode()
			pr.Out.Host = target.Host
			pr.Out.Header.Del("Authorization")
		},
		Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			handlers.WriteError(w, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot reach the kubelet of node %s: %v", pod.Spec.NodeName, err)))
		},
	}
	proxy.ServeHTTP(w, r)
}
