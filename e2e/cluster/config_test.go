package cluster

import (
	"slices"
	"strings"
	"testing"
)

func TestConfigNames(t *testing.T) {
	cfg, err := Config{Dir: "/d", Bin: "/b", Subnet: 7}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ got, want string }{
		{cfg.Bridge, "seven0"},
		{cfg.HostIP(), "10.250.7.1"},
		{cfg.NodeIP(3), "10.250.7.13"},
		{cfg.Netns(2), "seven-node-2"},
		{cfg.HostVeth(12), "seven-v12"},
		{cfg.APIURL(), "http://10.250.7.1:8080"},
		{cfg.NodeAPIURL(), "http://10.250.7.1:8080"},
		{cfg.EtcdURL(), "http://10.250.7.1:2379"},
		{cfg.Kubeconfig, "/d/kubeconfig"},
		{cfg.SubnetFile(1), "/d/nodes/node-1/subnet.env"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	cfg.APIBindAddress = "0.0.0.0"
	if got := cfg.APIURL(); got != "http://127.0.0.1:8080" {
		t.Errorf("APIURL bound to 0.0.0.0: %s", got)
	}
}

func TestConfigInvalid(t *testing.T) {
	for _, cfg := range []Config{
		{Bin: "/b"},
		{Dir: "/d", Bin: "/b", Prefix: "Seven"},
		{Dir: "/d", Bin: "/b", Prefix: "much-too-long"},
		{Dir: "/d", Bin: "/b", Nodes: 201},
		{Dir: "/d", Bin: "/b", Subnet: 256},
		{Dir: "/d", Bin: "/b", APIBindAddress: "127.0.0.1"},
	} {
		if _, err := cfg.withDefaults(); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

func TestOptionalFlags(t *testing.T) {
	cfg, _ := Config{Dir: "/d", Bin: "/b"}.withDefaults()
	old := flagSet{"hostname-override": true}
	args := kubeletArgs(cfg, 1, old, "/img", cfg.RegistryURL())
	for _, f := range []string{"--flannel-subnet-file", "--containerd-namespace", "--image-preload-dir", "--registry-mirror"} {
		if slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, f) }) {
			t.Errorf("%s passed to a kubelet without it: %v", f, args)
		}
	}
	now := flagSet{"flannel-subnet-file": true, "containerd-namespace": true, "image-preload-dir": true, "registry-mirror": true}
	args = kubeletArgs(cfg, 1, now, "/img", cfg.RegistryURL())
	for _, want := range []string{"--flannel-subnet-file=/d/nodes/node-1/subnet.env", "--containerd-namespace=seven-node-1",
		"--registry-mirror=*=http://10.250.0.1:5000",
		"--image-preload-dir=/img", "--api-servers=http://10.250.0.1:8080", "--node-ip=10.250.0.11"} {
		if !slices.Contains(args, want) {
			t.Errorf("missing %s in %v", want, args)
		}
	}
}

func TestHelpFlagRE(t *testing.T) {
	help := `Usage of kubelet:
      --address string        address
  -v, --v int                 verbosity
  -etcd-endpoints string
`
	fs := flagSet{}
	for _, m := range helpFlagRE.FindAllStringSubmatch(help, -1) {
		fs[m[1]] = true
	}
	for _, f := range []string{"address", "v", "etcd-endpoints"} {
		if !fs[f] {
			t.Errorf("%s not found in %v", f, fs)
		}
	}
}

func TestFlannelConfig(t *testing.T) {
	want := `{"Backend":{"Type":"vxlan"},"Network":"172.16.0.0/16","SubnetLen":24}`
	if got := flannelConfig("172.16.0.0/16"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
