package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrExhausted says the subnet has no free address.
var ErrExhausted = errors.New("no free address in subnet")

const lastFile = "last_reserved_ip.0"

// Allocator allocates addresses of Subnet, keeping its state in Dir. Gateway (the
// subnet's first address) and the broadcast address are never handed out.
type Allocator struct {
	Dir     string
	Subnet  netip.Prefix
	Gateway netip.Addr
	mu      sync.Mutex
}

// New returns an allocator for subnet whose gateway is its first host address.
func New(dir string, subnet netip.Prefix) *Allocator {
	subnet = subnet.Masked()
	return &Allocator{Dir: dir, Subnet: subnet, Gateway: subnet.Addr().Next()}
}

// Next returns the first free address after last (wrapping around), skipping the
// network, gateway and broadcast addresses and those in used. Pure.
func Next(subnet netip.Prefix, gateway, last netip.Addr, used map[netip.Addr]bool) (netip.Addr, bool) {
	first := subnet.Addr().Next()
	bcast := broadcast(subnet)
	a := last
	if !subnet.Contains(a) {
		a = first
	}
	start := a
	for {
		a = a.Next()
		if !subnet.Contains(a) || a == bcast {
			a = first
		}
		if a != gateway && a != bcast && a != subnet.Addr() && !used[a] {
			return a, true
		}
		if a == start {
			return netip.Addr{}, false
		}
	}
}

func broadcast(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := 32 - p.Bits()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= (1 << host) - 1
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// lock takes the directory's flock (other processes on the node) and the mutex.
func (a *Allocator) lock() (func(), error) {
	a.mu.Lock()
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		a.mu.Unlock()
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(a.Dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		a.mu.Unlock()
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		a.mu.Unlock()
		return nil, err
	}
	return func() { f.Close(); a.mu.Unlock() }, nil
}

// entries reads the allocated addresses and their owners.
func (a *Allocator) entries() (map[netip.Addr]string, error) {
	ents, err := os.ReadDir(a.Dir)
	if err != nil {
		return nil, err
	}
	out := map[netip.Addr]string{}
	for _, e := range ents {
		ip, err := netip.ParseAddr(e.Name())
		if err != nil {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(a.Dir, e.Name()))
		out[ip] = strings.TrimSpace(string(data))
	}
	return out, nil
}

// Allocate returns owner's address, allocating one if owner has none.
func (a *Allocator) Allocate(owner string) (netip.Addr, error) {
	unlock, err := a.lock()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("ipam %s: %w", a.Dir, err)
	}
	defer unlock()
	ents, err := a.entries()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("ipam %s: %w", a.Dir, err)
	}
	used := map[netip.Addr]bool{}
	for ip, o := range ents {
		if o == owner && a.Subnet.Contains(ip) {
			return ip, nil
		}
		used[ip] = true
	}
	data, _ := os.ReadFile(filepath.Join(a.Dir, lastFile))
	last, _ := netip.ParseAddr(strings.TrimSpace(string(data)))
	ip, ok := Next(a.Subnet, a.Gateway, last, used)
	if !ok {
		return netip.Addr{}, fmt.Errorf("ipam %s: %s: %w", a.Dir, a.Subnet, ErrExhausted)
	}
	f, err := os.OpenFile(filepath.Join(a.Dir, ip.String()), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("ipam %s: reserve %s: %w", a.Dir, ip, err)
	}
	_, err = f.WriteString(owner)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(filepath.Join(a.Dir, ip.String()))
		return netip.Addr{}, fmt.Errorf("ipam %s: reserve %s: %w", a.Dir, ip, err)
	}
	_ = os.WriteFile(filepath.Join(a.Dir, lastFile), []byte(ip.String()), 0o644)
	return ip, nil
}

// Release frees every address of owner; an owner with none is not an error.
func (a *Allocator) Release(owner string) error {
	return a.releaseIf(func(o string) bool { return o == owner })
}

// GC frees every address whose owner live does not report alive.
func (a *Allocator) GC(live func(owner string) bool) error {
	return a.releaseIf(func(o string) bool { return !live(o) })
}

// Owners returns the owners of the allocated addresses, by address.
func (a *Allocator) Owners() (map[netip.Addr]string, error) {
	unlock, err := a.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return a.entries()
}

func (a *Allocator) releaseIf(match func(owner string) bool) error {
	unlock, err := a.lock()
	if err != nil {
		return fmt.Errorf("ipam %s: %w", a.Dir, err)
	}
	defer unlock()
	ents, err := a.entries()
	if err != nil {
		return fmt.Errorf("ipam %s: %w", a.Dir, err)
	}
	var errs []error
	for ip, o := range ents {
		if match(o) {
			if err := os.Remove(filepath.Join(a.Dir, ip.String())); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
