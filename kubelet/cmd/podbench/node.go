package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/kubelet/internal/privatecontainerd"
	"seven.dev/kubelet/pkg/images"
)

// node is what podbench started: containerd, kube-apiserver and a kubelet, in dir.
type node struct {
	name, dir, sock, ns string
	client              *client.Client
	stops               []func() // run last first
}

// startNode starts everything; on error the returned node (when not nil) still needs stop.
func startNode(ctx context.Context, o options) (*node, error) {
	dir, err := os.MkdirTemp("", "pb") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		return nil, err
	}
	n := &node{name: "podbench-node", dir: dir, sock: filepath.Join(dir, "c.sock"), ns: fmt.Sprintf("seven-podbench-%d", os.Getpid())}
	n.stops = append(n.stops, func() {
		if o.logDir != "" {
			n.keepLogs(o.logDir)
		}
		n.removeDir()
	})
	apiserver, err := binary(o.bin, "kube-apiserver", "seven.dev/apiserver/cmd/kube-apiserver", dir)
	if err != nil {
		return n, err
	}
	kubelet, err := binary(o.bin, "kubelet", "seven.dev/kubelet/cmd/kubelet", dir)
	if err != nil {
		return n, err
	}
	logger, err := binary(o.bin, "seven-container-logger", "seven.dev/kubelet/cmd/seven-container-logger", dir)
	if err != nil {
		return n, err
	}
	if err := writeImages(filepath.Join(dir, "images"), o.busybox, dir); err != nil {
		return n, err
	}
	if err := n.startContainerd(ctx); err != nil {
		return n, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return n, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	stop, err := start(dir, apiserver, "--data-dir="+filepath.Join(dir, "etcd"), "--insecure-bind-address=127.0.0.1",
		"--port="+strconv.Itoa(ports[0]), "--profiling=false",
		"--embedded-etcd-client-url=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--embedded-etcd-peer-url=http://127.0.0.1:"+strconv.Itoa(ports[2]))
	if err != nil {
		return n, err
	}
	n.stops = append(n.stops, stop)
	if err := waitOK(ctx, url+"/readyz", 60*time.Second); err != nil {
		return n, err
	}
	if n.client, err = client.New(client.Config{Host: url, QPS: -1}); err != nil {
		return n, err
	}
	stop, err = start(dir, kubelet, "--api-servers="+url, "--hostname-override="+n.name, "--node-ip=127.0.0.1",
		"--container-runtime-endpoint=unix://"+n.sock, "--containerd-namespace="+n.ns,
		"--root-dir="+filepath.Join(dir, "kubelet"), "--image-preload-dir="+filepath.Join(dir, "images"),
		"--container-logger="+logger, "--port=0", "--healthz-port=0", "--v="+strconv.Itoa(o.v))
	if err != nil {
		return n, err
	}
	// The kubelet stops before containerd's leftovers are cleaned and containerd stops.
	n.stops = append(n.stops, stop)
	return n, n.waitReady(ctx, 60*time.Second)
}

// stop undoes startNode, last step first.
func (n *node) stop() {
	for i := len(n.stops) - 1; i >= 0; i-- {
		n.stops[i]()
	}
}

// binary is bin/name, or name built from pkg into dir when bin lacks it.
func binary(bin, name, pkg, dir string) (string, error) {
	p := filepath.Join(bin, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	p = filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", p, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return p, nil
}

// writeImages writes busybox and our pause image into dir for --image-preload-dir.
func writeImages(dir, busybox, work string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pauseBin, err := images.BuildGo("seven.dev/kubelet/cmd/pause", ".", work)
	if err != nil {
		return err
	}
	pause, err := images.Static(pauseBin, "/pause", nil, "")
	if err != nil {
		return err
	}
	bb, err := images.Busybox(busybox)
	if err != nil {
		return err
	}
	return images.WriteTarball(filepath.Join(dir, "images.tar"), map[string]v1.Image{images.PauseRef: pause, images.BusyboxRef: bb})
}

// start runs bin in its own process group with its output in dir/<name>.log and returns
// its stop function (SIGTERM, SIGKILL after 20 s).
func start(dir, bin string, args ...string) (func(), error) {
	logf, err := os.Create(filepath.Join(dir, filepath.Base(bin)+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's ^C reaches podbench only
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	return func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}, nil
}

func (n *node) startContainerd(ctx context.Context) error {
	d, err := privatecontainerd.Start(ctx, n.dir)
	if err != nil {
		return err
	}
	n.sock = d.Socket
	n.stops = append(n.stops, func() {
		if err := d.Stop(n.ns); err != nil {
			fmt.Fprintln(os.Stderr, "podbench: cleanup:", err)
		}
	})
	return nil
}

// removeDir unmounts what is still mounted under dir (nothing, normally) and removes it.
func (n *node) removeDir() {
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		var mounts []string
		s := bufio.NewScanner(f)
		for s.Scan() {
			if fields := strings.Fields(s.Text()); len(fields) > 4 && strings.HasPrefix(fields[4], n.dir+"/") {
				mounts = append(mounts, fields[4])
			}
		}
		f.Close()
		for i := len(mounts) - 1; i >= 0; i-- {
			_ = syscall.Unmount(mounts[i], syscall.MNT_DETACH)
		}
	}
	if err := os.RemoveAll(n.dir); err != nil {
		fmt.Fprintf(os.Stderr, "podbench: remove %s: %v\n", n.dir, err)
	}
}

// waitReady waits for the node to report Ready.
func (n *node) waitReady(ctx context.Context, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for {
		if nd, err := client.Nodes(n.client).Get(ctx, "", n.name); err == nil {
			for _, c := range nd.Status.Conditions {
				if c.Type == core.NodeReady && c.Status == core.ConditionTrue {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s not Ready (see %s/kubelet.log): %w", n.name, n.dir, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func waitOK(ctx context.Context, url string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w", url, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePorts(k int) ([]int, error) {
	var ports []int
	for i := 0; i < k; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tailLogs writes the last lines of each daemon's log, for a failed run (the directory
// is removed afterwards).
func (n *node) tailLogs(w io.Writer, lines int) {
	if n == nil {
		return
	}
	for _, name := range []string{"containerd", "kube-apiserver", "kubelet"} {
		data, err := os.ReadFile(filepath.Join(n.dir, name+".log"))
		if err != nil {
			continue
		}
		all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		fmt.Fprintf(w, "--- last lines of %s.log\n%s\n", name, strings.Join(all[max(0, len(all)-lines):], "\n"))
	}
}

// keepLogs copies the daemons' logs into dir.
func (n *node) keepLogs(dir string) {
	logs, _ := filepath.Glob(filepath.Join(n.dir, "*.log"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "podbench: -log-dir: %v\n", err)
		return
	}
	for _, l := range logs {
		if data, err := os.ReadFile(l); err == nil {
			_ = os.WriteFile(filepath.Join(dir, filepath.Base(l)), data, 0o644)
		}
	}
}
