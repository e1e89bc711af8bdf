package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pki is a throwaway CA with a server and a client certificate, PEM encoded.
type pki struct {
	caPEM, serverCert, serverKey, clientCert, clientKey []byte
	ca                                                  *x509.Certificate
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p := &pki{caPEM: pemBlock("CERTIFICATE", caDER), ca: ca}
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP, dns []string) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips, DNSNames: dns,
			KeyUsage: x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		return pemBlock("CERTIFICATE", der), pemBlock("EC PRIVATE KEY", kb)
	}
	p.serverCert, p.serverKey = issue(2, "apiserver", x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")}, []string{"kubernetes.default"})
	p.clientCert, p.clientKey = issue(3, "admin", x509.ExtKeyUsageClientAuth, nil, nil)
	return p
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// tlsServer serves version answers over TLS with p's server certificate; when
// requireClient is set it demands a client certificate from p's CA and echoes its name.
func tlsServer(t *testing.T, p *pki, requireClient bool) *httptest.Server {
	t.Helper()
	cert, err := tls.X509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := ""
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			user = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		writeJSON(w, 200, map[string]string{"user": user})
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if requireClient {
		pool := x509.NewCertPool()
		pool.AddCert(p.ca)
		s.TLS.ClientCAs, s.TLS.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func TestTLS(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	caFile, certFile, keyFile := write("ca.crt", p.caPEM), write("client.crt", p.clientCert), write("client.key", p.clientKey)
	plain := tlsServer(t, p, false)
	mutual := tlsServer(t, p, true)
	tests := []struct {
		name    string
		url     string
		tls     TLSConfig
		user    string
		wantErr string // substring of New's or the request's error
	}{
		{"CA file", plain.URL, TLSConfig{CAFile: caFile}, "", ""},
		{"CA data", plain.URL, TLSConfig{CAData: p.caPEM}, "", ""},
		{"unknown CA", plain.URL, TLSConfig{}, "", "certificate"},
		{"insecure", plain.URL, TLSConfig{Insecure: true}, "", ""},
		{"server name", plain.URL, TLSConfig{CAData: p.caPEM, ServerName: "kubernetes.default"}, "", ""},
		{"wrong server name", plain.URL, TLSConfig{CAData: p.caPEM, ServerName: "other"}, "", "certificate"},
		{"client cert files", mutual.URL, TLSConfig{CAFile: caFile, CertFile: certFile, KeyFile: keyFile}, "admin", ""},
		{"client cert data", mutual.URL, TLSConfig{CAData: p.caPEM, CertData: p.clientCert, KeyData: p.clientKey}, "admin", ""},
		{"no client cert", mutual.URL, TLSConfig{CAData: p.caPEM}, "", "certificate"},
		{"cert without key", mutual.URL, TLSConfig{CertData: p.clientCert}, "", "both a certificate and a key"},
		{"missing CA file", plain.URL, TLSConfig{CAFile: filepath.Join(dir, "nope")}, "", "no such file"},
		{"CA not PEM", plain.URL, TLSConfig{CAData: []byte("junk")}, "", "no PEM certificates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{Host: tt.url, TLS: tt.tls, QPS: -1, MaxRetries: -1})
			var v map[string]string
			if err == nil {
				v, err = c.ServerVersion(ctxT(t))
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v["user"] != tt.user {
				t.Errorf("server saw user %q, want %q", v["user"], tt.user)
			}
		})
	}
}
