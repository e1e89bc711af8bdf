package apiservertest

import (
	"context"
	"testing"

	"seven.dev/api/client"
)

func TestStartAndRestart(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := context.Background()
	ns, err := client.For[*namespaceT](c, nsKind(c)).Get(ctx, "", "default")
	if err != nil || ns.Name != "default" {
		t.Fatalf("get default namespace: %v %v", ns, err)
	}
	s.Restart()
	if _, err := client.For[*namespaceT](c, nsKind(c)).Get(ctx, "", "kube-system"); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
