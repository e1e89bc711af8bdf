package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/kube-proxy/internal/rules"
)

// recordingKernel keeps every restore instead of running iptables.
type recordingKernel struct {
	mu       sync.Mutex
	restores []string
}

func (k *recordingKernel) Restore(_ context.Context, data []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.restores = append(k.restores, string(data))
	return nil
}
func (k *recordingKernel) EnsureJumps(context.Context) ([]string, error) { return nil, nil }
func (k *recordingKernel) Conntrack(context.Context, []string) error     { return nil }
func (k *recordingKernel) Sysctl(context.Context, string) error          { return nil }

// waitRestore waits for a restore (after the first skip) that contains every want.
func (k *recordingKernel) waitRestore(t *testing.T, skip int, want ...string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		k.mu.Lock()
		rs := append([]string(nil), k.restores...)
		k.mu.Unlock()
		for i := skip; i < len(rs); i++ {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(rs[i], w)
			}
			if ok {
				return i + 1, rs[i]
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	t.Fatalf("no restore contains %q; got %d:\n%s", want, len(k.restores), strings.Join(k.restores, "\n----\n"))
	return 0, ""
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestAgainstAPIServer feeds real Services and Endpoints through the informers into the
// proxier, and checks the rules it would apply, /healthz and /metrics.
func TestAgainstAPIServer(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	svc, err := client.Services(c).Create(ctx, &core.Service{
		ObjectMeta: meta.ObjectMeta{Namespace: "default", Name: "frontend"},
		Spec: core.ServiceSpec{Type: core.ServiceTypeNodePort, Selector: map[string]string{"name": "frontend"},
			Ports: []core.ServicePort{{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromString("web")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ip, nodePort := svc.Spec.ClusterIP, svc.Spec.Ports[0].NodePort
	if !strings.HasPrefix(ip, "10.254.") || nodePort < 30000 {
		t.Fatalf("allocated %s and node port %d", ip, nodePort)
	}
	eps := &core.Endpoints{ObjectMeta: meta.ObjectMeta{Namespace: "default", Name: "frontend"},
		Subsets: []core.EndpointSubset{
			{Addresses: []core.EndpointAddress{{IP: "10.244.1.2"}, {IP: "10.244.2.2"}}, Ports: []core.EndpointPort{{Name: "http", Port: 8080, Protocol: core.ProtocolTCP}}},
			{Addresses: []core.EndpointAddress{{IP: "10.244.3.2"}}, Ports: []core.EndpointPort{{Name: "http", Port: 9090, Protocol: core.ProtocolTCP}}},
		}}
	if eps, err = client.Endpoints(c).Create(ctx, eps); err != nil {
		t.Fatal(err)
	}

	k := &recordingKernel{}
	healthz, metrics := freeAddr(t), freeAddr(t)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		done <- Run(runCtx, Options{Client: client.Config{Host: s.URL}, Kernel: k,
			Rules:         rules.Options{NodeName: "node-1", ClusterCIDR: "10.244.0.0/16", LocalhostNodePorts: true},
			MinSyncPeriod: 100 * time.Millisecond, SyncPeriod: 30 * time.Second,
			HealthzBindAddress: healthz, MetricsBindAddress: metrics})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	n, _ := k.waitRestore(t, 0, "-d "+ip+" --dport 80 -j KUBE-SVC-",
		"--dport "+itoa(nodePort)+" -j KUBE-EXT-",
		"DNAT --to-destination 10.244.1.2:8080", "DNAT --to-destination 10.244.3.2:9090")

	// One endpoint gone: a partial sync deleting its chain.
	eps.Subsets = eps.Subsets[:1]
	if _, err := client.Endpoints(c).Update(ctx, eps); err != nil {
		t.Fatal(err)
	}
	n, text := k.waitRestore(t, n, "-X KUBE-SEP-")
	if strings.Contains(text, "10.244.3.2:9090") || strings.Contains(text, ":KUBE-SERVICES") {
		t.Errorf("partial sync wrote more than the changed chains:\n%s", text)
	}

	// Service deleted: every chain of it deleted, the cluster IP gone from KUBE-SERVICES.
	if err := client.Services(c).Delete(ctx, "default", "frontend", nil); err != nil {
		t.Fatal(err)
	}
	_, text = k.waitRestore(t, n, "-X KUBE-SVC-", "-X KUBE-EXT-", ":KUBE-SERVICES")
	if strings.Contains(text, "-d "+ip) {
		t.Errorf("deleted service still in the rules:\n%s", text)
	}

	for url, want := range map[string]string{
		"http://" + healthz + "/healthz": `"lastUpdated"`,
		"http://" + metrics + "/metrics": "kubeproxy_sync_proxy_rules_duration_seconds",
	} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("%s: %d %s", url, resp.StatusCode, body)
		}
		if strings.HasSuffix(url, "/metrics") {
			for _, m := range []string{`kubeproxy_sync_proxy_rules_iptables_total{table="nat"}`, "kubeproxy_sync_proxy_rules_last_timestamp_seconds"} {
				if !bytes.Contains(body, []byte(m)) {
					t.Errorf("metrics lack %s", m)
				}
			}
		}
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
