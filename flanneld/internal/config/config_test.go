package config

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	vx := Backend{Type: TypeVXLAN, VNI: 1, Port: 8472}
	tests := []struct {
		name    string
		in      string
		want    *Config
		wantErr string
	}{
		{
			name: "seed config",
			in:   `{"Network":"172.17.0.0/16", "SubnetMin": "172.17.1.0", "SubnetMax": "172.17.254.0"}`,
			want: &Config{Network: pfx("172.17.0.0/16"), SubnetLen: 24, SubnetMin: addr("172.17.1.0"), SubnetMax: addr("172.17.254.0"), Backend: vx},
		},
		{
			name: "defaults for a /16",
			in:   `{"Network":"10.244.0.0/16"}`,
			want: &Config{Network: pfx("10.244.0.0/16"), SubnetLen: 24, SubnetMin: addr("10.244.1.0"), SubnetMax: addr("10.244.255.0"), Backend: vx},
		},
		{
			name: "small network is split in four",
			in:   `{"Network":"10.1.2.0/24"}`,
			want: &Config{Network: pfx("10.1.2.0/24"), SubnetLen: 26, SubnetMin: addr("10.1.2.64"), SubnetMax: addr("10.1.2.192"), Backend: vx},
		},
		{
			name: "host bits are masked",
			in:   `{"Network":"10.1.2.3/16","SubnetLen":20}`,
			want: &Config{Network: pfx("10.1.0.0/16"), SubnetLen: 20, SubnetMin: addr("10.1.16.0"), SubnetMax: addr("10.1.240.0"), Backend: vx},
		},
		{
			name: "vxlan with VNI and port",
			in:   `{"Network":"10.0.0.0/8","Backend":{"Type":"vxlan","VNI":42,"Port":4789}}`,
			want: &Config{Network: pfx("10.0.0.0/8"), SubnetLen: 24, SubnetMin: addr("10.0.1.0"), SubnetMax: addr("10.255.255.0"), Backend: Backend{Type: TypeVXLAN, VNI: 42, Port: 4789}},
		},
		{
			name: "host-gw, unknown fields ignored",
			in:   `{"Network":"10.5.0.0/16","Backend":{"Type":"host-gw"},"EnableIPv4":true}`,
			want: &Config{Network: pfx("10.5.0.0/16"), SubnetLen: 24, SubnetMin: addr("10.5.1.0"), SubnetMax: addr("10.5.255.0"), Backend: Backend{Type: TypeHostGW}},
		},
		{name: "not json", in: `{"Network":`, wantErr: "not valid JSON"},
		{name: "wrong type", in: `{"Network":"10.0.0.0/8","SubnetLen":"24"}`, wantErr: "field SubnetLen"},
		{name: "no network", in: `{"SubnetLen":24}`, wantErr: "Network: missing"},
		{name: "bad network", in: `{"Network":"10.0.0.0"}`, wantErr: "not a CIDR"},
		{name: "ipv6 network", in: `{"Network":"fd00::/64"}`, wantErr: "not IPv4"},
		{name: "ipv6 enabled", in: `{"Network":"10.0.0.0/8","EnableIPv6":true}`, wantErr: "IPv6"},
		{name: "subnet larger than network", in: `{"Network":"10.0.0.0/16","SubnetLen":15}`, wantErr: "fewer than four subnets"},
		{name: "subnet too small", in: `{"Network":"10.0.0.0/16","SubnetLen":31}`, wantErr: "outside 1..30"},
		{name: "tiny network", in: `{"Network":"10.0.0.0/30"}`, wantErr: "too small"},
		{name: "min outside", in: `{"Network":"10.0.0.0/16","SubnetMin":"10.1.0.0"}`, wantErr: "SubnetMin: 10.1.0.0 is not in Network"},
		{name: "max unaligned", in: `{"Network":"10.0.0.0/16","SubnetMax":"10.0.9.7"}`, wantErr: "SubnetMax: 10.0.9.7 is not the start of a /24"},
		{name: "min above max", in: `{"Network":"10.0.0.0/16","SubnetMin":"10.0.9.0","SubnetMax":"10.0.3.0"}`, wantErr: "above SubnetMax"},
		{name: "bad min", in: `{"Network":"10.0.0.0/16","SubnetMin":"x"}`, wantErr: "not an IPv4 address"},
		{name: "udp backend", in: `{"Network":"10.0.0.0/16","Backend":{"Type":"udp"}}`, wantErr: `"udp" is not supported`},
		{name: "bad vni", in: `{"Network":"10.0.0.0/16","Backend":{"Type":"vxlan","VNI":0}}`, wantErr: "Backend.VNI"},
		{name: "bad port", in: `{"Network":"10.0.0.0/16","Backend":{"Type":"vxlan","Port":70000}}`, wantErr: "Backend.Port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%s) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.in, err)
			}
			if *got != *tt.want {
				t.Fatalf("Parse(%s)\n got %+v\nwant %+v", tt.in, *got, *tt.want)
			}
		})
	}
}

func TestContainsAndCapacity(t *testing.T) {
	c, err := Parse([]byte(`{"Network":"172.17.0.0/16", "SubnetMin": "172.17.1.0", "SubnetMax": "172.17.254.0"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Capacity(); got != 254 {
		t.Errorf("Capacity = %d, want 254", got)
	}
	if got := c.SubnetAt(0); got != pfx("172.17.1.0/24") {
		t.Errorf("SubnetAt(0) = %s", got)
	}
	if got := c.SubnetAt(253); got != pfx("172.17.254.0/24") {
		t.Errorf("SubnetAt(253) = %s", got)
	}
	for in, want := range map[string]bool{
		"172.17.1.0/24":   true,
		"172.17.254.0/24": true,
		"172.17.0.0/24":   false, // below SubnetMin
		"172.17.255.0/24": false, // above SubnetMax
		"172.17.3.0/25":   false, // wrong length
		"172.18.3.0/24":   false, // outside
	} {
		if got := c.Contains(pfx(in)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", in, got, want)
		}
	}
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }
