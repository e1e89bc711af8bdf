package main

import (
	"reflect"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	// The seed's command line, flannel's single-dash style and underscores included.
	f, err := parseFlags([]string{"-etcd-endpoints=http://192.168.2.129:2379,http://192.168.2.130:2379", "-etcd-prefix=/atomic.io/network",
		"--log_dir=./", "--logtostderr=false", "-iface", "eth1", "-iface=10.0.0.5", "-ip-masq", "--v=3", "-healthz-port=8286"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"http://192.168.2.129:2379", "http://192.168.2.130:2379"}; !reflect.DeepEqual(f.opts.EtcdEndpoints, want) {
		t.Errorf("endpoints = %v", f.opts.EtcdEndpoints)
	}
	if f.opts.EtcdPrefix != "/atomic.io/network" || f.logDir != "./" || f.toStderr || f.verbosity != 3 || !f.opts.IPMasq {
		t.Errorf("flags = %+v", f)
	}
	if want := []string{"eth1", "10.0.0.5"}; !reflect.DeepEqual(f.opts.Ifaces, want) {
		t.Errorf("ifaces = %v", f.opts.Ifaces)
	}
	if f.opts.HealthzAddr != "0.0.0.0:8286" || f.opts.RenewMargin != time.Hour || f.opts.SubnetFile != "/run/flannel/subnet.env" {
		t.Errorf("healthz %q margin %s subnet file %q", f.opts.HealthzAddr, f.opts.RenewMargin, f.opts.SubnetFile)
	}

	d, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.opts.EtcdEndpoints, []string{"http://127.0.0.1:2379"}) || d.opts.EtcdPrefix != "/coreos.com/network" || d.opts.HealthzAddr != "127.0.0.1:8285" || !d.toStderr {
		t.Errorf("defaults = %+v", d.opts)
	}

	for _, bad := range [][]string{{"-bogus"}, {"extra"}, {"-etcd-endpoints="}, {"-subnet-lease-renew-margin=0"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
}

func TestGoStyleArgs(t *testing.T) {
	got := goStyleArgs([]string{"-etcd-prefix", "/x", "--v=2", "-v", "4", "--", "-keep"})
	want := []string{"--etcd-prefix", "/x", "--v=2", "--v", "4", "--", "-keep"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("goStyleArgs = %q, want %q", got, want)
	}
}
