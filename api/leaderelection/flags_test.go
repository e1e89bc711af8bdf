package leaderelection

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    FlagConfig
		wantErr string
	}{
		{name: "defaults", want: FlagConfig{LeaderElect: true, LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second,
			RetryPeriod: 2 * time.Second, ResourceLock: "leases", ResourceName: "kube-scheduler", ResourceNamespace: "kube-system"}},
		{name: "all set", args: []string{"--leader-elect=false", "--leader-elect-lease-duration=30s", "--leader-elect-renew-deadline=20s",
			"--leader-elect-retry-period=4s", "--leader-elect-resource-name=sched", "--leader-elect-resource-namespace=infra"},
			want: FlagConfig{LeaderElect: false, LeaseDuration: 30 * time.Second, RenewDeadline: 20 * time.Second,
				RetryPeriod: 4 * time.Second, ResourceLock: "leases", ResourceName: "sched", ResourceNamespace: "infra"}},
		{name: "renew not below lease", args: []string{"--leader-elect-renew-deadline=15s"},
			wantErr: "leaseDuration must be greater than renewDeadline"},
		{name: "endpoints lock", args: []string{"--leader-elect-resource-lock=endpoints"},
			wantErr: `unsupported value "endpoints"`},
		{name: "durations not checked when off", args: []string{"--leader-elect=false", "--leader-elect-renew-deadline=1h"},
			want: FlagConfig{LeaderElect: false, LeaseDuration: 15 * time.Second, RenewDeadline: time.Hour,
				RetryPeriod: 2 * time.Second, ResourceLock: "leases", ResourceName: "kube-scheduler", ResourceNamespace: "kube-system"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			cfg := FlagConfig{ResourceName: "kube-scheduler"}
			AddFlags(fs, &cfg)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := cfg.Validate()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Validate = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg != tc.want {
				t.Fatalf("got %+v\nwant %+v", cfg, tc.want)
			}
		})
	}
}

func TestFlagConfigToConfig(t *testing.T) {
	f := FlagConfig{LeaderElect: true, LeaseDuration: 30 * time.Second, RenewDeadline: 20 * time.Second,
		RetryPeriod: 4 * time.Second, ResourceLock: "leases", ResourceName: "sched", ResourceNamespace: "infra"}
	client := &fakeLeases{}
	cfg := f.Config("host_1", client, Callbacks{})
	if cfg.Lock != (LeaseLock{Namespace: "infra", Name: "sched", Identity: "host_1", Client: client}) ||
		cfg.LeaseDuration != 30*time.Second || cfg.RenewDeadline != 20*time.Second || cfg.RetryPeriod != 4*time.Second {
		t.Fatalf("Config = %+v", cfg)
	}
}
