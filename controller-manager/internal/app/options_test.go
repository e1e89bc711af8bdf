package app

import (
	"testing"

	"github.com/spf13/pflag"
)

func TestEnabled(t *testing.T) {
	tests := []struct {
		flags []string
		name  string
		want  bool
	}{
		{[]string{"*"}, "deployment", true},
		{[]string{"*", "-deployment"}, "deployment", false},
		{[]string{"replicaset"}, "deployment", false},
		{[]string{"replicaset"}, "replicaset", true},
	}
	for _, tt := range tests {
		o := NewOptions()
		o.Controllers = tt.flags
		if got := o.Enabled(tt.name); got != tt.want {
			t.Errorf("%v %s: got %v", tt.flags, tt.name, got)
		}
	}
}

func TestFlags(t *testing.T) {
	o := NewOptions()
	fs := pflag.NewFlagSet("kcm", pflag.ContinueOnError)
	o.AddFlags(fs)
	err := fs.Parse([]string{"--master=http://127.0.0.1:8080", "--controllers=*,-nodelifecycle", "--node-monitor-grace-period=20s",
		"--pod-eviction-timeout=1m", "--port=10252", "--address=127.0.0.1", "--leader-elect=false", "--v=2", "--logtostderr=true", "--concurrent-rc-syncs=3", "--resource-quota-sync-period=1m"})
	if err != nil {
		t.Fatal(err)
	}
	if o.ServingAddress() != "127.0.0.1:10252" || o.ConcurrentRCSyncs != 3 || o.NodeMonitorGracePeriod.String() != "20s" || o.Election.LeaderElect || o.ResourceQuotaSyncPeriod.String() != "1m0s" {
		t.Fatalf("parsed %+v", o)
	}
	o.Controllers = []string{"bogus"}
	if o.Validate() == nil {
		t.Fatal("unknown controller accepted")
	}
	if NewOptions().ServingAddress() != "0.0.0.0:10257" {
		t.Fatal("default port")
	}
}
