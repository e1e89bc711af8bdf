// Package subnetenv writes and reads the subnet file (/run/flannel/subnet.env) that tells the
// node's container runtime and CNI which subnet and MTU to give pods, in flannel's format:
//
//	FLANNEL_NETWORK=172.17.0.0/16
//	FLANNEL_SUBNET=172.17.23.1/24
//	FLANNEL_MTU=1450
//	FLANNEL_IPMASQ=false
//
// Writes are atomic (a temporary file renamed into place) so a reader never sees half a file.
package subnetenv

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultPath is where flannel writes the file.
const DefaultPath = "/run/flannel/subnet.env"

// Env is the content of the subnet file.
type Env struct {
	// Network is the whole overlay network.
	Network netip.Prefix
	// Subnet is the node's subnet with its first address, the bridge's: 172.17.23.1/24.
	Subnet netip.Prefix
	// MTU is the MTU pods' interfaces should use.
	MTU int
	// IPMasq says flanneld masquerades traffic leaving the overlay, so the runtime need not.
	IPMasq bool
}

// ForLease builds the Env for a node holding subnet (a network address such as 172.17.23.0/24).
func ForLease(network, subnet netip.Prefix, mtu int, ipMasq bool) Env {
	return Env{Network: network, Subnet: netip.PrefixFrom(subnet.Addr().Next(), subnet.Bits()), MTU: mtu, IPMasq: ipMasq}
}

// Lease returns the subnet's network address form, 172.17.23.0/24, as leased in etcd.
func (e Env) Lease() netip.Prefix { return e.Subnet.Masked() }

// Marshal renders the file.
func (e Env) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "FLANNEL_NETWORK=%s\n", e.Network)
	fmt.Fprintf(&b, "FLANNEL_SUBNET=%s\n", e.Subnet)
	fmt.Fprintf(&b, "FLANNEL_MTU=%d\n", e.MTU)
	fmt.Fprintf(&b, "FLANNEL_IPMASQ=%t\n", e.IPMasq)
	return b.Bytes()
}

// Write writes e to path atomically, creating the directory if needed.
func Write(path string, e Env) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write subnet file %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write subnet file %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	_, werr := f.Write(e.Marshal())
	if werr == nil {
		werr = f.Chmod(0o644)
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		return fmt.Errorf("write subnet file %s: %w", path, werr)
	}
	return nil
}

// Read parses the file at path. Unknown keys and comments are ignored; a missing
// FLANNEL_SUBNET or FLANNEL_NETWORK is an error.
func Read(path string) (Env, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Env{}, err
	}
	return Parse(data)
}

// Parse parses the file's content.
func Parse(data []byte) (Env, error) {
	var e Env
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return Env{}, fmt.Errorf("subnet file line %d: %q is not KEY=VALUE", n, line)
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		var err error
		switch strings.TrimSpace(k) {
		case "FLANNEL_NETWORK":
			e.Network, err = netip.ParsePrefix(v)
		case "FLANNEL_SUBNET":
			e.Subnet, err = netip.ParsePrefix(v)
		case "FLANNEL_MTU":
			e.MTU, err = strconv.Atoi(v)
		case "FLANNEL_IPMASQ":
			e.IPMasq, err = strconv.ParseBool(v)
		}
		if err != nil {
			return Env{}, fmt.Errorf("subnet file line %d: %s: %w", n, k, err)
		}
	}
	if !e.Network.IsValid() || !e.Subnet.IsValid() {
		return Env{}, fmt.Errorf("subnet file: FLANNEL_NETWORK and FLANNEL_SUBNET are required")
	}
	return e, nil
}
