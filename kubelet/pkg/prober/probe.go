package prober

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

// Result is a probe's outcome.
type Result int

// Values of Result.
const (
	Unknown Result = iota
	Success
	Failure
)

func (r Result) String() string {
	switch r {
	case Success:
		return "success"
	case Failure:
		return "failure"
	}
	return "unknown"
}

// Target is what a probe runs against.
type Target struct {
	// PodIP is the default host of httpGet and tcpSocket probes.
	PodIP string
	// Exec runs a command in the container and returns its exit code and output.
	Exec func(ctx context.Context, cmd []string) (int, string, error)
}

// Defaults fills upstream's defaults into a copy of p.
func Defaults(p *core.Probe) core.Probe {
	q := *p
	if q.TimeoutSeconds <= 0 {
		q.TimeoutSeconds = 1
	}
	if q.PeriodSeconds <= 0 {
		q.PeriodSeconds = 10
	}
	if q.SuccessThreshold <= 0 {
		q.SuccessThreshold = 1
	}
	if q.FailureThreshold <= 0 {
		q.FailureThreshold = 3
	}
	return q
}

// resolvePort turns a number or a named container port into a port number.
func resolvePort(p intstr.IntOrString, c *core.Container) (int, error) {
	if p.Type == intstr.Int {
		return int(p.IntVal), nil
	}
	if n, err := strconv.Atoi(p.StrVal); err == nil {
		return n, nil
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort), nil
		}
	}
	return 0, fmt.Errorf("port %q not found in container %s", p.StrVal, c.Name)
}

// Run runs p once against c and returns its result and, on failure, why.
func Run(ctx context.Context, p *core.Probe, c *core.Container, t Target) (Result, string) {
	timeout := time.Duration(Defaults(p).TimeoutSeconds) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.Exec != nil:
		if t.Exec == nil {
			return Failure, "exec probes are not supported by this runtime"
		}
		code, out, err := t.Exec(ctx, p.Exec.Command)
		if err != nil {
			if ctx.Err() != nil {
				return Failure, fmt.Sprintf("command timed out after %s", timeout)
			}
			return Failure, err.Error()
		}
		if code != 0 {
			return Failure, fmt.Sprintf("command %q exited with %d: %s", strings.Join(p.Exec.Command, " "), code, out)
		}
		return Success, ""
	case p.HTTPGet != nil:
		return httpProbe(ctx, p.HTTPGet, c, t.PodIP, timeout)
	case p.TCPSocket != nil:
		port, err := resolvePort(p.TCPSocket.Port, c)
		if err != nil {
			return Failure, err.Error()
		}
		host := p.TCPSocket.Host
		if host == "" {
			host = t.PodIP
		}
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return Failure, fmt.Sprintf("dial tcp %s: %v", net.JoinHostPort(host, strconv.Itoa(port)), err)
		}
		conn.Close()
		return Success, ""
	case p.GRPC != nil:
		return Failure, "grpc probes are not supported by this kubelet"
	}
	return Unknown, "probe has no handler"
}

func httpProbe(ctx context.Context, g *core.HTTPGetAction, c *core.Container, podIP string, timeout time.Duration) (Result, string) {
	port, err := resolvePort(g.Port, c)
	if err != nil {
		return Failure, err.Error()
	}
	host := g.Host
	if host == "" {
		host = podIP
	}
	scheme := strings.ToLower(string(g.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	path := g.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port))}
	if ref, err := url.Parse(path); err == nil {
		u = u.ResolveReference(ref)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Failure, err.Error()
	}
	req.Header.Set("User-Agent", "kube-probe/1.32")
	req.Header.Set("Accept", "*/*")
	for _, h := range g.HTTPHeaders {
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := cl.Do(req)
	if err != nil {
		return Failure, err.Error() // Get "<url>": ...
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 10<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		return Success, ""
	}
	return Failure, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode) + trimBody(body)
}

func trimBody(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 256 {
		b = b[:256]
	}
	return ": " + strings.TrimSpace(string(b))
}
