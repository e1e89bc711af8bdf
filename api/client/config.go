package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"seven.dev/api/scheme"
)

// Defaults of Config.
const (
	DefaultQPS        = 50
	DefaultBurst      = 100
	DefaultMaxRetries = 10
)

// Config says where the API server is and how to talk to it.
type Config struct {
	// Host is the server's base URL: "http://127.0.0.1:8080", "https://10.0.0.1:6443" or a
	// bare "host:port", which means plain HTTP. A path ("https://lb/k8s") prefixes every
	// request.
	Host string
	// BearerToken is sent as "Authorization: Bearer <token>".
	BearerToken string
	// BearerTokenFile is read for the token (re-read every minute, for rotated tokens);
	// BearerToken wins when both are set.
	BearerTokenFile string
	// Username and Password are sent as basic auth when there is no token.
	Username, Password string
	// TLS configures https hosts.
	TLS TLSConfig
	// QPS is the sustained request rate; 0 means DefaultQPS and a negative value disables
	// client-side limiting.
	QPS float32
	// Burst is the token bucket's size; 0 means DefaultBurst.
	Burst int
	// Timeout bounds every request except watches and followed logs; 0 means none.
	Timeout time.Duration
	// UserAgent defaults to "seven/<program name>".
	UserAgent string
	// MaxRetries bounds how often one request is retried; 0 means DefaultMaxRetries and a
	// negative value disables retries.
	MaxRetries int
	// Scheme is the catalogue of kinds; nil means scheme.Default().
	Scheme *scheme.Scheme
	// Transport, when set, replaces the HTTP transport built from TLS (tests, proxies).
	Transport http.RoundTripper
}

// TLSConfig holds the certificates of an https connection. Data fields are PEM and win
// over their File twins.
type TLSConfig struct {
	CAFile, CertFile, KeyFile string
	CAData, CertData, KeyData []byte
	// Insecure skips verification of the server's certificate.
	Insecure bool
	// ServerName overrides the name the server's certificate is checked against.
	ServerName string
}

// Client talks to one API server. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	http       *http.Client
	limiter    *rate.Limiter // nil: unlimited
	scheme     *scheme.Scheme
	userAgent  string
	timeout    time.Duration
	maxRetries int
	auth       authenticator
	// sleep waits for d or until ctx ends; tests replace it.
	sleep func(ctxDone <-chan struct{}, d time.Duration) bool
}

// New checks cfg and builds a client. It does not contact the server.
func New(cfg Config) (*Client, error) {
	base, err := parseHost(cfg.Host)
	if err != nil {
		return nil, err
	}
	rt := cfg.Transport
	if rt == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 25
		if base.Scheme == "https" {
			tc, err := cfg.TLS.build()
			if err != nil {
				return nil, err
			}
			tr.TLSClientConfig = tc
		}
		rt = tr
	}
	c := &Client{
		base:       base,
		http:       &http.Client{Transport: rt},
		scheme:     cfg.Scheme,
		userAgent:  cfg.UserAgent,
		timeout:    cfg.Timeout,
		maxRetries: cfg.MaxRetries,
		auth: authenticator{token: cfg.BearerToken, tokenFile: cfg.BearerTokenFile,
			user: cfg.Username, password: cfg.Password},
		sleep: sleepCtx,
	}
	if c.scheme == nil {
		c.scheme = scheme.Default()
	}
	if c.userAgent == "" {
		c.userAgent = "seven/" + filepath.Base(os.Args[0])
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if cfg.QPS >= 0 {
		qps, burst := cfg.QPS, cfg.Burst
		if qps == 0 {
			qps = DefaultQPS
		}
		if burst <= 0 {
			burst = DefaultBurst
		}
		c.limiter = rate.NewLimiter(rate.Limit(qps), burst)
	}
	return c, nil
}

// Scheme returns the catalogue of kinds the client resolves.
func (c *Client) Scheme() *scheme.Scheme { return c.scheme }

// Host returns the server's base URL.
func (c *Client) Host() string { return c.base.String() }

func parseHost(host string) (*url.URL, error) {
	if host == "" {
		return nil, fmt.Errorf("client: no API server host")
	}
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("client: host %q: %w", host, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("client: host %q: scheme must be http or https", host)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("client: host %q has no address", host)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func (t TLSConfig) build() (*tls.Config, error) {
	tc := &tls.Config{InsecureSkipVerify: t.Insecure, ServerName: t.ServerName, MinVersion: tls.VersionTLS12}
	ca, err := dataOrFile(t.CAData, t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("client: CA: %w", err)
	}
	if len(ca) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("client: CA %s: no PEM certificates", orData(t.CAFile))
		}
		tc.RootCAs = pool
	}
	cert, err := dataOrFile(t.CertData, t.CertFile)
	if err != nil {
		return nil, fmt.Errorf("client: client certificate: %w", err)
	}
	key, err := dataOrFile(t.KeyData, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("client: client key: %w", err)
	}
	if (len(cert) > 0) != (len(key) > 0) {
		return nil, fmt.Errorf("client: a client certificate needs both a certificate and a key")
	}
	if len(cert) > 0 {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("client: client certificate %s: %w", orData(t.CertFile), err)
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

func orData(file string) string {
	if file == "" {
		return "(inline data)"
	}
	return file
}

// authenticator adds the Authorization header.
type authenticator struct {
	token, tokenFile string
	user, password   string

	mu       sync.Mutex
	fileTok  string
	fileRead time.Time
}

// tokenFileRefresh is how long a token read from a file is trusted before it is read again.
const tokenFileRefresh = time.Minute

func (a *authenticator) apply(req *http.Request) error {
	tok := a.token
	if tok == "" && a.tokenFile != "" {
		var err error
		if tok, err = a.readTokenFile(); err != nil {
			return err
		}
	}
	switch {
	case tok != "":
		req.Header.Set("Authorization", "Bearer "+tok)
	case a.user != "" || a.password != "":
		req.SetBasicAuth(a.user, a.password)
	}
	return nil
}

func (a *authenticator) readTokenFile() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fileTok != "" && time.Since(a.fileRead) < tokenFileRefresh {
		return a.fileTok, nil
	}
	b, err := os.ReadFile(a.tokenFile)
	if err != nil {
		if a.fileTok != "" {
			return a.fileTok, nil // keep the last good token through a rotation hiccup
		}
		return "", fmt.Errorf("client: bearer token file: %w", err)
	}
	a.fileTok, a.fileRead = strings.TrimSpace(string(b)), time.Now()
	return a.fileTok, nil
}
