package prober

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok" {
			http.Error(w, "nope", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	host, portS, _ := net.SplitHostPort(u.Host)
	port, _ := strconv.Atoi(portS)
	c := &core.Container{Name: "c", Ports: []core.ContainerPort{{Name: "http", ContainerPort: int32(port)}}}
	target := Target{PodIP: host, Exec: func(_ context.Context, cmd []string) (int, string, error) {
		if cmd[0] == "true" {
			return 0, "", nil
		}
		return 1, "failed", nil
	}}
	for _, tc := range []struct {
		name string
		h    core.ProbeHandler
		want Result
	}{
		{"http ok", core.ProbeHandler{HTTPGet: &core.HTTPGetAction{Path: "/ok", Port: intstr.FromInt32(int32(port))}}, Success},
		{"http named port", core.ProbeHandler{HTTPGet: &core.HTTPGetAction{Path: "/ok", Port: intstr.FromString("http")}}, Success},
		{"http 500", core.ProbeHandler{HTTPGet: &core.HTTPGetAction{Path: "/bad", Port: intstr.FromInt32(int32(port))}}, Failure},
		{"tcp ok", core.ProbeHandler{TCPSocket: &core.TCPSocketAction{Port: intstr.FromInt32(int32(port))}}, Success},
		{"tcp closed", core.ProbeHandler{TCPSocket: &core.TCPSocketAction{Port: intstr.FromInt32(1)}}, Failure},
		{"exec ok", core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"true"}}}, Success},
		{"exec fails", core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"false"}}}, Failure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, msg := Run(context.Background(), &core.Probe{ProbeHandler: tc.h}, c, target); got != tc.want {
				t.Fatalf("got %v (%s), want %v", got, msg, tc.want)
			}
		})
	}
}

func TestManagerThresholds(t *testing.T) {
	var fail atomic.Bool
	target := Target{Exec: func(context.Context, []string) (int, string, error) {
		if fail.Load() {
			return 1, "", nil
		}
		return 0, "", nil
	}}
	changes := make(chan struct{}, 100)
	m := &Manager{OnChange: func() { changes <- struct{}{} }}
	c := &core.Container{Name: "c", ReadinessProbe: &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"x"}}}, PeriodSeconds: 1, FailureThreshold: 2}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.Sync(ctx, []Running{{Spec: c, ID: "id1", StartedAt: time.Now(), Target: target}})
	wait := func(want Result) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for m.Result("id1", Readiness) != want {
			select {
			case <-changes:
			case <-deadline:
				t.Fatalf("result %v, want %v", m.Result("id1", Readiness), want)
			}
		}
	}
	wait(Success)
	fail.Store(true)
	wait(Failure)
	m.Stop()
}
