package kubeconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Config is a kubeconfig file (or the merge of several).
type Config struct {
	Kind           string           `json:"kind,omitempty"`
	APIVersion     string           `json:"apiVersion,omitempty"`
	Preferences    Preferences      `json:"preferences"`
	Clusters       []NamedCluster   `json:"clusters"`
	Users          []NamedUser      `json:"users"`
	Contexts       []NamedContext   `json:"contexts"`
	CurrentContext string           `json:"current-context"`
	Extensions     []NamedExtension `json:"extensions,omitempty"`
}

// Preferences are kubectl's display preferences.
type Preferences struct {
	Colors     bool             `json:"colors,omitempty"`
	Extensions []NamedExtension `json:"extensions,omitempty"`
}

// NamedCluster is a cluster under its name.
type NamedCluster struct {
	Name    string  `json:"name"`
	Cluster Cluster `json:"cluster"`
}

// Cluster says where an API server is and how to trust it.
type Cluster struct {
	Server                   string `json:"server"`
	TLSServerName            string `json:"tls-server-name,omitempty"`
	InsecureSkipTLSVerify    bool   `json:"insecure-skip-tls-verify,omitempty"`
	CertificateAuthority     string `json:"certificate-authority,omitempty"`
	CertificateAuthorityData []byte `json:"certificate-authority-data,omitempty"`
	ProxyURL                 string `json:"proxy-url,omitempty"`
	DisableCompression       bool   `json:"disable-compression,omitempty"`
	// Extensions are kept so that a file read and written again loses nothing.
	Extensions []NamedExtension `json:"extensions,omitempty"`
	// LocationOfOrigin is the file the cluster was read from.
	LocationOfOrigin string `json:"-"`
}

// NamedUser is a user's credentials under their name.
type NamedUser struct {
	Name string   `json:"name"`
	User AuthInfo `json:"user"`
}

// AuthInfo holds a user's credentials.
type AuthInfo struct {
	ClientCertificate     string `json:"client-certificate,omitempty"`
	ClientCertificateData []byte `json:"client-certificate-data,omitempty"`
	ClientKey             string `json:"client-key,omitempty"`
	ClientKeyData         []byte `json:"client-key-data,omitempty"`
	Token                 string `json:"token,omitempty"`
	TokenFile             string `json:"tokenFile,omitempty"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
	// Impersonation, exec plugins and auth providers are kept verbatim but not acted on.
	Impersonate          string              `json:"as,omitempty"`
	ImpersonateUID       string              `json:"as-uid,omitempty"`
	ImpersonateGroups    []string            `json:"as-groups,omitempty"`
	ImpersonateUserExtra map[string][]string `json:"as-user-extra,omitempty"`
	AuthProvider         json.RawMessage     `json:"auth-provider,omitempty"`
	Exec                 json.RawMessage     `json:"exec,omitempty"`
	Extensions           []NamedExtension    `json:"extensions,omitempty"`
	// LocationOfOrigin is the file the user was read from.
	LocationOfOrigin string `json:"-"`
}

// NamedContext is a context under its name.
type NamedContext struct {
	Name    string  `json:"name"`
	Context Context `json:"context"`
}

// Context ties a cluster, a user and a default namespace together.
type Context struct {
	Cluster    string           `json:"cluster"`
	AuthInfo   string           `json:"user"`
	Namespace  string           `json:"namespace,omitempty"`
	Extensions []NamedExtension `json:"extensions,omitempty"`
	// LocationOfOrigin is the file the context was read from.
	LocationOfOrigin string `json:"-"`
}

// NamedExtension is an opaque extension, kept verbatim.
type NamedExtension struct {
	Name      string          `json:"name"`
	Extension json.RawMessage `json:"extension"`
}

// New returns an empty config.
func New() *Config { return &Config{Kind: "Config", APIVersion: "v1"} }

// Cluster returns the named cluster.
func (c *Config) Cluster(name string) (*Cluster, bool) {
	for i := range c.Clusters {
		if c.Clusters[i].Name == name {
			return &c.Clusters[i].Cluster, true
		}
	}
	return nil, false
}

// User returns the named user.
func (c *Config) User(name string) (*AuthInfo, bool) {
	for i := range c.Users {
		if c.Users[i].Name == name {
			return &c.Users[i].User, true
		}
	}
	return nil, false
}

// Context returns the named context.
func (c *Config) Context(name string) (*Context, bool) {
	for i := range c.Contexts {
		if c.Contexts[i].Name == name {
			return &c.Contexts[i].Context, true
		}
	}
	return nil, false
}

// IsEmpty reports a config that names no cluster, user, context or current context.
func (c *Config) IsEmpty() bool {
	return len(c.Clusters) == 0 && len(c.Users) == 0 && len(c.Contexts) == 0 && c.CurrentContext == ""
}

// Parse reads one kubeconfig document. Relative paths are left as they are.
func Parse(data []byte) (*Config, error) {
	c := New()
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, err
	}
	if c.Kind != "" && c.Kind != "Config" {
		return nil, fmt.Errorf("kind is %q, not Config", c.Kind)
	}
	if c.APIVersion != "" && c.APIVersion != "v1" {
		return nil, fmt.Errorf("apiVersion is %q, not v1", c.APIVersion)
	}
	c.Kind, c.APIVersion = "Config", "v1"
	return c, nil
}

// LoadFile reads one kubeconfig file and resolves its relative paths against its
// directory.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	c.resolve(abs)
	return c, nil
}

// resolve makes relative paths absolute against the directory of file, and records file
// as every entry's origin.
func (c *Config) resolve(file string) {
	dir := filepath.Dir(file)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i := range c.Clusters {
		cl := &c.Clusters[i].Cluster
		cl.LocationOfOrigin = file
		abs(&cl.CertificateAuthority)
	}
	for i := range c.Users {
		u := &c.Users[i].User
		u.LocationOfOrigin = file
		abs(&u.ClientCertificate)
		abs(&u.ClientKey)
		abs(&u.TokenFile)
	}
	for i := range c.Contexts {
		c.Contexts[i].Context.LocationOfOrigin = file
	}
}

// Load reads and merges kubeconfig files as upstream merges a KUBECONFIG list: a cluster,
// user, context or extension comes whole from the first file that names it, and
// current-context and preferences from the first file that sets them. Empty paths are
// skipped; a file that does not exist is an error.
func Load(paths ...string) (*Config, error) {
	out := New()
	for _, p := range paths {
		if p == "" {
			continue
		}
		c, err := LoadFile(p)
		if err != nil {
			return nil, err
		}
		out.merge(c)
	}
	return out, nil
}

// merge adds what c sets and out does not.
func (out *Config) merge(c *Config) {
	if out.CurrentContext == "" {
		out.CurrentContext = c.CurrentContext
	}
	if !out.Preferences.Colors {
		out.Preferences.Colors = c.Preferences.Colors
	}
	out.Preferences.Extensions = mergeNamed(out.Preferences.Extensions, c.Preferences.Extensions, extName)
	out.Clusters = mergeNamed(out.Clusters, c.Clusters, func(n NamedCluster) string { return n.Name })
	out.Users = mergeNamed(out.Users, c.Users, func(n NamedUser) string { return n.Name })
	out.Contexts = mergeNamed(out.Contexts, c.Contexts, func(n NamedContext) string { return n.Name })
	out.Extensions = mergeNamed(out.Extensions, c.Extensions, extName)
}

func extName(e NamedExtension) string { return e.Name }

func mergeNamed[E any](have, more []E, name func(E) string) []E {
	seen := make(map[string]bool, len(have))
	for _, e := range have {
		seen[name(e)] = true
	}
	for _, e := range more {
		if !seen[name(e)] {
			seen[name(e)] = true
			have = append(have, e)
		}
	}
	return have
}

// RecommendedHome is the default kubeconfig below the home directory.
const RecommendedHome = ".kube/config"

// DefaultPaths returns the files kubectl reads when --kubeconfig is not given: the
// $KUBECONFIG list when set, else ~/.kube/config.
func DefaultPaths() []string {
	if env := os.Getenv("KUBECONFIG"); env != "" {
		var out []string
		for _, p := range filepath.SplitList(env) {
			if p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	return []string{filepath.Join(home, RecommendedHome)}
}

// LoadDefault loads the files of DefaultPaths that exist (as kubectl ignores missing
// KUBECONFIG entries); with none, it returns an empty config.
func LoadDefault() (*Config, error) {
	var existing []string
	for _, p := range DefaultPaths() {
		if _, err := os.Stat(p); err == nil {
			existing = append(existing, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("kubeconfig: %w", err)
		}
	}
	return Load(existing...)
}

// Write stores c at path atomically (a temporary file renamed over the target), with mode
// 0600 since it may hold credentials. Absolute paths below path's directory are written
// relative to it, as upstream does, so a kubeconfig directory can move.
func Write(path string, c *Config) error {
	out := *c
	out.Kind, out.APIVersion = "Config", "v1"
	dir := filepath.Dir(path)
	if absDir, err := filepath.Abs(dir); err == nil {
		rel := func(p string) string { return relativize(absDir, p) }
		out.Clusters = append([]NamedCluster(nil), c.Clusters...)
		for i := range out.Clusters {
			cl := &out.Clusters[i].Cluster
			cl.CertificateAuthority = rel(cl.CertificateAuthority)
		}
		out.Users = append([]NamedUser(nil), c.Users...)
		for i := range out.Users {
			u := &out.Users[i].User
			u.ClientCertificate, u.ClientKey, u.TokenFile = rel(u.ClientCertificate), rel(u.ClientKey), rel(u.TokenFile)
		}
	}
	data, err := yaml.Marshal(&out)
	if err != nil {
		return fmt.Errorf("kubeconfig: encode: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("kubeconfig: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("kubeconfig: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("kubeconfig: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("kubeconfig: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	return nil
}

// relativize returns p relative to dir when p lies below dir (no "../" needed), else p.
func relativize(dir, p string) string {
	if p == "" || !filepath.IsAbs(p) {
		return p
	}
	r, err := filepath.Rel(dir, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return p
	}
	return r
}
