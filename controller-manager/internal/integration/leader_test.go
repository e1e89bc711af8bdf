package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/leaderelection"
)

func TestLeaderElectionHandover(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	elect := func(id string) func(*Options) {
		return func(o *Options) {
			o.Controllers = []string{"replicationcontroller"}
			o.Identity = id
			o.Election.LeaderElect = true
			o.Election.ResourceLock = leaderelection.ResourceLockLeases
			o.Election.ResourceNamespace = "kube-system"
			o.Election.LeaseDuration = 3 * time.Second
			o.Election.RenewDeadline = 2 * time.Second
			o.Election.RetryPeriod = 300 * time.Millisecond
		}
	}
	holder := func() string {
		l, err := client.Leases(c).Get(ctx, "kube-system", "kube-controller-manager")
		if err != nil || l.Spec.HolderIdentity == nil {
			return ""
		}
		return *l.Spec.HolderIdentity
	}
	killA := startCM(t, s, elect("cm-a"))
	eventually(t, 10*time.Second, func() error {
		if h := holder(); h != "cm-a" {
			return errorf("holder %q", h)
		}
		return nil
	})
	startCM(t, s, elect("cm-b"))

	rc := &core.ReplicationController{}
	rc.Name, rc.Namespace = "web", "default"
	rc.Spec.Replicas = ptr(int32(2))
	rc.Spec.Selector = map[string]string{"app": "web"}
	tpl := template("web", "nginx")
	rc.Spec.Template = &tpl
	if _, err := client.ReplicationControllers(c).Create(ctx, rc); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, countIs(ctx, c, "default", "app=web", 2))
	time.Sleep(500 * time.Millisecond)
	// Only one process acts: two would have raced to 4 pods.
	if err := countIs(ctx, c, "default", "app=web", 2)(); err != nil {
		t.Fatal(err)
	}
	if h := holder(); h != "cm-a" {
		t.Fatalf("leader changed to %q while cm-a was alive", h)
	}

	killA()
	start := time.Now()
	eventually(t, 10*time.Second, func() error {
		if h := holder(); !strings.HasPrefix(h, "cm-b") {
			return errorf("holder %q", h)
		}
		return nil
	})
	if d := time.Since(start); d > 3*time.Second+time.Second {
		t.Fatalf("hand-over took %v, longer than the lease", d)
	}
	sc, err := client.ReplicationControllers(c).GetScale(ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	sc.Spec.Replicas = 3
	if _, err := client.ReplicationControllers(c).UpdateScale(ctx, "default", "web", sc); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, countIs(ctx, c, "default", "app=web", 3))
}
