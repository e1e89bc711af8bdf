package bridge

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	vnetns "github.com/vishvananda/netns"

	"seven.dev/kubelet/pkg/ipam"
	"seven.dev/kubelet/pkg/netns"
	"seven.dev/kubelet/pkg/network"
)

// BridgeName is the node bridge.
const BridgeName = "cni0"

// Plugin is the bridge pod network. Build it with New.
type Plugin struct {
	load     func() (Config, error) // nil once cfg is known
	cfg      Config
	dir      string
	ipam     *ipam.Allocator
	log      *slog.Logger
	mu       sync.Mutex // serialises set-ups, tear-downs and rule syncs
	jumpsSet bool
}

var (
	_ network.Plugin           = (*Plugin)(nil)
	_ network.GarbageCollector = (*Plugin)(nil)
)

// New returns the plugin; stateDir keeps the IPAM directory, the namespace files and the
// hostPort records. It touches nothing until the first SetUp.
func New(cfg Config, stateDir string, log *slog.Logger) (*Plugin, error) {
	if log == nil {
		log = slog.Default()
	}
	p := &Plugin{dir: stateDir, log: log, ipam: &ipam.Allocator{Dir: filepath.Join(stateDir, "ipam")}}
	return p, p.configure(cfg)
}

// NewFromFile returns the plugin for flanneld's subnet.env at path, read at the first
// set-up (flanneld may start after the kubelet).
func NewFromFile(path, stateDir string, log *slog.Logger) *Plugin {
	p, _ := New(Config{}, stateDir, log)
	p.load = func() (Config, error) { return ReadSubnetEnv(path) }
	return p
}

func (p *Plugin) configure(cfg Config) error {
	if !cfg.Subnet.IsValid() || !cfg.Subnet.Addr().Is4() {
		return fmt.Errorf("bridge: pod subnet %v is not an IPv4 prefix", cfg.Subnet)
	}
	if cfg.MTU == 0 {
		cfg.MTU = 1500
	}
	p.cfg = cfg
	p.ipam.Subnet, p.ipam.Gateway = cfg.Subnet.Masked(), cfg.Subnet.Addr()
	return nil
}

// ready loads the configuration if it is not known yet.
func (p *Plugin) ready() error {
	if p.load == nil {
		return nil
	}
	cfg, err := p.load()
	if err == nil {
		err = p.configure(cfg)
	}
	if err != nil {
		return fmt.Errorf("pod network not ready: %w", err)
	}
	p.load = nil
	return nil
}

// Config returns the plugin's configuration.
func (p *Plugin) Config() Config { return p.cfg }

// NetNSPath is where the namespace of the pod with uid is mounted.
func (p *Plugin) NetNSPath(uid string) string { return filepath.Join(p.dir, "netns", uid) }

func (p *Plugin) hostPortFile(uid string) string {
	return filepath.Join(p.dir, "hostports", uid+".json")
}

// VethName is the host side of a pod's veth pair.
func VethName(uid string) string {
	h := sha1.Sum([]byte(uid))
	return "veth" + hex.EncodeToString(h[:4])
}

// ensureBridge makes cni0 with the gateway address, up, and IPv4 forwarding on.
func (p *Plugin) ensureBridge() (netlink.Link, error) {
	br, err := netlink.LinkByName(BridgeName)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if !errors.As(err, &nf) {
			return nil, fmt.Errorf("look up %s: %w", BridgeName, err)
		}
		la := netlink.NewLinkAttrs()
		la.Name, la.MTU = BridgeName, p.cfg.MTU
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create %s: %w", BridgeName, err)
		}
		if br, err = netlink.LinkByName(BridgeName); err != nil {
			return nil, fmt.Errorf("look up %s: %w", BridgeName, err)
		}
	}
	gw := &netlink.Addr{IPNet: &net.IPNet{IP: net.IP(p.cfg.Subnet.Addr().AsSlice()), Mask: net.CIDRMask(p.cfg.Subnet.Bits(), 32)}}
	addrs, err := netlink.AddrList(br, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", BridgeName, err)
	}
	has := false
	for _, a := range addrs {
		has = has || a.IPNet.String() == gw.IPNet.String()
	}
	if !has {
		if err := netlink.AddrAdd(br, gw); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("address %s on %s: %w", gw.IPNet, BridgeName, err)
		}
	}
	if br.Attrs().OperState != netlink.OperUp {
		if err := netlink.LinkSetUp(br); err != nil {
			return nil, fmt.Errorf("set %s up: %w", BridgeName, err)
		}
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0o644); err != nil {
		p.log.Warn("enable IPv4 forwarding", "err", err)
	}
	return br, nil
}

// SetUp implements network.Plugin.
func (p *Plugin) SetUp(ctx context.Context, pod network.Pod) (res *network.Result, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer func() {
		if err != nil {
			if terr := p.tearDown(ctx, pod); terr != nil {
				p.log.Warn("clean up failed pod network", "pod", pod.Namespace+"/"+pod.Name, "err", terr)
			}
		}
	}()
	if err := p.ready(); err != nil {
		return nil, err
	}
	br, err := p.ensureBridge()
	if err != nil {
		return nil, err
	}
	nsPath := p.NetNSPath(pod.UID)
	if err := netns.Create(nsPath); err != nil {
		return nil, err
	}
	ip, err := p.ipam.Allocate(pod.UID)
	if err != nil {
		return nil, err
	}
	if err := p.plumb(br, pod.UID, nsPath, ip); err != nil {
		return nil, fmt.Errorf("network of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	if len(pod.PortMappings) > 0 {
		if err := p.writeHostPorts(pod, ip); err != nil {
			return nil, err
		}
	}
	if len(pod.PortMappings) > 0 || !p.jumpsSet { // the chains only change with hostPorts
		if err := p.syncRules(ctx); err != nil {
			return nil, err
		}
	}
	return &network.Result{NetNSPath: nsPath, IPs: []string{ip.String()}}, nil
}

// plumb makes the veth pair and configures the pod's side: eth0 with ip, lo, default route.
func (p *Plugin) plumb(br netlink.Link, uid, nsPath string, ip netip.Addr) error {
	ns, err := vnetns.GetFromPath(nsPath)
	if err != nil {
		return fmt.Errorf("open netns %s: %w", nsPath, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("netlink in %s: %w", nsPath, err)
	}
	defer h.Close()
	name := VethName(uid)
	if old, err := netlink.LinkByName(name); err == nil {
		_ = netlink.LinkDel(old) // a half-made earlier attempt
	}
	if old, err := h.LinkByName("eth0"); err == nil {
		_ = h.LinkDel(old)
	}
	la := netlink.NewLinkAttrs()
	la.Name, la.MTU, la.MasterIndex = name, p.cfg.MTU, br.Attrs().Index
	veth := &netlink.Veth{LinkAttrs: la, PeerName: "eth0", PeerNamespace: netlink.NsFd(int(ns))}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", name, err)
	}
	host, err := netlink.LinkByName(name)
	if err != nil {
		return fmt.Errorf("look up %s: %w", name, err)
	}
	_ = netlink.LinkSetHairpin(host, true)
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	if lo, err := h.LinkByName("lo"); err == nil {
		if err := h.LinkSetUp(lo); err != nil {
			return fmt.Errorf("set lo up: %w", err)
		}
	}
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		return fmt.Errorf("look up eth0: %w", err)
	}
	_ = h.LinkSetMTU(eth0, p.cfg.MTU)
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: net.IP(ip.AsSlice()), Mask: net.CIDRMask(p.cfg.Subnet.Bits(), 32)}}
	if err := h.AddrAdd(eth0, addr); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("address %s: %w", addr.IPNet, err)
	}
	if err := h.LinkSetUp(eth0); err != nil {
		return fmt.Errorf("set eth0 up: %w", err)
	}
	gw := net.IP(p.cfg.Subnet.Addr().AsSlice())
	if err := h.RouteReplace(&netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: gw}); err != nil {
		return fmt.Errorf("default route via %s: %w", gw, err)
	}
	return nil
}

// TearDown implements network.Plugin.
func (p *Plugin) TearDown(ctx context.Context, pod network.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tearDown(ctx, pod)
}

func (p *Plugin) tearDown(ctx context.Context, pod network.Pod) error {
	var errs []error
	if l, err := netlink.LinkByName(VethName(pod.UID)); err == nil {
		if err := netlink.LinkDel(l); err != nil {
			errs = append(errs, fmt.Errorf("delete %s: %w", l.Attrs().Name, err))
		}
	}
	if err := p.ipam.Release(pod.UID); err != nil {
		errs = append(errs, err)
	}
	if err := os.Remove(p.hostPortFile(pod.UID)); err == nil {
		errs = append(errs, p.syncRules(ctx))
	} else if !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	errs = append(errs, netns.Remove(p.NetNSPath(pod.UID)))
	return errors.Join(errs...)
}

// GC implements network.GarbageCollector.
func (p *Plugin) GC(ctx context.Context, live map[string]bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	names, err := netns.List(filepath.Join(p.dir, "netns"))
	errs = append(errs, err)
	for _, uid := range names {
		if !live[uid] {
			p.log.Info("removing leftover pod network", "uid", uid)
			errs = append(errs, p.tearDown(ctx, network.Pod{UID: uid}))
		}
	}
	errs = append(errs, p.ipam.GC(func(uid string) bool { return live[uid] }))
	resync := false
	if files, err := filepath.Glob(filepath.Join(p.dir, "hostports", "*.json")); err == nil {
		for _, f := range files {
			if !live[strings.TrimSuffix(filepath.Base(f), ".json")] {
				resync = resync || os.Remove(f) == nil
			}
		}
	}
	liveVeth := map[string]bool{}
	for uid := range live {
		liveVeth[VethName(uid)] = true
	}
	if br, err := netlink.LinkByName(BridgeName); err == nil {
		links, _ := netlink.LinkList()
		for _, l := range links {
			a := l.Attrs()
			if a.MasterIndex == br.Attrs().Index && strings.HasPrefix(a.Name, "veth") && !liveVeth[a.Name] {
				errs = append(errs, netlink.LinkDel(l))
			}
		}
	}
	if resync {
		errs = append(errs, p.syncRules(ctx))
	}
	return errors.Join(errs...)
}

type hostPortRecord struct {
	Pod   string
	PodIP string
	Ports []network.PortMapping
}

func (p *Plugin) writeHostPorts(pod network.Pod, ip netip.Addr) error {
	data, _ := json.Marshal(hostPortRecord{Pod: pod.Namespace + "/" + pod.Name, PodIP: ip.String(), Ports: pod.PortMappings})
	f := p.hostPortFile(pod.UID)
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, data, 0o644)
}

// syncRules rewrites the node's chains from the hostPort records on disk.
func (p *Plugin) syncRules(ctx context.Context) error {
	if p.load != nil {
		return nil // not configured yet: there are no rules to write
	}
	var hps []HostPort
	files, _ := filepath.Glob(filepath.Join(p.dir, "hostports", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		var r hostPortRecord
		if err != nil || json.Unmarshal(data, &r) != nil {
			continue
		}
		for _, m := range r.Ports {
			hps = append(hps, HostPort{Pod: r.Pod, PodIP: r.PodIP, HostIP: m.HostIP, Protocol: m.Protocol, HostPort: m.HostPort, ContainerPort: m.ContainerPort})
		}
	}
	if err := run(ctx, Rules(p.cfg.Subnet, p.cfg.Network, p.cfg.IPMasq, hps), "iptables-restore", "-w", "10", "--noflush"); err != nil {
		return fmt.Errorf("pod network rules: %w", err)
	}
	if p.jumpsSet {
		return nil
	}
	for _, j := range jumps {
		args := append([]string{"-w", "-t", j[0], "-C", j[1]}, j[2:]...)
		if run(ctx, nil, "iptables", args...) == nil {
			continue
		}
		args[3] = "-I"
		if err := run(ctx, nil, "iptables", args...); err != nil {
			return fmt.Errorf("pod network rules: jump from %s: %w", j[1], err)
		}
	}
	p.jumpsSet = true
	return nil
}

func run(ctx context.Context, stdin []byte, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Remove deletes the node's chains and their jumps (tests; a node leaving for good).
func Remove(ctx context.Context) {
	for _, j := range jumps {
		_ = run(ctx, nil, "iptables", append([]string{"-w", "-t", j[0], "-D", j[1]}, j[2:]...)...)
	}
	for _, c := range [][2]string{{"nat", ChainMasq}, {"nat", ChainHostPorts}, {"filter", ChainForward}} {
		_ = run(ctx, nil, "iptables", "-w", "-t", c[0], "-F", c[1])
		_ = run(ctx, nil, "iptables", "-w", "-t", c[0], "-X", c[1])
	}
}
