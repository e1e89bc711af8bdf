package integration

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

func TestEndpointsFollowReadiness(t *testing.T) {
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	startCM(t, s, func(o *Options) { o.Controllers = []string{"endpoint"} })

	svc := &core.Service{}
	svc.Name, svc.Namespace = "web", "default"
	svc.Spec.Selector = map[string]string{"app": "web"}
	svc.Spec.Ports = []core.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}
	if _, err := client.Services(c).Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	p := &core.Pod{}
	p.Name, p.Namespace = "web-1", "default"
	tpl := template("web", "nginx")
	p.Labels, p.Spec = tpl.Labels, tpl.Spec
	if _, err := client.Pods(c).Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := setPodStatus(ctx, c, "default", "web-1", core.PodRunning, false, "10.1.0.5"); err != nil {
		t.Fatal(err)
	}
	want := func(ready, notReady int) func() error {
		return func() error {
			ep, err := client.Endpoints(c).Get(ctx, "default", "web")
			if err != nil {
				return err
			}
			r, n := 0, 0
			for _, s := range ep.Subsets {
				r += len(s.Addresses)
				n += len(s.NotReadyAddresses)
				if s.Ports[0].Port != 8080 {
					return errorf("port %d, want the named target port 8080", s.Ports[0].Port)
				}
			}
			if r != ready || n != notReady {
				return errorf("ready %d notReady %d, want %d %d", r, n, ready, notReady)
			}
			return nil
		}
	}
	eventually(t, 10*time.Second, want(0, 1))
	if err := setPodStatus(ctx, c, "default", "web-1", core.PodRunning, true, "10.1.0.5"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, want(1, 0))
	if err := setPodStatus(ctx, c, "default", "web-1", core.PodRunning, false, "10.1.0.5"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, want(0, 1))
}
