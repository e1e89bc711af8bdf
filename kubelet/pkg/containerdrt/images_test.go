package containerdrt

import (
	"net/url"
	"testing"

	"github.com/containerd/containerd/remotes/docker"
)

func TestParseMirror(t *testing.T) {
	for _, tc := range []struct {
		in, reg, url string
		bad          bool
	}{
		{in: "docker.io=http://10.250.0.1:5000", reg: "docker.io", url: "http://10.250.0.1:5000"},
		{in: "*=https://mirror.example/v2-cache", reg: "*", url: "https://mirror.example/v2-cache"},
		{in: "docker.io", bad: true},
		{in: "=http://x", bad: true},
		{in: "docker.io=", bad: true},
		{in: "docker.io=ftp://x", bad: true},
		{in: "docker.io=10.0.0.1:5000", bad: true},
		{in: "docker.io/library=http://x", bad: true},
	} {
		reg, u, err := ParseMirror(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil || reg != tc.reg || u.String() != tc.url {
			t.Errorf("%q: %q %v %v, want %q %q", tc.in, reg, u, err, tc.reg, tc.url)
		}
	}
}

func TestMirrorHosts(t *testing.T) {
	def := func(host string) ([]docker.RegistryHost, error) {
		return []docker.RegistryHost{{Host: "default-" + host, Scheme: "https", Path: "/v2"}}, nil
	}
	hub, _ := url.Parse("http://10.250.0.1:5000")
	any, _ := url.Parse("https://cache.example/prefix/")
	hosts := mirrorHosts(map[string][]*url.URL{"docker.io": {hub}, "*": {any}}, nil, def)
	for _, tc := range []struct{ reg, host, scheme, path string }{
		{"docker.io", "10.250.0.1:5000", "http", "/v2"},
		{"quay.io", "cache.example", "https", "/prefix/v2"},
	} {
		got, err := hosts(tc.reg)
		if err != nil || len(got) != 1 || got[0].Host != tc.host || got[0].Scheme != tc.scheme || got[0].Path != tc.path {
			t.Errorf("%s: %+v %v", tc.reg, got, err)
		}
		if got[0].Capabilities&docker.HostCapabilityPush != 0 {
			t.Errorf("%s: a mirror must not take pushes", tc.reg)
		}
	}
	got, _ := mirrorHosts(map[string][]*url.URL{"docker.io": {hub}}, nil, def)("quay.io")
	if len(got) != 1 || got[0].Host != "default-quay.io" {
		t.Errorf("no mirror: %+v, want the default hosts", got)
	}
}
