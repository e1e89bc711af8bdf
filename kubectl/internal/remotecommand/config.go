package remotecommand

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"

	"seven.dev/api/client"
)

// Config says how to open the connection: the TLS settings and the headers (credentials,
// user agent) the REST client would use for the same server.
type Config struct {
	// TLS is used for https servers; nil means the system's roots.
	TLS *tls.Config
	// Header is sent with the upgrade request.
	Header http.Header
	// Protocols are offered in order of preference; nil means v5 then v4.
	Protocols []string
}

// ConfigFor derives the connection settings from a REST client configuration, so exec
// authenticates and verifies the server exactly like every other kubectl request.
//
// seven.dev/api/client keeps its TLS builder and authenticator unexported and offers no
// way to send an upgrade request, so the same rules are applied here from the exported
// fields of client.Config.
func ConfigFor(cfg client.Config) (Config, error) {
	c := Config{Header: http.Header{}}
	if strings.HasPrefix(strings.ToLower(cfg.Host), "https://") {
		tc, err := tlsConfig(cfg.TLS)
		if err != nil {
			return Config{}, err
		}
		c.TLS = tc
	}
	tok := cfg.BearerToken
	if tok == "" && cfg.BearerTokenFile != "" {
		b, err := os.ReadFile(cfg.BearerTokenFile)
		if err != nil {
			return Config{}, fmt.Errorf("bearer token file: %w", err)
		}
		tok = strings.TrimSpace(string(b))
	}
	switch {
	case tok != "":
		c.Header.Set("Authorization", "Bearer "+tok)
	case cfg.Username != "" || cfg.Password != "":
		c.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	if cfg.UserAgent != "" {
		c.Header.Set("User-Agent", cfg.UserAgent)
	}
	return c, nil
}

func tlsConfig(t client.TLSConfig) (*tls.Config, error) {
	tc := &tls.Config{InsecureSkipVerify: t.Insecure, ServerName: t.ServerName, MinVersion: tls.VersionTLS12}
	ca, err := dataOrFile(t.CAData, t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("certificate authority: %w", err)
	}
	if len(ca) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("certificate authority %s: no PEM certificates", t.CAFile)
		}
		tc.RootCAs = pool
	}
	cert, err := dataOrFile(t.CertData, t.CertFile)
	if err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	key, err := dataOrFile(t.KeyData, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("client key: %w", err)
	}
	if len(cert) > 0 && len(key) > 0 {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s: %w", t.CertFile, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return tc, nil
}

func dataOrFile(data []byte, file string) ([]byte, error) {
	if len(data) > 0 || file == "" {
		return data, nil
	}
	return os.ReadFile(file)
}
