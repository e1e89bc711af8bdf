package subnetenv

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "flannel", "subnet.env")
	e := ForLease(netip.MustParsePrefix("172.17.0.0/16"), netip.MustParsePrefix("172.17.23.0/24"), 1450, true)
	if err := Write(path, e); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "FLANNEL_NETWORK=172.17.0.0/16\nFLANNEL_SUBNET=172.17.23.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n"
	if string(got) != want {
		t.Errorf("file =\n%s\nwant\n%s", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	back, err := Read(path)
	if err != nil || back != e {
		t.Fatalf("Read = %+v, %v; want %+v", back, err, e)
	}
	if back.Lease() != netip.MustParsePrefix("172.17.23.0/24") {
		t.Errorf("Lease() = %s", back.Lease())
	}

	// Rewriting replaces the file and leaves no temporary files behind.
	e.MTU = 1500
	if err := Write(path, e); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only subnet.env", len(entries))
	}
	if back, _ := Read(path); back.MTU != 1500 {
		t.Errorf("MTU after rewrite = %d", back.MTU)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     Env
		wantErr  bool
	}{
		{name: "flannel's file", in: "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.0.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n",
			want: Env{Network: netip.MustParsePrefix("10.244.0.0/16"), Subnet: netip.MustParsePrefix("10.244.0.1/24"), MTU: 1450, IPMasq: true}},
		{name: "comments, quotes and extra keys", in: "# written by hand\nFLANNEL_NETWORK=\"10.1.0.0/16\"\nFLANNEL_SUBNET=10.1.5.1/24\nFLANNEL_IPV6_NETWORK=\n",
			want: Env{Network: netip.MustParsePrefix("10.1.0.0/16"), Subnet: netip.MustParsePrefix("10.1.5.1/24")}},
		{name: "missing subnet", in: "FLANNEL_NETWORK=10.1.0.0/16\n", wantErr: true},
		{name: "bad MTU", in: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.5.1/24\nFLANNEL_MTU=big\n", wantErr: true},
		{name: "not key=value", in: "FLANNEL_NETWORK\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}
