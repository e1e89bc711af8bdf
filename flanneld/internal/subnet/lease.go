package subnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Attrs is what a node publishes about itself in its lease: the JSON value stored at the
// lease's key, in flannel's format.
type Attrs struct {
	// PublicIP is the node's underlay address that other nodes send overlay traffic to.
	PublicIP netip.Addr `json:"PublicIP"`
	// BackendType is the backend the node runs ("vxlan", "host-gw").
	BackendType string `json:"BackendType"`
	// BackendData is backend specific, e.g. vxlan's {"VNI":1,"VtepMAC":"..."}.
	BackendData json.RawMessage `json:"BackendData,omitempty"`
}

// Equal reports whether two Attrs publish the same thing.
func (a Attrs) Equal(b Attrs) bool {
	return a.PublicIP == b.PublicIP && a.BackendType == b.BackendType && jsonEqual(a.BackendData, b.BackendData)
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || string(a) == "null" {
		return len(b) == 0 || string(b) == "null"
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// Lease is one node's claim on a subnet.
type Lease struct {
	Subnet netip.Prefix
	Attrs  Attrs
	// Expiration is when the claim lapses unless renewed (known for the node's own lease only).
	Expiration time.Time
	// EtcdLease is the etcd lease the key is bound to.
	EtcdLease clientv3.LeaseID
	// ModRevision is the etcd revision that last wrote the key.
	ModRevision int64
}

// SubnetKey is the key name flannel uses for a subnet: 10.1.15.0/24 is "10.1.15.0-24".
func SubnetKey(p netip.Prefix) string {
	return p.Addr().String() + "-" + strconv.Itoa(p.Bits())
}

// ParseSubnetKey is SubnetKey's inverse. It accepts the last path element or a whole key.
func ParseSubnetKey(key string) (netip.Prefix, error) {
	name := key[strings.LastIndexByte(key, '/')+1:]
	ip, bits, ok := strings.Cut(name, "-")
	if !ok {
		return netip.Prefix{}, fmt.Errorf("subnet key %q: want <a.b.c.d>-<len>", key)
	}
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		return netip.Prefix{}, fmt.Errorf("subnet key %q: %q is not an IPv4 address", key, ip)
	}
	n, err := strconv.Atoi(bits)
	if err != nil || n < 0 || n > 32 {
		return netip.Prefix{}, fmt.Errorf("subnet key %q: bad prefix length %q", key, bits)
	}
	p := netip.PrefixFrom(a, n)
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("subnet key %q: host bits set", key)
	}
	return p, nil
}

// EncodeAttrs is the value stored at a lease's key.
func EncodeAttrs(a Attrs) ([]byte, error) {
	if !a.PublicIP.Is4() {
		return nil, fmt.Errorf("lease attrs: public IP %q is not IPv4", a.PublicIP)
	}
	return json.Marshal(a)
}

// DecodeAttrs parses the value stored at a lease's key.
func DecodeAttrs(b []byte) (Attrs, error) {
	var a Attrs
	if err := json.Unmarshal(b, &a); err != nil {
		return Attrs{}, fmt.Errorf("lease value %q: %w", abbreviate(b), err)
	}
	if !a.PublicIP.IsValid() {
		return Attrs{}, errors.New("lease value: no PublicIP")
	}
	return a, nil
}

func abbreviate(b []byte) string {
	if len(b) > 100 {
		return string(b[:100]) + "..."
	}
	return string(b)
}
