package network

import (
	"context"
	"fmt"
	"sync"
)

// PortMapping is one hostPort of a pod: traffic to HostPort on the node (HostIP, or any
// local address) goes to ContainerPort on the pod's IP.
type PortMapping struct {
	HostPort, ContainerPort int32
	// Protocol is "tcp", "udp" or "sctp".
	Protocol string
	HostIP   string `json:",omitempty"`
}

// Pod names the pod whose network is set up.
type Pod struct {
	UID, Namespace, Name string
	// PortMappings are the pod's hostPorts.
	PortMappings []PortMapping
}

// Result is what SetUp made.
type Result struct {
	// NetNSPath is the network namespace the pod's sandbox must join; "" lets the runtime
	// create one (a plugin that configures nothing).
	NetNSPath string
	// IPs are the pod's addresses.
	IPs []string
}

// Plugin sets up pod networks.
type Plugin interface {
	// SetUp creates (or finds) the pod's network and returns it. It is called before the
	// sandbox starts and must be idempotent.
	SetUp(ctx context.Context, pod Pod) (*Result, error)
	// TearDown undoes SetUp; it is called after the sandbox stopped and must be
	// idempotent: a pod with nothing left to remove is not an error.
	TearDown(ctx context.Context, pod Pod) error
}

// GarbageCollector is a Plugin that can remove what it made for pods that no longer exist
// (after a crash, or pods deleted while the kubelet was down).
type GarbageCollector interface {
	// GC tears down every pod whose UID live does not hold.
	GC(ctx context.Context, live map[string]bool) error
}

// Loopback leaves the sandbox's namespace with its loopback interface only: pods get no IP.
type Loopback struct{}

// SetUp implements Plugin.
func (Loopback) SetUp(context.Context, Pod) (*Result, error) { return &Result{}, nil }

// TearDown implements Plugin.
func (Loopback) TearDown(context.Context, Pod) error { return nil }

// Fake hands out addresses from 10.<A>.<B>.0/24-sized blocks without touching anything;
// hollow nodes use it.
type Fake struct {
	// Base is the first address's top three octets, e.g. "10.64.3".
	Base string
	mu   sync.Mutex
	next int
	ips  map[string]string
}

// SetUp implements Plugin.
func (f *Fake) SetUp(_ context.Context, pod Pod) (*Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ips == nil {
		f.ips = map[string]string{}
	}
	if ip, ok := f.ips[pod.UID]; ok {
		return &Result{IPs: []string{ip}}, nil
	}
	f.next++
	ip := fmt.Sprintf("%s.%d", f.Base, 1+f.next%253)
	f.ips[pod.UID] = ip
	return &Result{IPs: []string{ip}}, nil
}

// TearDown implements Plugin.
func (f *Fake) TearDown(_ context.Context, pod Pod) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.ips, pod.UID)
	return nil
}
