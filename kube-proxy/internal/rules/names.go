package rules

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// Chain names shared with upstream kube-proxy.
const (
	ChainServices         = "KUBE-SERVICES"
	ChainExternalServices = "KUBE-EXTERNAL-SERVICES"
	ChainNodePorts        = "KUBE-NODEPORTS"
	ChainPostrouting      = "KUBE-POSTROUTING"
	ChainMarkMasq         = "KUBE-MARK-MASQ"
	ChainForward          = "KUBE-FORWARD"
	ChainFirewall         = "KUBE-FIREWALL"
)

// Prefixes of the per-service and per-endpoint chains.
const (
	prefixSVC = "KUBE-SVC-"
	prefixSVL = "KUBE-SVL-"
	prefixEXT = "KUBE-EXT-"
	prefixSEP = "KUBE-SEP-"
	prefixFW  = "KUBE-FW-"
)

// IsServiceChain reports whether chain is one kube-proxy creates per service or endpoint,
// and so may delete once nothing needs it.
func IsServiceChain(chain string) bool {
	for _, p := range []string{prefixSVC, prefixSVL, prefixEXT, prefixSEP, prefixFW} {
		if strings.HasPrefix(chain, p) {
			return true
		}
	}
	return false
}

// portProtoHash is upstream's: the first 16 characters of base32(sha256(name + protocol)),
// where name is "<ns>/<svc>" or "<ns>/<svc>:<port name>" and protocol is lower case.
func portProtoHash(servicePortName, protocol string) string {
	h := sha256.Sum256([]byte(servicePortName + protocol))
	return base32.StdEncoding.EncodeToString(h[:])[:16]
}

// serviceChains returns the KUBE-SVC, KUBE-SVL and KUBE-EXT chains of a service port.
func serviceChains(servicePortName, protocol string) (svc, svl, ext string) {
	h := portProtoHash(servicePortName, protocol)
	return prefixSVC + h, prefixSVL + h, prefixEXT + h
}

// endpointChain is upstream's KUBE-SEP name: the hash of name + protocol + "ip:port".
func endpointChain(servicePortName, protocol, endpoint string) string {
	h := sha256.Sum256([]byte(servicePortName + protocol + endpoint))
	return prefixSEP + base32.StdEncoding.EncodeToString(h[:])[:16]
}
