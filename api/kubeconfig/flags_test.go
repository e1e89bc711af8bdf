package kubeconfig

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestFlags(t *testing.T) {
	dir := t.TempDir()
	kc := writeFile(t, filepath.Join(dir, "config"), fileA+`- name: other
  context: {cluster: onlyA, namespace: team-o}
`)
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".kube", "config"), fileB)
	tests := []struct {
		name     string
		kubectl  bool
		env      string // KUBECONFIG
		args     []string
		host     string
		ns       string
		caFile   string
		token    string
		insecure bool
		wantErr  string
	}{
		{name: "daemon --master", args: []string{"--master=http://m:8080"}, host: "http://m:8080", ns: "default"},
		{name: "daemon --api-servers list", args: []string{"--api-servers=http://a:8080,http://b:8080"}, host: "http://a:8080", ns: "default"},
		{name: "daemon kubeconfig", args: []string{"--kubeconfig=" + kc}, host: "https://a.example:6443", ns: "team-a", caFile: filepath.Join(dir, "certs/ca.crt")},
		{name: "daemon --master overrides the cluster server but keeps its CA", args: []string{"--kubeconfig=" + kc, "--master=https://lb:6443"},
			host: "https://lb:6443", ns: "team-a", caFile: filepath.Join(dir, "certs/ca.crt")},
		{name: "daemon with nothing", wantErr: "no API server: set --kubeconfig or --master"},
		{name: "daemon ignores KUBECONFIG and ~/.kube/config", env: kc, wantErr: "no API server"},
		{name: "daemon missing kubeconfig", args: []string{"--kubeconfig=" + filepath.Join(dir, "nope")}, wantErr: "no such file"},
		{name: "daemon has no -s", args: []string{"-s", "http://x"}, wantErr: "unknown shorthand"},
		{name: "kubectl falls back to localhost:8080", kubectl: true, env: filepath.Join(dir, "none"), host: "http://localhost:8080", ns: "default"},
		{name: "kubectl -s", kubectl: true, env: filepath.Join(dir, "none"), args: []string{"-s", "http://m:8080", "-n", "kube-system"}, host: "http://m:8080", ns: "kube-system"},
		{name: "kubectl --server", kubectl: true, env: filepath.Join(dir, "none"), args: []string{"--server=http://m:8080"}, host: "http://m:8080", ns: "default"},
		{name: "kubectl has no --master", kubectl: true, args: []string{"--master=http://m:8080"}, wantErr: "unknown flag"},
		{name: "kubectl reads KUBECONFIG", kubectl: true, env: kc, host: "https://a.example:6443", ns: "team-a", caFile: filepath.Join(dir, "certs/ca.crt")},
		{name: "kubectl reads ~/.kube/config", kubectl: true, host: "https://only-b:6443", ns: "default"},
		{name: "kubectl --kubeconfig wins over KUBECONFIG", kubectl: true, env: filepath.Join(dir, "none"), args: []string{"--kubeconfig", kc, "--context", "other"},
			host: "http://only-a:8080", ns: "team-o"},
		{name: "kubectl credential and namespace overrides", kubectl: true, env: kc,
			args: []string{"--token=t0k", "--namespace=x", "--insecure-skip-tls-verify"}, host: "https://a.example:6443", ns: "x", token: "t0k", insecure: true},
		{name: "kubectl --cluster override", kubectl: true, env: kc, args: []string{"--cluster=onlyA"}, host: "http://only-a:8080", ns: "team-a"},
		{name: "kubectl unknown context", kubectl: true, env: kc, args: []string{"--context=nope"}, wantErr: `context "nope" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("KUBECONFIG", tt.env)
			f := DaemonFlags()
			if tt.kubectl {
				f = KubectlFlags()
			}
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			fs.SetOutput(new(strings.Builder))
			f.AddFlags(fs)
			err := fs.Parse(tt.args)
			if err == nil {
				cc, ns, cerr := f.ClientConfig()
				err = cerr
				if err == nil {
					if cc.Host != tt.host || ns != tt.ns || cc.TLS.CAFile != tt.caFile || cc.BearerToken != tt.token || cc.TLS.Insecure != tt.insecure {
						t.Errorf("got host %q ns %q ca %q token %q insecure %v", cc.Host, ns, cc.TLS.CAFile, cc.BearerToken, cc.TLS.Insecure)
					}
				}
			}
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestFlagNamesConfigurable(t *testing.T) {
	f := &Flags{ServerFlags: []string{"api-server", "master"}}
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	f.AddFlags(fs)
	if fs.Lookup("api-server") == nil || fs.Lookup("master") == nil || !fs.Lookup("master").Hidden {
		t.Error("server flag names not honoured")
	}
	if fs.Lookup("context") != nil {
		t.Error("daemon flags registered kubectl's --context")
	}
	if _, _, err := f.ClientConfig(); err == nil || !strings.Contains(err.Error(), "--api-server") {
		t.Errorf("err = %v, want it to name --api-server", err)
	}
}
