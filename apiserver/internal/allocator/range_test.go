package allocator

import (
	"net/netip"
	"testing"
)

func TestNewCIDRRange(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the range
		size    int
		first   string
		last    string
		wantErr bool
	}{
		{in: "10.254.0.0/16", want: "10.254.0.0/16", size: 65534, first: "10.254.0.1", last: "10.254.255.254"},
		{in: " 10.254.0.0/16 ", want: "10.254.0.0/16", size: 65534, first: "10.254.0.1", last: "10.254.255.254"},
		{in: "10.254.3.7/16", want: "10.254.0.0/16", size: 65534, first: "10.254.0.1", last: "10.254.255.254"},
		{in: "192.168.1.0/29", want: "192.168.1.0/29", size: 6, first: "192.168.1.1", last: "192.168.1.6"},
		{in: "10.0.0.0/30", want: "10.0.0.0/30", size: 2, first: "10.0.0.1", last: "10.0.0.2"},
		{in: "10.0.0.0/12", want: "10.0.0.0/12", size: 1<<20 - 2, first: "10.0.0.1", last: "10.15.255.254"},
		{in: "10.0.0.0/31", wantErr: true},
		{in: "10.0.0.1/32", wantErr: true},
		{in: "fd00::/112", wantErr: true},
		{in: "10.254.0.0", wantErr: true},
		{in: "10.254.0.0/33", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := NewCIDRRange(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NewCIDRRange(%q) = %v, want error", tt.in, r)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewCIDRRange(%q): %v", tt.in, err)
			}
			if r.String() != tt.want || r.Size() != tt.size {
				t.Errorf("got %s size %d, want %s size %d", r, r.Size(), tt.want, tt.size)
			}
			if got := r.IP(0).String(); got != tt.first {
				t.Errorf("IP(0) = %s, want %s", got, tt.first)
			}
			if got := r.IP(r.Size() - 1).String(); got != tt.last {
				t.Errorf("IP(Size-1) = %s, want %s", got, tt.last)
			}
			if r.IP(-1).IsValid() || r.IP(r.Size()).IsValid() {
				t.Errorf("IP outside [0, Size) should be the zero Addr")
			}
		})
	}
}

func TestCIDRRangeOffset(t *testing.T) {
	r, err := NewCIDRRange("10.254.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip     string
		offset int
		ok     bool
	}{
		{"10.254.0.0", 0, false}, // network
		{"10.254.0.1", 0, true},  // the kubernetes service
		{"10.254.0.10", 9, true},
		{"10.254.1.0", 255, true},
		{"10.254.255.254", 65533, true},
		{"10.254.255.255", 0, false}, // broadcast
		{"10.253.255.255", 0, false},
		{"10.255.0.1", 0, false},
		{"::ffff:10.254.0.10", 9, true},
		{"fd00::1", 0, false},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		off, ok := r.Offset(ip)
		if off != tt.offset || ok != tt.ok {
			t.Errorf("Offset(%s) = %d, %v; want %d, %v", tt.ip, off, ok, tt.offset, tt.ok)
		}
		if r.Contains(ip) != tt.ok {
			t.Errorf("Contains(%s) = %v, want %v", tt.ip, !tt.ok, tt.ok)
		}
		if tt.ok {
			if back := r.IP(off); back != ip.Unmap() {
				t.Errorf("IP(Offset(%s)) = %s", tt.ip, back)
			}
		}
	}
	var zero CIDRRange
	if zero.Size() != 0 || zero.Contains(netip.MustParseAddr("0.0.0.1")) || zero.String() != "" {
		t.Errorf("zero CIDRRange should be empty")
	}
}

func TestNewPortRange(t *testing.T) {
	tests := []struct {
		in      string
		base    int
		size    int
		str     string
		wantErr bool
	}{
		{in: "30000-32767", base: 30000, size: 2768, str: "30000-32767"},
		{in: DefaultNodePortRange, base: 30000, size: 2768, str: "30000-32767"},
		{in: "30000+2767", base: 30000, size: 2768, str: "30000-32767"},
		{in: " 30000-30004 ", base: 30000, size: 5, str: "30000-30004"},
		{in: "30000", base: 30000, size: 1, str: "30000-30000"},
		{in: "30000+0", base: 30000, size: 1, str: "30000-30000"},
		{in: "1-65535", base: 1, size: 65535, str: "1-65535"},
		{in: "", wantErr: true},
		{in: "   ", wantErr: true},
		{in: "32767-30000", wantErr: true},
		{in: "30000-70000", wantErr: true},
		{in: "65535+1", wantErr: true},
		{in: "0-100", wantErr: true},
		{in: "30000-", wantErr: true},
		{in: "-30000", wantErr: true},
		{in: "+5", wantErr: true},
		{in: "30000+-5", wantErr: true},
		{in: "30000-+5", wantErr: true},
		{in: "30000-31000-32000", wantErr: true},
		{in: "abc", wantErr: true},
		{in: "30000 - 32767", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := NewPortRange(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NewPortRange(%q) = %v, want error", tt.in, r)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewPortRange(%q): %v", tt.in, err)
			}
			if r.Base() != tt.base || r.Size() != tt.size || r.String() != tt.str {
				t.Errorf("got base %d size %d %q, want %d %d %q", r.Base(), r.Size(), r, tt.base, tt.size, tt.str)
			}
		})
	}
}

func TestPortRangeOffset(t *testing.T) {
	r, err := NewPortRange("30000-32767")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		port   int
		offset int
		ok     bool
	}{
		{29999, 0, false},
		{30000, 0, true},
		{30001, 1, true},
		{32767, 2767, true},
		{32768, 0, false},
		{-1, 0, false},
	}
	for _, tt := range tests {
		off, ok := r.Offset(tt.port)
		if off != tt.offset || ok != tt.ok {
			t.Errorf("Offset(%d) = %d, %v; want %d, %v", tt.port, off, ok, tt.offset, tt.ok)
		}
		if r.Contains(tt.port) != tt.ok {
			t.Errorf("Contains(%d) = %v, want %v", tt.port, !tt.ok, tt.ok)
		}
		if tt.ok && r.Port(off) != tt.port {
			t.Errorf("Port(Offset(%d)) = %d", tt.port, r.Port(off))
		}
	}
	if r.Port(-1) != 0 || r.Port(r.Size()) != 0 {
		t.Errorf("Port outside [0, Size) should be 0")
	}
	var zero PortRange
	if zero.Size() != 0 || zero.Contains(0) || zero.String() != "" {
		t.Errorf("zero PortRange should be empty")
	}
}
