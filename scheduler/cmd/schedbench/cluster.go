package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// start runs a binary with its output in dir/<name>.log and returns its stop function. If
// the process exits before stop is called, died is called with the reason.
func start(dir, bin string, died func(error), args ...string) (func(), error) {
	logf, err := os.Create(filepath.Join(dir, filepath.Base(bin)+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan struct{})
	var stopping atomic.Bool
	go func() {
		err := cmd.Wait()
		if !stopping.Load() && died != nil {
			died(fmt.Errorf("%s exited early (%v); see %s", filepath.Base(bin), err, logf.Name()))
		}
		close(done)
	}()
	return func() {
		stopping.Store(true)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}, nil
}

func waitOK(ctx context.Context, h *http.Client, url string) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := h.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w", url, context.Cause(ctx))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// do sends one request and fails on anything but want.
func do(ctx context.Context, h *http.Client, method, url string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, bytes.TrimSpace(b))
	}
	return b, nil
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func nodeName(i int) string { return fmt.Sprintf("hollow-%05d", i) }

func nodeJSON(i int, now string) []byte {
	n := nodeName(i)
	return []byte(`{"apiVersion":"v1","kind":"Node","metadata":{"name":"` + n + `","labels":{"kubernetes.io/hostname":"` + n +
		`","topology.kubernetes.io/zone":"zone-` + fmt.Sprint(i%3) + `"}},"status":{` +
		`"capacity":{"cpu":"4","memory":"16Gi","pods":"110"},"allocatable":{"cpu":"4","memory":"16Gi","pods":"110"},` +
		`"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"` + now + `","lastTransitionTime":"` + now + `"}]}}`)
}

func leaseJSON(name, now string) []byte {
	return []byte(`{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"` + name + `","namespace":"kube-node-lease"},` +
		`"spec":{"holderIdentity":"` + name + `","leaseDurationSeconds":40,"renewTime":"` + now + `"}}`)
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }

// registerNodes creates the Node objects (status written through the status subresource
// when the create dropped it) and their Leases.
func registerNodes(ctx context.Context, h *http.Client, server string, n, clients int) error {
	return parallel(n, clients, func(i int) error {
		ts := time.Now().UTC().Format(time.RFC3339)
		body := nodeJSON(i, ts)
		got, err := do(ctx, h, http.MethodPost, server+"/api/v1/nodes", body, http.StatusCreated)
		if err != nil {
			return err
		}
		if !bytes.Contains(got, []byte(`"allocatable"`)) {
			// The server dropped status on create: write it as a kubelet would.
			var rv struct {
				Metadata struct {
					ResourceVersion string `json:"resourceVersion"`
				} `json:"metadata"`
			}
			if err := jsonUnmarshal(got, &rv); err != nil {
				return err
			}
			body = bytes.Replace(body, []byte(`"metadata":{`), []byte(`"metadata":{"resourceVersion":"`+rv.Metadata.ResourceVersion+`",`), 1)
			if _, err := do(ctx, h, http.MethodPut, server+"/api/v1/nodes/"+nodeName(i)+"/status", body, http.StatusOK); err != nil {
				return err
			}
		}
		_, err = do(ctx, h, http.MethodPost, server+"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", leaseJSON(nodeName(i), now()), http.StatusCreated)
		return err
	})
}

// heartbeat renews every node's Lease once per interval, spread evenly over it, with a merge
// patch of renewTime (what a kubelet's renewal amounts to).
func heartbeat(ctx context.Context, h *http.Client, server string, n int, interval time.Duration, ok, failed *atomic.Int64) {
	gap := interval / time.Duration(n)
	tick := time.NewTicker(gap * 10) // ten renewals per tick keeps the timer cheap
	defer tick.Stop()
	next := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for k := 0; k < 10; k++ {
			name := nodeName(next % n)
			next++
			go func() {
				patch := []byte(`{"spec":{"renewTime":"` + now() + `"}}`)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, server+"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"+name, bytes.NewReader(patch))
				req.Header.Set("Content-Type", "application/merge-patch+json")
				resp, err := h.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}()
		}
	}
}

func scrape(h *http.Client, url, prefix string) (string, error) {
	resp, err := h.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, strings.TrimPrefix(l, prefix))
		}
	}
	if len(out) == 0 {
		return "", errors.New("no such metric")
	}
	sort.Strings(out)
	return strings.Join(out, " "), nil
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return bytes.Count(b, []byte("processor\t:"))
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := int(float64(len(s))*p/100+0.5) - 1
	idx = max(0, min(idx, len(s)-1))
	return s[idx]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func saveProfile(h *http.Client, url, path string) error {
	resp, err := h.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
