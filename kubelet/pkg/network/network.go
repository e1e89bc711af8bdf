package network

import (
	"context"
	"fmt"
	"sync"
)

// Pod names the pod whose network is set up.
type Pod struct {
	UID, Namespace, Name string
}

// Plugin sets up pod networks.
type Plugin interface {
	// SetUp configures the network namespace at netnsPath for pod and returns its IPs.
	SetUp(ctx context.Context, pod Pod, netnsPath string) ([]string, error)
	// TearDown undoes SetUp; it is called before the sandbox goes and must be idempotent.
	TearDown(ctx context.Context, pod Pod, netnsPath string) error
}

// Loopback leaves the sandbox's namespace with its loopback interface only: pods get no IP.
type Loopback struct{}

// SetUp implements Plugin.
func (Loopback) SetUp(context.Context, Pod, string) ([]string, error) { return nil, nil }

// TearDown implements Plugin.
func (Loopback) TearDown(context.Context, Pod, string) error { return nil }

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
func (f *Fake) SetUp(_ context.Context, pod Pod, _ string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ips == nil {
		f.ips = map[string]string{}
	}
	if ip, ok := f.ips[pod.UID]; ok {
		return []string{ip}, nil
	}
	f.next++
	ip := fmt.Sprintf("%s.%d", f.Base, 1+f.next%253)
	f.ips[pod.UID] = ip
	return []string{ip}, nil
}

// TearDown implements Plugin.
func (f *Fake) TearDown(_ context.Context, pod Pod, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.ips, pod.UID)
	return nil
}
