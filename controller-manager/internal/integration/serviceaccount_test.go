package integration

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
)

func TestDefaultServiceAccount(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"serviceaccount"} })
	newNamespace(ctx, t, c, "team")
	exists := func(ns string) func() error {
		return func() error {
			_, err := client.ServiceAccounts(c).Get(ctx, ns, "default")
			return err
		}
	}
	eventually(t, 10*time.Second, exists("team"))
	eventually(t, 10*time.Second, exists("kube-system"))
	if err := client.ServiceAccounts(c).Delete(ctx, "team", "default", nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() error {
		sa, err := client.ServiceAccounts(c).Get(ctx, "team", "default")
		if err != nil {
			return err
		}
		if sa.DeletionTimestamp != nil {
			return errorf("still the deleted one")
		}
		return nil
	})
}
