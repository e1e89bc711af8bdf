package bridge

import (
	"bytes"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Chains of the kubelet's pod network.
const (
	// ChainMasq (nat) masquerades pod traffic leaving the cluster network.
	ChainMasq = "SEVEN-POSTRTG"
	// ChainHostPorts (nat) DNATs hostPorts to pods.
	ChainHostPorts = "SEVEN-HOSTPORTS"
	// ChainForward (filter) accepts forwarded pod traffic even under a DROP policy.
	ChainForward = "SEVEN-FORWARD"
)

// jumps are the rules that send traffic into the chains: table, chain, rule.
var jumps = [][]string{
	{"nat", "POSTROUTING", "-m", "comment", "--comment", "seven pod masquerade", "-j", ChainMasq},
	{"nat", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "seven hostports", "-j", ChainHostPorts},
	{"nat", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "seven hostports", "-j", ChainHostPorts},
	{"filter", "FORWARD", "-m", "comment", "--comment", "seven pod forwarding", "-j", ChainForward},
}

// HostPort is one DNAT rule: a pod's hostPort.
type HostPort struct {
	Pod                     string // namespace/name, for the comment
	PodIP                   string
	HostIP                  string
	Protocol                string
	HostPort, ContainerPort int32
}

// Rules returns the iptables-restore input (for --noflush) of the node's chains: subnet is
// this node's pod subnet, network the cluster's (masquerade exempts it; zero turns
// masquerade off), hostPorts every pod's hostPorts. Declaring a chain flushes it, so the
// result replaces all earlier rules. Pure.
func Rules(subnet, network netip.Prefix, masq bool, hostPorts []HostPort) []byte {
	var b bytes.Buffer
	b.WriteString("*nat\n")
	fmt.Fprintf(&b, ":%s - [0:0]\n:%s - [0:0]\n", ChainMasq, ChainHostPorts)
	if masq {
		if network.IsValid() {
			fmt.Fprintf(&b, "-A %s -s %s -d %s -j RETURN\n", ChainMasq, subnet.Masked(), network.Masked())
		}
		fmt.Fprintf(&b, "-A %s -s %s ! -d 224.0.0.0/4 -j MASQUERADE\n", ChainMasq, subnet.Masked())
	}
	hp := append([]HostPort(nil), hostPorts...)
	sort.Slice(hp, func(i, j int) bool {
		if hp[i].HostPort != hp[j].HostPort {
			return hp[i].HostPort < hp[j].HostPort
		}
		return hp[i].Protocol < hp[j].Protocol
	})
	for _, h := range hp {
		proto := strings.ToLower(h.Protocol)
		if proto == "" {
			proto = "tcp"
		}
		dst := ""
		if h.HostIP != "" && h.HostIP != "0.0.0.0" {
			dst = " -d " + h.HostIP + "/32"
		}
		fmt.Fprintf(&b, "-A %s%s -p %s -m %s --dport %d -m comment --comment \"%s hostport %d\" -j DNAT --to-destination %s:%d\n",
			ChainHostPorts, dst, proto, proto, h.HostPort, h.Pod, h.HostPort, h.PodIP, h.ContainerPort)
	}
	b.WriteString("COMMIT\n*filter\n")
	fmt.Fprintf(&b, ":%s - [0:0]\n", ChainForward)
	fmt.Fprintf(&b, "-A %s -s %s -j ACCEPT\n-A %s -d %s -j ACCEPT\n", ChainForward, subnet.Masked(), ChainForward, subnet.Masked())
	b.WriteString("COMMIT\n")
	return b.Bytes()
}
