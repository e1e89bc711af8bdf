// Command apibench measures kube-apiserver: pod create throughput and latency from many
// concurrent clients, and watch delivery latency to many watchers. It talks HTTP to a
// running server (start one with --server, or let it start the built binary).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	server      string
	binDir      string
	creates     int
	clients     int
	watchers    int
	watchEvents int
	watchRate   float64
	namespace   string
}

func main() {
	var o options
	flag.StringVar(&o.server, "server", "", "URL of a running kube-apiserver (empty: start _output/bin/kube-apiserver on embedded etcd)")
	flag.StringVar(&o.binDir, "bin", "_output/bin", "directory of the built binaries")
	flag.IntVar(&o.creates, "creates", 10000, "pods to create in the throughput phase")
	flag.IntVar(&o.clients, "clients", 50, "concurrent clients")
	flag.IntVar(&o.watchers, "watchers", 1000, "concurrent watchers in the watch phase")
	flag.IntVar(&o.watchEvents, "watch-events", 1000, "pods created while the watchers listen")
	flag.Float64Var(&o.watchRate, "watch-rate", 0, "pods created per second while the watchers listen (0: as fast as the clients can)")
	flag.StringVar(&o.namespace, "namespace", "default", "namespace to create pods in")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "apibench: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.server == "" {
		url, stop, err := startServer(o.binDir)
		if err != nil {
			return err
		}
		defer stop()
		o.server = url
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2, MaxConnsPerHost: 0}}
	fmt.Printf("server %s, %d CPUs\n", o.server, numCPU())

	// Phase 1: creates.
	lat, elapsed, err := createPods(client, o.server, o.namespace, "bench", o.creates, o.clients)
	if err != nil {
		return err
	}
	fmt.Printf("creates: %d pods from %d clients in %.2fs = %.0f creates/s; latency p50 %.1fms p99 %.1fms max %.1fms\n",
		o.creates, o.clients, elapsed.Seconds(), float64(o.creates)/elapsed.Seconds(),
		ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(lat, 100)))

	// Phase 2: watch delivery.
	return watchPhase(client, o)
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("processor\t:"))
}

func podJSON(name string) []byte {
	return []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"` + name + `","labels":{"app":"bench"}},"spec":{"containers":[{"name":"c","image":"busybox:1.36","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}`)
}

func createPods(client *http.Client, server, ns, prefix string, n, clients int) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	url := server + "/api/v1/namespaces/" + ns + "/pods"
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || firstErr.Load() != nil {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(podJSON(fmt.Sprintf("%s-%06d", prefix, i))))
				if err != nil {
					firstErr.Store(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					firstErr.Store(fmt.Errorf("create %d: HTTP %d", i, resp.StatusCode))
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return nil, 0, err
	}
	return lat, time.Since(start), nil
}

func watchPhase(client *http.Client, o options) error {
	resp, err := client.Get(o.server + "/api/v1/namespaces/" + o.namespace + "/pods?limit=1")
	if err != nil {
		return err
	}
	var list struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil {
		return err
	}
	sent := make([]atomic.Int64, o.watchEvents) // unix nanos when each create was sent
	received := make([][]time.Duration, o.watchers)
	var ready, done sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	watchClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	errs := make(chan error, o.watchers)
	for w := 0; w < o.watchers; w++ {
		ready.Add(1)
		done.Add(1)
		go func(w int) {
			defer done.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.server+"/api/v1/namespaces/"+o.namespace+
				"/pods?watch=true&labelSelector=app%3Dwatchbench&resourceVersion="+list.Metadata.ResourceVersion, nil)
			resp, err := watchClient.Do(req)
			ready.Done()
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			got := make([]time.Duration, 0, o.watchEvents)
			// A lean reader: the watchers share the machine with the server under test.
			rd := bufio.NewReaderSize(resp.Body, 64<<10)
			for len(got) < o.watchEvents {
				line, err := rd.ReadSlice('\n')
				if err != nil {
					break
				}
				now := time.Now().UnixNano()
				idx := eventIndex(line)
				if idx < 0 || idx >= o.watchEvents {
					continue
				}
				got = append(got, time.Duration(now-sent[idx].Load()))
			}
			received[w] = got
		}(w)
	}
	ready.Wait()
	time.Sleep(2 * time.Second) // let every watch register
	var wg sync.WaitGroup
	var next atomic.Int64
	url := o.server + "/api/v1/namespaces/" + o.namespace + "/pods"
	start := time.Now()
	for c := 0; c < o.clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= o.watchEvents {
					return
				}
				if o.watchRate > 0 {
					// Pace the creates: event i goes out at start + i/rate.
					if d := time.Until(start.Add(time.Duration(float64(i) / o.watchRate * float64(time.Second)))); d > 0 {
						time.Sleep(d)
					}
				}
				body := bytes.Replace(podJSON(fmt.Sprintf("watch-%06d", i)), []byte(`"app":"bench"`), []byte(`"app":"watchbench"`), 1)
				sent[i].Store(time.Now().UnixNano())
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	createTime := time.Since(start)
	waitCh := make(chan struct{})
	go func() { done.Wait(); close(waitCh) }()
	select {
	case <-waitCh:
	case <-time.After(2 * time.Minute):
		cancel()
		<-waitCh
	}
	var all []time.Duration
	complete := 0
	for _, r := range received {
		if len(r) == o.watchEvents {
			complete++
		}
		all = append(all, r...)
	}
	select {
	case err := <-errs:
		return err
	default:
	}
	rate := "as fast as possible"
	if o.watchRate > 0 {
		rate = fmt.Sprintf("paced at %.0f/s", o.watchRate)
	}
	fmt.Printf("watch: %d watchers x %d events (%s, created in %.2fs): %d/%d watchers got every event; delivery p50 %.1fms p99 %.1fms max %.1fms\n",
		o.watchers, o.watchEvents, rate, createTime.Seconds(), complete, o.watchers, ms(pct(all, 50)), ms(pct(all, 99)), ms(pct(all, 100)))
	return nil
}

// eventIndex finds the number in "watch-000123" in a watch event line without a full decode.
func eventIndex(line []byte) int {
	i := bytes.Index(line, []byte(`"name":"watch-`))
	if i < 0 {
		return -1
	}
	rest := line[i+len(`"name":"watch-`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return -1
	}
	n, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return -1
	}
	return n
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := int(float64(len(s))*p/100+0.5) - 1
	if idx < 0 {
		idx = 0
	}
	if idx >= len(s) {
		idx = len(s) - 1
	}
	return s[idx]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startServer(binDir string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "apibench-")
	if err != nil {
		return "", nil, err
	}
	ports := make([]int, 3)
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return "", nil, err
		}
	}
	cmd := exec.Command(filepath.Join(binDir, "kube-apiserver"), "--data-dir="+dir,
		"--port="+strconv.Itoa(ports[0]),
		"--embedded-etcd-client-url=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--embedded-etcd-peer-url=http://127.0.0.1:"+strconv.Itoa(ports[2]))
	logf, err := os.Create(filepath.Join(dir, "kube-apiserver.log"))
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logf.Close()
		os.RemoveAll(dir)
	}
	url := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	for i := 0; i < 600; i++ {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url, stop, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("kube-apiserver did not become ready")
}
