package integration

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func TestReplicationController(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	port := freePort(t)
	startCM(t, s, func(o *Options) {
		o.Controllers = []string{"replicationcontroller"}
		o.BindAddress, o.SecurePort = "127.0.0.1", port
	})

	rc := &core.ReplicationController{}
	rc.Name, rc.Namespace = "web", "default"
	rc.Spec.Replicas = ptr(int32(3))
	rc.Spec.Selector = map[string]string{"app": "web"}
	tpl := template("web", "nginx:1")
	rc.Spec.Template = &tpl
	rc, err := client.ReplicationControllers(c).Create(ctx, rc)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, countIs(ctx, c, "default", "app=web", 3))

	// Pods deleted are replaced.
	ps, _ := activePods(ctx, c, "default", "app=web")
	for _, p := range ps[:2] {
		if p.OwnerReferences[0].Name != "web" || !*p.OwnerReferences[0].Controller {
			t.Fatalf("pod %s owner refs %+v", p.Name, p.OwnerReferences)
		}
		if err := client.Pods(c).Delete(ctx, "default", p.Name, &meta.DeleteOptions{GracePeriodSeconds: ptr(int64(0))}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 20*time.Second, countIs(ctx, c, "default", "app=web", 3))
	// Never more than 3 created: wait a moment and check again.
	time.Sleep(time.Second)
	if err := countIs(ctx, c, "default", "app=web", 3)(); err != nil {
		t.Fatal(err)
	}

	scale := func(n int32) {
		t.Helper()
		sc, err := client.ReplicationControllers(c).GetScale(ctx, "default", "web")
		if err != nil {
			t.Fatal(err)
		}
		sc.Spec.Replicas = n
		if _, err := client.ReplicationControllers(c).UpdateScale(ctx, "default", "web", sc); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, countIs(ctx, c, "default", "app=web", int(n)))
	}
	scale(5)
	scale(1)

	checkMetrics(t, port, `workqueue_adds_total{name="replicationcontroller"}`, `controller_sync_duration_seconds_count{controller="replicationcontroller"}`)
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port)); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	eventually(t, 10*time.Second, func() error {
		got, err := client.ReplicationControllers(c).Get(ctx, "default", "web")
		if err != nil {
			return err
		}
		if got.Status.Replicas != 1 || got.Status.ObservedGeneration != got.Generation || got.Status.FullyLabeledReplicas != 1 {
			return errorf("status %+v generation %d", got.Status, got.Generation)
		}
		return nil
	})
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func checkMetrics(t *testing.T, port int, want ...string) {
	t.Helper()
	eventually(t, 5*time.Second, func() error {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				return errorf("metrics lack %q", w)
			}
		}
		return nil
	})
}
