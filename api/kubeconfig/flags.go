package kubeconfig

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"seven.dev/api/client"
)

// KubectlFallbackServer is where kubectl goes when nothing names a server, as the old
// kubectl did.
const KubectlFallbackServer = "http://localhost:8080"

// Flags choose the API server and credentials from the command line. Build them with
// DaemonFlags or KubectlFlags, register them with AddFlags and, after parsing, call
// ClientConfig.
type Flags struct {
	// Kubeconfig is the --kubeconfig file.
	Kubeconfig string
	// Master is the server URL given on the command line; it overrides the kubeconfig
	// cluster's server and keeps the cluster's TLS settings. A comma-separated list (the
	// seeds' --api-servers) means its first entry.
	Master string
	// Context is the kubeconfig context to use instead of current-context.
	Context string
	// Namespace overrides the context's namespace.
	Namespace string

	// kubectl's overrides of the context's cluster and user and of their fields.
	Cluster, User                                                     string
	Token, Username, Password                                         string
	CertificateAuthority, ClientCertificate, ClientKey, TLSServerName string
	InsecureSkipTLSVerify                                             bool

	// ServerFlags are the names of the flags that set Master: the first is documented,
	// the others are hidden aliases. Daemons use {"master", "api-servers"}; kubectl
	// {"server"}.
	ServerFlags []string
	// ServerShorthand is a one-letter name for the first server flag ("s" for kubectl).
	ServerShorthand string
	// Kubectl selects kubectl's behaviour: without --kubeconfig, $KUBECONFIG or
	// ~/.kube/config is read; with no server named anywhere, KubectlFallbackServer is
	// used; AddFlags also registers the context, namespace and credential flags.
	Kubectl bool
}

// DaemonFlags are the flags of the daemons: --kubeconfig, --master and --api-servers.
func DaemonFlags() *Flags {
	return &Flags{ServerFlags: []string{"master", "api-servers"}}
}

// KubectlFlags are kubectl's: --kubeconfig, -s/--server, --context, --cluster, --user,
// -n/--namespace and the credential flags.
func KubectlFlags() *Flags {
	return &Flags{ServerFlags: []string{"server"}, ServerShorthand: "s", Kubectl: true}
}

func (f *Flags) serverFlags() []string {
	if len(f.ServerFlags) == 0 {
		return []string{"master", "api-servers"}
	}
	return f.ServerFlags
}

// AddFlags registers the flags on fs.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Kubeconfig, "kubeconfig", f.Kubeconfig, "Path to the kubeconfig file to use for CLI requests.")
	names := f.serverFlags()
	fs.StringVarP(&f.Master, names[0], f.ServerShorthand, f.Master, "The address and port of the Kubernetes API server (overrides the server in the kubeconfig).")
	for _, alias := range names[1:] {
		fs.StringVar(&f.Master, alias, f.Master, "Alias of --"+names[0]+".")
		_ = fs.MarkHidden(alias)
	}
	if !f.Kubectl {
		return
	}
	fs.StringVar(&f.Context, "context", f.Context, "The name of the kubeconfig context to use")
	fs.StringVar(&f.Cluster, "cluster", f.Cluster, "The name of the kubeconfig cluster to use")
	fs.StringVar(&f.User, "user", f.User, "The name of the kubeconfig user to use")
	fs.StringVarP(&f.Namespace, "namespace", "n", f.Namespace, "If present, the namespace scope for this CLI request")
	fs.StringVar(&f.Token, "token", f.Token, "Bearer token for authentication to the API server")
	fs.StringVar(&f.Username, "username", f.Username, "Username for basic authentication to the API server")
	fs.StringVar(&f.Password, "password", f.Password, "Password for basic authentication to the API server")
	fs.StringVar(&f.CertificateAuthority, "certificate-authority", f.CertificateAuthority, "Path to a cert file for the certificate authority")
	fs.StringVar(&f.ClientCertificate, "client-certificate", f.ClientCertificate, "Path to a client certificate file for TLS")
	fs.StringVar(&f.ClientKey, "client-key", f.ClientKey, "Path to a client key file for TLS")
	fs.StringVar(&f.TLSServerName, "tls-server-name", f.TLSServerName, "Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used")
	fs.BoolVar(&f.InsecureSkipTLSVerify, "insecure-skip-tls-verify", f.InsecureSkipTLSVerify, "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure")
}

// ClientConfig resolves the flags into a client configuration and a namespace, with
// upstream's precedence: command-line values over the chosen context's, the context's
// over nothing. A daemon with neither a kubeconfig nor a server flag is an error; kubectl
// falls back to KubectlFallbackServer.
func (f *Flags) ClientConfig() (client.Config, string, error) {
	kc := New()
	var err error
	switch {
	case f.Kubeconfig != "":
		kc, err = Load(f.Kubeconfig)
	case f.Kubectl:
		kc, err = LoadDefault()
	}
	if err != nil {
		return client.Config{}, "", err
	}
	var ctx Context
	ctxName := f.Context
	if ctxName == "" {
		ctxName = kc.CurrentContext
	}
	if ctxName != "" {
		c, ok := kc.Context(ctxName)
		if !ok {
			return client.Config{}, "", fmt.Errorf("kubeconfig: context %q does not exist", ctxName)
		}
		ctx = *c
	}
	var cfg client.Config
	if name := or(f.Cluster, ctx.Cluster); name != "" {
		cl, ok := kc.Cluster(name)
		if !ok {
			return client.Config{}, "", fmt.Errorf("kubeconfig: cluster %q does not exist", name)
		}
		cfg = clusterConfig(cl)
	}
	if name := or(f.User, ctx.AuthInfo); name != "" {
		u, ok := kc.User(name)
		if !ok {
			return client.Config{}, "", fmt.Errorf("kubeconfig: user %q does not exist", name)
		}
		if err := applyUser(&cfg, u); err != nil {
			return client.Config{}, "", fmt.Errorf("kubeconfig: user %q: %w", name, err)
		}
	}
	if m := firstServer(f.Master); m != "" {
		cfg.Host = m
	}
	f.applyCredentials(&cfg)
	if cfg.Host == "" {
		if !f.Kubectl {
			return client.Config{}, "", fmt.Errorf("no API server: set --kubeconfig or --%s", f.serverFlags()[0])
		}
		cfg.Host = KubectlFallbackServer
	}
	return cfg, or(f.Namespace, ctx.Namespace, DefaultNamespace), nil
}

// applyCredentials lays the credential flags over what the kubeconfig said.
func (f *Flags) applyCredentials(cfg *client.Config) {
	if f.Token != "" {
		cfg.BearerToken, cfg.BearerTokenFile = f.Token, ""
	}
	if f.Username != "" {
		cfg.Username = f.Username
	}
	if f.Password != "" {
		cfg.Password = f.Password
	}
	if f.CertificateAuthority != "" {
		cfg.TLS.CAFile, cfg.TLS.CAData = f.CertificateAuthority, nil
	}
	if f.ClientCertificate != "" {
		cfg.TLS.CertFile, cfg.TLS.CertData = f.ClientCertificate, nil
	}
	if f.ClientKey != "" {
		cfg.TLS.KeyFile, cfg.TLS.KeyData = f.ClientKey, nil
	}
	if f.TLSServerName != "" {
		cfg.TLS.ServerName = f.TLSServerName
	}
	if f.InsecureSkipTLSVerify {
		// As upstream: skipping verification and trusting a CA contradict each other.
		cfg.TLS.Insecure, cfg.TLS.CAFile, cfg.TLS.CAData = true, "", nil
	}
}

// firstServer picks the first of a comma-separated server list (old kubelets took
// several --api-servers).
func firstServer(s string) string {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			return p
		}
	}
	return ""
}

func or(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
