package kubeconfig

import (
	"errors"
	"fmt"

	"seven.dev/api/client"
)

// DefaultNamespace is the namespace of a context that names none.
const DefaultNamespace = "default"

// ErrNoContext means no context was asked for and the config has no current-context.
var ErrNoContext = errors.New("kubeconfig: no context chosen and current-context is not set")

// ClientConfig builds the client configuration of a context (the current context when
// contextName is ""), and returns the context's namespace ("default" when it sets none).
func (c *Config) ClientConfig(contextName string) (client.Config, string, error) {
	return c.clientConfig(contextName, "", "")
}

// clientConfig is ClientConfig with kubectl's --cluster and --user overrides.
func (c *Config) clientConfig(contextName, clusterName, userName string) (client.Config, string, error) {
	if contextName == "" {
		contextName = c.CurrentContext
	}
	if contextName == "" {
		return client.Config{}, "", ErrNoContext
	}
	ctx, ok := c.Context(contextName)
	if !ok {
		return client.Config{}, "", fmt.Errorf("kubeconfig: context %q does not exist", contextName)
	}
	if clusterName == "" {
		clusterName = ctx.Cluster
	}
	if userName == "" {
		userName = ctx.AuthInfo
	}
	cl, ok := c.Cluster(clusterName)
	if !ok {
		return client.Config{}, "", fmt.Errorf("kubeconfig: context %q: cluster %q does not exist", contextName, clusterName)
	}
	cfg := clusterConfig(cl)
	if userName != "" {
		u, ok := c.User(userName)
		if !ok {
			return client.Config{}, "", fmt.Errorf("kubeconfig: context %q: user %q does not exist", contextName, userName)
		}
		if err := applyUser(&cfg, u); err != nil {
			return client.Config{}, "", fmt.Errorf("kubeconfig: user %q: %w", userName, err)
		}
	}
	ns := ctx.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	return cfg, ns, nil
}

func clusterConfig(cl *Cluster) client.Config {
	return client.Config{
		Host: cl.Server,
		TLS: client.TLSConfig{
			CAFile:     cl.CertificateAuthority,
			CAData:     cl.CertificateAuthorityData,
			Insecure:   cl.InsecureSkipTLSVerify,
			ServerName: cl.TLSServerName,
		},
	}
}

func applyUser(cfg *client.Config, u *AuthInfo) error {
	cfg.TLS.CertFile, cfg.TLS.CertData = u.ClientCertificate, u.ClientCertificateData
	cfg.TLS.KeyFile, cfg.TLS.KeyData = u.ClientKey, u.ClientKeyData
	cfg.BearerToken, cfg.BearerTokenFile = u.Token, u.TokenFile
	cfg.Username, cfg.Password = u.Username, u.Password
	hasCreds := u.Token != "" || u.TokenFile != "" || u.Username != "" ||
		u.ClientCertificate != "" || len(u.ClientCertificateData) > 0
	if !hasCreds && (len(u.Exec) > 0 || len(u.AuthProvider) > 0) {
		return errors.New("exec credential plugins and auth providers are not supported")
	}
	return nil
}
