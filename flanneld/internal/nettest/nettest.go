// Package nettest builds throwaway networks for flanneld's tests and overlay benchmark:
// "hosts" that are network namespaces with a veth into a shared underlay bridge (itself in a
// namespace of its own, so the root namespace's firewall never sees the traffic), plus a veth
// from the root namespace onto that bridge so processes here (etcd) are reachable from the
// hosts. Addresses come from a private /24 unused on this machine; every name carries this
// process's id, and Close removes everything. It needs root.
//
// It never touches interfaces or namespaces it did not create, except to reap ones whose
// creating process has died (a test binary killed before its cleanup ran).
package nettest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Lab is one underlay segment with its hosts.
type Lab struct {
	// ID is the unique tag in every name the lab creates.
	ID string
	// Subnet is the underlay, e.g. 10.250.17.0/24; RootAddr (.254) is the root namespace's
	// address on it.
	Subnet   netip.Prefix
	RootAddr netip.Addr

	mu      sync.Mutex
	hosts   []*Host
	nsNames []string // every namespace created, for Close
	links   []string // root-namespace links created, for Close
	closed  bool
}

// Host is a network namespace on the lab's underlay.
type Host struct {
	// NS is the namespace's name (ip netns).
	NS string
	// Addr is its underlay address, on its eth0.
	Addr netip.Addr
	lab  *Lab
}

var labSeq atomic.Uint32

// Available reports why labs cannot be built here, or nil.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("needs the ip command (iproute2)")
	}
	ns, err := netns.New()
	if err != nil {
		return fmt.Errorf("cannot create network namespaces: %w", err)
	}
	ns.Close()
	return nil
}

// New builds a lab for t (skipping t when labs cannot be built) and removes it when t ends.
// base is the first two octets of the underlay, e.g. "10.250".
func New(t testing.TB, base string) *Lab {
	t.Helper()
	if err := availableOnce(); err != nil {
		t.Skipf("network namespace tests: %v", err)
	}
	l, err := NewLab(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("clean up lab %s: %v", l.ID, err)
		}
	})
	return l
}

var availableOnce = sync.OnceValue(func() error {
	// netns.New switches the calling thread: do it on a thread that dies with its goroutine.
	ch := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread is discarded with its namespace
		ch <- Available()
	}()
	return <-ch
})

// NewLab creates the underlay: a bridge in its own namespace and the root namespace's veth
// onto it. base is the first two octets of the underlay, e.g. "10.250".
func NewLab(base string) (*Lab, error) {
	reapStale()
	subnet, err := freeSubnet(base)
	if err != nil {
		return nil, err
	}
	l := &Lab{
		ID:       fmt.Sprintf("%x%x", os.Getpid(), labSeq.Add(1)%16),
		Subnet:   subnet,
		RootAddr: subnetAddr(subnet, 254),
	}
	ul := l.nsName("ul")
	root := "fl" + l.ID + "r"
	steps := [][]string{
		{"netns", "add", ul},
		{"-n", ul, "link", "add", "br0", "type", "bridge"},
		{"-n", ul, "link", "set", "br0", "up"},
		{"-n", ul, "link", "set", "lo", "up"},
		{"link", "add", root, "type", "veth", "peer", "name", "root", "netns", ul},
		{"-n", ul, "link", "set", "root", "master", "br0", "up"},
		{"addr", "add", fmt.Sprintf("%s/%d", l.RootAddr, subnet.Bits()), "dev", root},
		{"link", "set", root, "up"},
	}
	l.nsNames = append(l.nsNames, ul)
	l.links = append(l.links, root)
	for _, s := range steps {
		if err := IP(s...); err != nil {
			_ = l.Close()
			return nil, err
		}
	}
	return l, nil
}

func (l *Lab) nsName(suffix string) string { return "fl" + l.ID + "-" + suffix }

// AddHost creates the next host: namespace <id>-h<n>, eth0 on the bridge with address .<n>.
func (l *Lab) AddHost() (*Host, error) {
	l.mu.Lock()
	n := len(l.hosts) + 1
	h := &Host{NS: l.nsName(fmt.Sprintf("h%d", n)), Addr: subnetAddr(l.Subnet, n), lab: l}
	l.hosts = append(l.hosts, h)
	l.nsNames = append(l.nsNames, h.NS)
	l.mu.Unlock()
	port := fmt.Sprintf("h%d", n)
	ul := l.nsName("ul")
	steps := [][]string{
		{"netns", "add", h.NS},
		{"-n", ul, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", h.NS},
		{"-n", ul, "link", "set", port, "master", "br0", "up"},
		{"-n", h.NS, "addr", "add", fmt.Sprintf("%s/%d", h.Addr, l.Subnet.Bits()), "dev", "eth0"},
		{"-n", h.NS, "link", "set", "eth0", "up"},
		{"-n", h.NS, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := IP(s...); err != nil {
			return nil, fmt.Errorf("add host %s: %w", h.NS, err)
		}
	}
	return h, nil
}

// Hosts builds n hosts, failing t on error.
func (l *Lab) Hosts(t testing.TB, n int) []*Host {
	t.Helper()
	out := make([]*Host, n)
	for i := range out {
		h, err := l.AddHost()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = h
	}
	return out
}

// AddNS creates an extra namespace (a pod, say) removed with the lab.
func (l *Lab) AddNS(suffix string) (string, error) {
	name := l.nsName(suffix)
	l.mu.Lock()
	l.nsNames = append(l.nsNames, name)
	l.mu.Unlock()
	return name, IP("netns", "add", name)
}

// Close deletes every namespace and root-namespace link the lab made. Processes still inside
// a namespace keep it alive until they exit, so stop them first.
func (l *Lab) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	var errs []error
	for _, link := range l.links {
		if err := IP("link", "del", link); err != nil && !strings.Contains(err.Error(), "Cannot find device") {
			errs = append(errs, err)
		}
	}
	for i := len(l.nsNames) - 1; i >= 0; i-- {
		if err := IP("netns", "del", l.nsNames[i]); err != nil && !strings.Contains(err.Error(), "No such file") {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Command returns a command that runs inside the host's namespace. Its process is killed if
// this process dies first, so a killed test leaves no daemons behind.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return NSCommand(ctx, h.NS, name, args...)
}

// NSCommand is Host.Command for any namespace.
func NSCommand(ctx context.Context, ns, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// Run runs a command in the host's namespace and returns its error with its output.
func (h *Host) Run(name string, args ...string) error {
	out, err := h.Command(context.Background(), name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %s %s: %w: %s", h.NS, name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Handle opens a netlink handle inside the host's namespace; the caller closes it.
func (h *Host) Handle() (*netlink.Handle, error) { return NSHandle(h.NS) }

// NSHandle opens a netlink handle inside namespace ns; the caller closes it.
func NSHandle(ns string) (*netlink.Handle, error) {
	nh, err := netns.GetFromName(ns)
	if err != nil {
		return nil, fmt.Errorf("open namespace %s: %w", ns, err)
	}
	defer nh.Close()
	return netlink.NewHandleAt(nh)
}

// Do runs fn on a thread switched into the host's namespace. Sockets fn opens stay in that
// namespace after it returns.
func (h *Host) Do(fn func() error) error { return Do(h.NS, fn) }

// Do runs fn on a thread switched into namespace ns.
func Do(ns string, fn func() error) error {
	target, err := netns.GetFromName(ns)
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", ns, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return // the locked thread dies with this goroutine
		}
		defer orig.Close()
		if err := netns.Set(target); err != nil {
			errc <- fmt.Errorf("enter namespace %s: %w", ns, err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("leave namespace %s: %w", ns, err))
			return // leave the thread locked: it is discarded, never reused in the wrong namespace
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// IP runs the ip command in the root namespace.
func IP(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func subnetAddr(p netip.Prefix, host int) netip.Addr {
	b := p.Addr().As4()
	b[3] = byte(host)
	return netip.AddrFrom4(b)
}

// freeSubnet picks <base>.<x>.0/24 that no address on this machine's root namespace is in.
func freeSubnet(base string) (netip.Prefix, error) {
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return netip.Prefix{}, fmt.Errorf("list addresses: %w", err)
	}
	start := rand.IntN(250)
	for i := range 250 {
		p, err := netip.ParsePrefix(fmt.Sprintf("%s.%d.0/24", base, (start+i)%250+1))
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("underlay base %q: %w", base, err)
		}
		used := false
		for _, a := range addrs {
			if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok && p.Contains(ip) {
				used = true
			}
		}
		if !used {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("no free /24 in %s.0.0/16", base)
}

var staleName = regexp.MustCompile(`^fl([0-9a-f]+)[0-9a-f](-|r$)`)

// reapStale removes namespaces and links left by labs whose process is gone.
func reapStale() {
	dead := func(name string) bool {
		m := staleName.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		pid, err := strconv.ParseInt(m[1], 16, 32)
		if err != nil || pid == int64(os.Getpid()) {
			return false
		}
		return syscall.Kill(int(pid), 0) == syscall.ESRCH
	}
	if entries, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range entries {
			if dead(e.Name()) {
				_ = IP("netns", "del", e.Name())
			}
		}
	}
	if links, err := netlink.LinkList(); err == nil {
		for _, l := range links {
			if dead(l.Attrs().Name) {
				_ = netlink.LinkDel(l)
			}
		}
	}
}
