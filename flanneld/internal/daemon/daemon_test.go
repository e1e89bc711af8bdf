package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/flanneld/internal/backend"
	"seven.dev/flanneld/internal/config"
	"seven.dev/flanneld/internal/etcdtest"
	"seven.dev/flanneld/internal/subnet"
	"seven.dev/flanneld/internal/subnetenv"
)

const prefix = "/coreos.com/network"

// fakeBackend records what the daemon asks of a backend.
type fakeBackend struct {
	mu      sync.Mutex
	own     subnet.Lease
	remotes []subnet.Lease
	syncs   int
}

func (f *fakeBackend) Prepare(context.Context) (backend.Local, error) {
	return backend.Local{Data: []byte(`{"VNI":1,"VtepMAC":"02:00:00:00:00:01"}`), MTU: 1450}, nil
}

func (f *fakeBackend) Activate(_ context.Context, own subnet.Lease) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.own = own
	return nil
}

func (f *fakeBackend) Reconcile(_ context.Context, remotes []subnet.Lease) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remotes = remotes
	f.syncs++
	return nil
}

func (f *fakeBackend) remoteCount() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.remotes), f.syncs
}

// fakeIPTables records iptables invocations.
type fakeIPTables struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeIPTables) Run(_ context.Context, stdin []byte, name string, args ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, strings.TrimSpace(name+" "+strings.Join(args, " ")+" "+string(stdin)))
	if name == "iptables" && len(args) > 3 && args[3] == "-S" {
		return exec.Command("false").Run() // exit status 1: no such chain
	}
	return nil
}

// syncBuffer is a log sink tests can read while the daemon writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type instance struct {
	opts Options
	be   *fakeBackend
	ipt  *fakeIPTables
	logs *syncBuffer
}

func newInstance(t *testing.T, endpoint, publicIP string) *instance {
	in := &instance{be: &fakeBackend{}, ipt: &fakeIPTables{}, logs: &syncBuffer{}}
	ip := netip.MustParseAddr(publicIP)
	in.opts = Options{
		EtcdEndpoints: []string{endpoint},
		EtcdPrefix:    prefix,
		SubnetFile:    filepath.Join(t.TempDir(), "subnet.env"),
		IPMasq:        true,
		Logger:        slog.New(slog.NewTextHandler(in.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Backends: backend.Registry{config.TypeVXLAN: func(*config.Config, backend.ExternalInterface, *netlink.Handle) (backend.Backend, error) {
			return in.be, nil
		}},
		FindInterface: func(*netlink.Handle, []string, string) (backend.ExternalInterface, error) {
			return backend.ExternalInterface{Name: "eth0", Index: 2, MTU: 1500, Addr: ip, PublicIP: ip}, nil
		},
		IPTables: in.ipt,
		Netlink:  &netlink.Handle{},
	}
	return in
}

// start runs the daemon until the returned stop is called; stop returns Run's error. done is
// closed when Run returns by itself.
func (in *instance) start(t *testing.T) (stop func() error, done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	var result error
	go func() {
		defer close(finished)
		result = Run(ctx, in.opts)
	}()
	stop = func() error {
		cancel()
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return 30s after its context ended")
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return stop, finished
}

func waitSubnetFile(t *testing.T, path string) subnetenv.Env {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if env, err := subnetenv.Read(path); err == nil {
			return env
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no subnet file at %s", path)
	return subnetenv.Env{}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Twenty flanneld instances starting at once on one etcd, in a network with exactly twenty
// subnets, each get a different one and learn about all the others.
func TestTwentyNodesStartTogether(t *testing.T) {
	srv, cli := etcdtest.New(t)
	const n = 20
	etcdtest.Put(t, cli, prefix+"/config", fmt.Sprintf(`{"Network":"10.60.0.0/16","SubnetMin":"10.60.1.0","SubnetMax":"10.60.%d.0"}`, n))
	ins := make([]*instance, n)
	stops := make([]func() error, n)
	metricsAddr := freeAddr(t)
	for i := range ins {
		ins[i] = newInstance(t, srv.Endpoint, fmt.Sprintf("10.250.0.%d", i+1))
		if i == 0 {
			ins[i].opts.HealthzAddr = metricsAddr
		}
	}
	for i := range ins {
		stops[i], _ = ins[i].start(t)
	}
	seen := map[netip.Prefix]int{}
	for i, in := range ins {
		env := waitSubnetFile(t, in.opts.SubnetFile)
		if j, dup := seen[env.Lease()]; dup {
			t.Fatalf("instances %d and %d both got %s", j, i, env.Lease())
		}
		seen[env.Lease()] = i
		if env.Network.String() != "10.60.0.0/16" || env.MTU != 1450 || !env.IPMasq || env.Subnet.Addr() != env.Lease().Addr().Next() {
			t.Errorf("instance %d subnet file = %+v", i, env)
		}
	}
	for i, in := range ins {
		eventually(t, fmt.Sprintf("instance %d to route to the 19 others", i), func() bool {
			got, _ := in.be.remoteCount()
			return got == n-1
		})
	}

	resp, err := http.Get("http://" + metricsAddr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"flanneld_remote_subnets 19", "flanneld_subnet_lease_expiration_timestamp_seconds 1.", "flanneld_backend_sync_errors_total 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// -ip-masq installed the rules for the instance's own subnet.
	in0 := ins[0]
	in0.ipt.mu.Lock()
	calls := strings.Join(in0.ipt.calls, "\n")
	in0.ipt.mu.Unlock()
	own := waitSubnetFile(t, in0.opts.SubnetFile).Lease().String()
	if !strings.Contains(calls, "iptables-restore -w --noflush *nat") || !strings.Contains(calls, "-d "+own+` -m comment --comment "flanneld masq" -j RETURN`) {
		t.Errorf("iptables calls:\n%s", calls)
	}

	for i, stop := range stops {
		if err := stop(); err != nil {
			t.Errorf("instance %d: Run = %v, want nil after SIGTERM", i, err)
		}
	}
	// Stopping keeps the leases.
	got, err := cli.Get(context.Background(), prefix+"/subnets/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || got.Count != n {
		t.Errorf("leases after stop = %v, %v; want %d", got.Count, err, n)
	}
}

func TestWaitsForConfigThenRestartsOnSameSubnet(t *testing.T) {
	srv, cli := etcdtest.New(t)
	in := newInstance(t, srv.Endpoint, "10.250.0.1")
	in.opts.IPMasq = false
	stop, _ := in.start(t)

	eventually(t, "a line saying what flanneld waits for", func() bool {
		return strings.Contains(in.logs.String(), "waiting for the network config") && strings.Contains(in.logs.String(), "key="+prefix+"/config")
	})
	etcdtest.Put(t, cli, prefix+"/config", `{"Network":"172.17.0.0/16", "SubnetMin": "172.17.1.0", "SubnetMax": 7}`)
	eventually(t, "a clear error about the bad config", func() bool {
		return strings.Contains(in.logs.String(), "network config is invalid") && strings.Contains(in.logs.String(), "field SubnetMax")
	})
	if _, err := os.Stat(in.opts.SubnetFile); err == nil {
		t.Fatal("subnet file written before the config was valid")
	}
	etcdtest.Put(t, cli, prefix+"/config", `{"Network":"172.17.0.0/16", "SubnetMin": "172.17.1.0", "SubnetMax": "172.17.254.0"}`)
	first := waitSubnetFile(t, in.opts.SubnetFile)
	if first.IPMasq {
		t.Errorf("FLANNEL_IPMASQ = true without -ip-masq")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(in.ipt.calls[0], "iptables -w -t nat -S FLANNEL-POSTRTG") {
		t.Errorf("without -ip-masq, leftover rules are looked for: %v", in.ipt.calls)
	}

	// Restart with the subnet file.
	in2 := newInstance(t, srv.Endpoint, "10.250.0.1")
	in2.opts.SubnetFile = in.opts.SubnetFile
	stop2, _ := in2.start(t)
	eventually(t, "the restarted daemon to reconcile", func() bool { _, syncs := in2.be.remoteCount(); return syncs > 0 })
	if got := waitSubnetFile(t, in2.opts.SubnetFile); got.Lease() != first.Lease() {
		t.Errorf("after restart subnet = %s, want %s", got.Lease(), first.Lease())
	}
	if err := stop2(); err != nil {
		t.Fatal(err)
	}

	// Restart without it (a reboot cleared /run): found by public IP.
	if err := os.Remove(in.opts.SubnetFile); err != nil {
		t.Fatal(err)
	}
	in3 := newInstance(t, srv.Endpoint, "10.250.0.1")
	in3.opts.SubnetFile = in.opts.SubnetFile
	stop3, _ := in3.start(t)
	if got := waitSubnetFile(t, in3.opts.SubnetFile); got.Lease() != first.Lease() {
		t.Errorf("after restart without subnet file subnet = %s, want %s", got.Lease(), first.Lease())
	}
	_ = stop3()
}

// A short TTL is renewed in time; a lease revoked behind the daemon's back is taken again.
func TestRenewsAndReclaims(t *testing.T) {
	srv, cli := etcdtest.New(t)
	etcdtest.Put(t, cli, prefix+"/config", `{"Network":"10.61.0.0/16"}`)
	in := newInstance(t, srv.Endpoint, "10.250.0.1")
	in.opts.LeaseTTL = 3 * time.Second
	in.start(t)
	env := waitSubnetFile(t, in.opts.SubnetFile)
	key := prefix + "/subnets/" + subnet.SubnetKey(env.Lease())

	time.Sleep(5 * time.Second) // longer than the TTL
	resp, err := cli.Get(context.Background(), key)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("lease after 5s with a 3s TTL: %v %v", resp, err)
	}
	if _, err := cli.Revoke(context.Background(), clientv3.LeaseID(resp.Kvs[0].Lease)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the daemon to claim its subnet again", func() bool {
		r, err := cli.Get(context.Background(), key)
		return err == nil && len(r.Kvs) == 1 && strings.Contains(string(r.Kvs[0].Value), `"PublicIP":"10.250.0.1"`)
	})
	if !strings.Contains(in.logs.String(), "renewed subnet lease") {
		t.Errorf("no renewal logged:\n%s", in.logs.String())
	}
}

func TestFullNetworkIsAnError(t *testing.T) {
	srv, cli := etcdtest.New(t)
	etcdtest.Put(t, cli, prefix+"/config", `{"Network":"10.62.0.0/16","SubnetMin":"10.62.1.0","SubnetMax":"10.62.1.0"}`)
	a := newInstance(t, srv.Endpoint, "10.250.0.1")
	a.start(t)
	waitSubnetFile(t, a.opts.SubnetFile)

	b := newInstance(t, srv.Endpoint, "10.250.0.2")
	stop, done := b.start(t)
	select {
	case <-done:
		if err := stop(); !errors.Is(err, subnet.ErrNoFreeSubnet) || !strings.Contains(err.Error(), "10.62.0.0/16") {
			t.Fatalf("Run = %v, want a no-free-subnet error naming the network", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not fail on a full network")
	}
}

// An unreachable etcd is logged clearly and counted, and flanneld keeps trying.
func TestUnreachableEtcd(t *testing.T) {
	t.Parallel()
	in := newInstance(t, "http://"+freeAddr(t), "10.250.0.1") // nothing listens there
	metricsAddr := freeAddr(t)
	in.opts.HealthzAddr = metricsAddr
	stop, done := in.start(t)
	eventually(t, "the etcd error to be logged and counted", func() bool {
		if !strings.Contains(in.logs.String(), "cannot read the network config from etcd; retrying") {
			return false
		}
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), `flanneld_etcd_errors_total{operation="get_config"} 1`)
	})
	select {
	case <-done:
		t.Fatal("Run gave up on an unreachable etcd")
	default:
	}
	if err := stop(); err != nil {
		t.Errorf("Run = %v after SIGTERM, want nil", err)
	}
}
