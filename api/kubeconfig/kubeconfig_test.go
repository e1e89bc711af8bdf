package kubeconfig

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"seven.dev/api/client"
)

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKubectlWrittenConfig reads a kubeconfig the upstream kubectl wrote.
func TestKubectlWrittenConfig(t *testing.T) {
	const kubectl = "/usr/bin/kubectl"
	if _, err := os.Stat(kubectl); err != nil {
		t.Skip("upstream kubectl not installed at " + kubectl)
	}
	dir := t.TempDir()
	home := t.TempDir()
	path := filepath.Join(dir, "config")
	for _, args := range [][]string{
		{"config", "set-cluster", "c1", "--server=https://10.0.0.1:6443", "--certificate-authority=ca.crt"},
		{"config", "set-credentials", "u1", "--token=abc"},
		{"config", "set-context", "ctx1", "--cluster=c1", "--user=u1", "--namespace=ns1"},
		{"config", "use-context", "ctx1"},
		// A second context and user, to check the right one is picked.
		{"config", "set-credentials", "u2", "--username=admin", "--password=secret"},
		{"config", "set-cluster", "c2", "--server=https://10.0.0.2:6443", "--insecure-skip-tls-verify=true", "--tls-server-name=api.example"},
		{"config", "set-context", "ctx2", "--cluster=c2", "--user=u2"},
	} {
		cmd := exec.Command(kubectl, append(args, "--kubeconfig="+path)...)
		cmd.Dir = dir // relative paths are kept relative to the kubeconfig's directory
		cmd.Env = []string{"HOME=" + home, "KUBECACHEDIR=" + filepath.Join(home, "cache"), "PATH=/usr/bin:/bin"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
	}
	raw, _ := os.ReadFile(path)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("load:\n%s\n%v", raw, err)
	}
	cc, ns, err := cfg.ClientConfig("")
	if err != nil {
		t.Fatal(err)
	}
	want := client.Config{Host: "https://10.0.0.1:6443", BearerToken: "abc",
		TLS: client.TLSConfig{CAFile: filepath.Join(dir, "ca.crt")}}
	if !reflect.DeepEqual(cc, want) || ns != "ns1" {
		t.Errorf("got %+v ns %q\nwant %+v ns ns1\nfile:\n%s", cc, ns, want, raw)
	}
	if !filepath.IsAbs(cc.TLS.CAFile) {
		t.Errorf("CA path %q is not absolute", cc.TLS.CAFile)
	}
	cc, ns, err = cfg.ClientConfig("ctx2")
	if err != nil {
		t.Fatal(err)
	}
	want = client.Config{Host: "https://10.0.0.2:6443", Username: "admin", Password: "secret",
		TLS: client.TLSConfig{Insecure: true, ServerName: "api.example"}}
	if !reflect.DeepEqual(cc, want) || ns != "default" {
		t.Errorf("ctx2: got %+v ns %q, want %+v", cc, ns, want)
	}

	// What we write, kubectl reads back.
	out := filepath.Join(dir, "rewritten")
	if err := Write(out, cfg); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kubectl, "config", "view", "--raw", "--kubeconfig="+out, "-o", "jsonpath={.current-context} {.clusters[?(@.name=='c1')].cluster.certificate-authority} {.users[?(@.name=='u1')].user.token}")
	cmd.Env = []string{"HOME=" + home, "KUBECACHEDIR=" + filepath.Join(home, "cache")}
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl config view: %v\n%s", err, got)
	}
	if !strings.HasPrefix(string(got), "ctx1 ") || !strings.HasSuffix(string(got), "ca.crt abc") {
		t.Errorf("kubectl read back %q", got)
	}
}

const fileA = `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: shared
  cluster:
    server: https://a.example:6443
    certificate-authority: certs/ca.crt
- name: onlyA
  cluster:
    server: http://only-a:8080
users:
- name: shared
  user:
    client-certificate: certs/admin.crt
    client-key: /abs/admin.key
contexts:
- name: a
  context: {cluster: shared, user: shared, namespace: team-a}
`

const fileB = `apiVersion: v1
kind: Config
current-context: b
preferences: {colors: true}
clusters:
- name: shared
  cluster:
    server: https://b.example:6443
- name: onlyB
  cluster:
    server: https://only-b:6443
    certificate-authority-data: ` + "Zm9v" + `
users:
- name: shared
  user: {token: from-b}
- name: tokenfile
  user: {tokenFile: tok}
contexts:
- name: a
  context: {cluster: onlyB}
- name: b
  context: {cluster: onlyB, user: tokenfile}
`

func TestLoadMergesLikeUpstream(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	a := writeFile(t, filepath.Join(dirA, "config"), fileA)
	b := writeFile(t, filepath.Join(dirB, "sub", "config"), fileB)
	cfg, err := Load(a, "", b)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "a" || !cfg.Preferences.Colors {
		t.Errorf("current %q colors %v", cfg.CurrentContext, cfg.Preferences.Colors)
	}
	var names []string
	for _, c := range cfg.Clusters {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "shared,onlyA,onlyB" {
		t.Errorf("clusters %v", names)
	}
	shared, _ := cfg.Cluster("shared")
	if shared.Server != "https://a.example:6443" || shared.CertificateAuthority != filepath.Join(dirA, "certs/ca.crt") {
		t.Errorf("first file did not win whole: %+v", shared)
	}
	if shared.LocationOfOrigin != a {
		t.Errorf("origin %q", shared.LocationOfOrigin)
	}
	u, _ := cfg.User("shared")
	if u.Token != "" || u.ClientCertificate != filepath.Join(dirA, "certs/admin.crt") || u.ClientKey != "/abs/admin.key" {
		t.Errorf("user merged field by field: %+v", u)
	}
	cc, ns, err := cfg.ClientConfig("b")
	if err != nil {
		t.Fatal(err)
	}
	want := client.Config{Host: "https://only-b:6443", BearerTokenFile: filepath.Join(dirB, "sub", "tok"),
		TLS: client.TLSConfig{CAData: []byte("foo")}}
	if !reflect.DeepEqual(cc, want) || ns != "default" {
		t.Errorf("context b: %+v ns %q, want %+v", cc, ns, want)
	}
	// Reversed order: b's current-context wins.
	cfg, _ = Load(b, a)
	if cfg.CurrentContext != "b" {
		t.Errorf("current-context %q, want b", cfg.CurrentContext)
	}
	if _, err := Load(a, filepath.Join(dirA, "missing")); err == nil {
		t.Error("a missing explicit file was not an error")
	}
}

func TestClientConfigErrors(t *testing.T) {
	cfg, err := Parse([]byte(`
clusters: [{name: c, cluster: {server: "http://x"}}]
users: [{name: plugin, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}}]
contexts:
- {name: nocluster, context: {cluster: gone}}
- {name: nouser, context: {cluster: c, user: gone}}
- {name: plugin, context: {cluster: c, user: plugin}}
- {name: ok, context: {cluster: c}}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ ctx, want string }{
		{"", "current-context is not set"},
		{"missing", `context "missing" does not exist`},
		{"nocluster", `cluster "gone" does not exist`},
		{"nouser", `user "gone" does not exist`},
		{"plugin", "not supported"},
	}
	for _, tt := range tests {
		if _, _, err := cfg.ClientConfig(tt.ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("context %q: err = %v, want %q", tt.ctx, err, tt.want)
		}
	}
	if cc, ns, err := cfg.ClientConfig("ok"); err != nil || cc.Host != "http://x" || ns != "default" {
		t.Errorf("ok: %+v %q %v", cc, ns, err)
	}
	for _, bad := range []string{"kind: Pod", "apiVersion: v2", "clusters: 3", "\t:"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if c, err := Parse(nil); err != nil || !c.IsEmpty() {
		t.Errorf("empty document: %+v %v", c, err)
	}
}

func TestLoadDefault(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a"), fileA)
	home := t.TempDir()
	t.Setenv("HOME", home)

	t.Setenv("KUBECONFIG", "")
	cfg, err := LoadDefault()
	if err != nil || !cfg.IsEmpty() {
		t.Fatalf("no files: %+v %v", cfg, err)
	}
	writeFile(t, filepath.Join(home, ".kube", "config"), fileB)
	cfg, _ = LoadDefault()
	if cfg.CurrentContext != "b" {
		t.Errorf("~/.kube/config not read: %q", cfg.CurrentContext)
	}
	t.Setenv("KUBECONFIG", filepath.Join(dir, "missing")+string(filepath.ListSeparator)+a)
	cfg, err = LoadDefault()
	if err != nil || cfg.CurrentContext != "a" {
		t.Errorf("KUBECONFIG list (missing entries skipped, ~/.kube/config ignored): %q %v", cfg.CurrentContext, err)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, filepath.Join(dir, "config"), fileA)
	cfg, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	cfg.CurrentContext = "changed"
	if err := Write(src, cfg); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(src)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	raw, _ := os.ReadFile(src)
	for _, want := range []string{"certificate-authority: certs/ca.crt", "client-key: /abs/admin.key", "current-context: changed", "kind: Config", "apiVersion: v1"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("written file lacks %q:\n%s", want, raw)
		}
	}
	again, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, cfg) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", again, cfg)
	}
	if c, _ := cfg.Cluster("shared"); c.CertificateAuthority != filepath.Join(dir, "certs/ca.crt") {
		t.Errorf("Write changed its argument: %q", c.CertificateAuthority)
	}
}
