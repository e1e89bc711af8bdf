package nftables

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	out := []byte(`table ip filter {
	chain INPUT {
		type filter hook input priority filter; policy accept;
	}
}
table ip kube-proxy {
	chain nat-output {
		type nat hook output priority dstnat; policy accept;
	}
	chain service-ABCDEFGH-default/web/tcp/80 {
	}
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}
	set affinity-600-X-default/web/tcp/80__10.0.0.1/80 {
		type ipv4_addr
	}
}
`)
	if got, want := names(out, "chain "), []string{"nat-output", "service-ABCDEFGH-default/web/tcp/80"}; !slices.Equal(got, want) {
		t.Errorf("chains = %q, want %q", got, want)
	}
	if got, want := names(out, "set "), []string{"affinity-600-X-default/web/tcp/80__10.0.0.1/80"}; !slices.Equal(got, want) {
		t.Errorf("sets = %q, want %q", got, want)
	}
}
