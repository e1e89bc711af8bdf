package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"seven.dev/e2e/cluster"
)

// deployGuestbook creates the seeds' guestbook from dir and waits for its frontend on the
// first node's NodePort 30001. What is missing for it (a daemon, an image) is said and the
// step skipped, rather than waited for.
func deployGuestbook(ctx context.Context, c *cluster.Cluster, dir string, timeout time.Duration) error {
	for _, d := range []string{"kubelet", "kube-scheduler", "kube-controller-manager", "kube-proxy"} {
		if !c.Available(d) {
			fmt.Printf("Guestbook skipped: %s is not running (see above).\n", d)
			return nil
		}
	}
	want, err := manifestImages(dir)
	if err != nil {
		return err
	}
	have := preloadedImages(c.Config.ImageDir)
	var missing []string
	for _, img := range want {
		if !have[normalizeImage(img)] {
			missing = append(missing, img)
		}
	}
	if len(missing) > 0 {
		fmt.Printf("Guestbook skipped: images not built yet: %s\n(deploy/build-images.sh writes them to %s)\n",
			strings.Join(missing, ", "), c.Config.ImageDir)
		return nil
	}
	kubectl := filepath.Join(c.Config.Bin, "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		kubectl = "kubectl"
	}
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, kubectl, args...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	fmt.Printf("Deploying the guestbook from %s ...\n", dir)
	if out, err := run("create", "-f", dir); err != nil {
		fmt.Printf("Guestbook not deployed: %s create -f %s: %v\n%s", kubectl, dir, err, out)
		return nil
	}
	url := "http://" + c.Nodes[0].IP + ":30001/"
	if answered(ctx, url, timeout) {
		fmt.Printf("\nThe guestbook answers at %s\n", url)
		return nil
	}
	pods, _ := run("get", "pods", "-o", "wide")
	fmt.Printf("\nThe guestbook did not answer at %s within %s. Pods:\n%s\nLook at the kubelet and kube-proxy logs in %s.\n",
		url, timeout, pods, c.Config.LogDir())
	return nil
}

// answered polls url until it returns 200 or timeout passes.
func answered(ctx context.Context, url string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 3 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(2 * time.Second):
		}
	}
}

var imageLineRE = regexp.MustCompile(`(?m)^\s*-?\s*image:\s*["']?([^"'\s]+)`)

// manifestImages lists the images the YAML manifests in dir name, sorted and unique.
func manifestImages(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no manifests in %s", dir)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range imageLineRE.FindAllStringSubmatch(string(data), -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for img := range seen {
		out = append(out, img)
	}
	sort.Strings(out)
	return out, nil
}

// preloadedImages names the images in the tarballs of dir: docker-archive manifest.json
// RepoTags and OCI index.json image-name annotations, normalized.
func preloadedImages(dir string) map[string]bool {
	out := map[string]bool{}
	tars, _ := filepath.Glob(filepath.Join(dir, "*.tar"))
	for _, path := range tars {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		tr := tar.NewReader(f)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			switch strings.TrimPrefix(h.Name, "./") {
			case "manifest.json":
				var m []struct{ RepoTags []string }
				if json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m) == nil {
					for _, e := range m {
						for _, t := range e.RepoTags {
							out[normalizeImage(t)] = true
						}
					}
				}
			case "index.json":
				var idx struct {
					Manifests []struct{ Annotations map[string]string }
				}
				if json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&idx) == nil {
					for _, m := range idx.Manifests {
						for _, k := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
							if n := m.Annotations[k]; strings.Contains(n, "/") || strings.Contains(n, ":") {
								out[normalizeImage(n)] = true
							}
						}
					}
				}
			}
		}
		f.Close()
	}
	return out
}

// normalizeImage spells a reference the way containerd stores it:
// redis -> docker.io/library/redis:latest, kubeguide/x -> docker.io/kubeguide/x:latest.
func normalizeImage(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		return ref
	}
	first, _, hasSlash := strings.Cut(ref, "/")
	switch {
	case !hasSlash:
		ref = "docker.io/library/" + ref
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		ref = "docker.io/" + ref
	}
	if !strings.Contains(ref[strings.LastIndexByte(ref, '/')+1:], ":") {
		ref += ":latest"
	}
	return ref
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n      ") }
