package bridge

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Config is the node's pod network.
type Config struct {
	// Network is the cluster network (FLANNEL_NETWORK); traffic to it is not masqueraded.
	Network netip.Prefix
	// Subnet is this node's pod subnet with the gateway address (FLANNEL_SUBNET, e.g.
	// 172.16.23.1/24).
	Subnet netip.Prefix
	// MTU of cni0 and the pods' interfaces (FLANNEL_MTU); 0 means 1500.
	MTU int
	// IPMasq masquerades pod traffic leaving Network (FLANNEL_IPMASQ).
	IPMasq bool
}

// ParseSubnetEnv reads flanneld's subnet.env.
func ParseSubnetEnv(data []byte) (Config, error) {
	var c Config
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		var err error
		switch k {
		case "FLANNEL_NETWORK":
			c.Network, err = netip.ParsePrefix(v)
		case "FLANNEL_SUBNET":
			c.Subnet, err = netip.ParsePrefix(v)
		case "FLANNEL_MTU":
			c.MTU, err = strconv.Atoi(v)
		case "FLANNEL_IPMASQ":
			c.IPMasq, err = strconv.ParseBool(v)
		}
		if err != nil {
			return c, fmt.Errorf("subnet.env: %s: %w", k, err)
		}
	}
	if !c.Subnet.IsValid() {
		return c, fmt.Errorf("subnet.env: no FLANNEL_SUBNET")
	}
	return c, nil
}

// ReadSubnetEnv reads flanneld's subnet.env at path.
func ReadSubnetEnv(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read %s: %w", path, err)
	}
	return ParseSubnetEnv(data)
}

// FromPodCIDR is the configuration without flannel: cidr is the node's pod range, its
// first address the gateway, and traffic leaving it is masqueraded.
func FromPodCIDR(cidr string) (Config, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return Config{}, fmt.Errorf("pod CIDR %q: %w", cidr, err)
	}
	p = p.Masked()
	return Config{Network: p, Subnet: netip.PrefixFrom(p.Addr().Next(), p.Bits()), IPMasq: true}, nil
}
