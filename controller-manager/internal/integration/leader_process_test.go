package integration

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"seven.dev/api/apiservertest"
	"seven.dev/api/client"
	"seven.dev/api/core"
)

// TestLeaderHandoverBetweenProcesses runs two kube-controller-manager binaries against one
// API server: only the one holding the Lease acts, and when it is SIGKILLed (no release,
// no clean stop) the other takes the Lease over once it expires and acts at once.
func TestLeaderHandoverBetweenProcesses(t *testing.T) {
	const (
		leaseDuration = 3 * time.Second
		renewDeadline = 2 * time.Second
		retryPeriod   = 200 * time.Millisecond
		lease         = "kube-system/kube-controller-manager"
	)
	s := apiservertest.Start(t)
	c := s.Client()
	ctx := context.Background()
	bin := cmBinary(t)
	flags := []string{
		"--master=" + s.URL,
		"--controllers=replicationcontroller",
		"--leader-elect=true",
		"--leader-elect-lease-duration=" + leaseDuration.String(),
		"--leader-elect-renew-deadline=" + renewDeadline.String(),
		"--leader-elect-retry-period=" + retryPeriod.String(),
		"--v=4",
	}
	// Both start at once and race for the Lease; either may win.
	procs := map[string]*cmProcess{}
	for _, id := range []string{"cm-a", "cm-b"} {
		procs[id] = startCMProcess(t, bin, id, flags...)
	}
	for _, p := range procs {
		p.waitHealthy(t, 30*time.Second)
	}
	var leader, standby *cmProcess
	eventually(t, 20*time.Second, func() error {
		h := leaseHolder(ctx, c, lease)
		if procs[h] == nil {
			return errorf("lease %s held by %q", lease, h)
		}
		leader = procs[h]
		return nil
	})
	for _, p := range procs {
		if p != leader {
			standby = p
		}
	}
	t.Logf("%s leads, %s stands by", leader.id, standby.id)

	// No nodes and no scheduler: the pods stay pending, so every pod is a creation by a
	// controller. Two acting processes would race to 4.
	rc := &core.ReplicationController{}
	rc.Name, rc.Namespace = "handover", "default"
	rc.Spec.Replicas = ptr(int32(2))
	rc.Spec.Selector = map[string]string{"app": "handover"}
	tpl := template("handover", "nginx")
	rc.Spec.Template = &tpl
	if _, err := client.ReplicationControllers(c).Create(ctx, rc); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, countIs(ctx, c, "default", "app=handover", 2))
	time.Sleep(5 * retryPeriod)
	if err := countIs(ctx, c, "default", "app=handover", 2)(); err != nil {
		t.Fatal(err)
	}
	if h := leaseHolder(ctx, c, lease); h != leader.id {
		t.Fatalf("lease moved to %q while %s was alive", h, leader.id)
	}
	leader.wantActing(t, true)
	standby.wantActing(t, false)

	// SIGKILL: the leader neither releases the Lease nor stops its controllers; the standby
	// must wait for the Lease to expire on its own clock.
	killed := time.Now()
	leader.kill(t)
	sc, err := client.ReplicationControllers(c).GetScale(ctx, "default", "handover")
	if err != nil {
		t.Fatal(err)
	}
	sc.Spec.Replicas = 3
	if _, err := client.ReplicationControllers(c).UpdateScale(ctx, "default", "handover", sc); err != nil {
		t.Fatal(err)
	}
	var tookOver, acted time.Duration
	deadline := killed.Add(leaseDuration + 10*retryPeriod + 10*time.Second)
	for tookOver == 0 || acted == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no hand-over %v after the kill: lease held by %q (took over after %v), pods: %v",
				time.Since(killed), leaseHolder(ctx, c, lease), tookOver, countIs(ctx, c, "default", "app=handover", 3)())
		}
		if tookOver == 0 && leaseHolder(ctx, c, lease) == standby.id {
			tookOver = time.Since(killed)
		}
		if acted == 0 && countIs(ctx, c, "default", "app=handover", 3)() == nil {
			acted = time.Since(killed)
			if tookOver == 0 {
				// Taken and acted on between the two reads: only the holder may have acted.
				if h := leaseHolder(ctx, c, lease); h != standby.id {
					t.Fatalf("third pod %v after the kill while the lease is held by %q", acted, h)
				}
				tookOver = acted
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("hand-over after SIGKILL: %s holds the lease after %v, its third pod exists after %v (lease %v, retry period %v)",
		standby.id, tookOver.Round(time.Millisecond), acted.Round(time.Millisecond), leaseDuration, retryPeriod)

	// The standby counts the lease duration from when it saw the killed leader's last
	// renewal: one of its polls, up to one jittered retry period (2.2 × retryPeriod) after
	// that renewal, which was at most one retry period before the kill. It tries again right
	// as the count ends, and then has to start its informers and sync. A takeover earlier
	// than leaseDuration - renewDeadline after the kill would mean it ignored the lease.
	bound := leaseDuration + jitteredRetry(retryPeriod) + time.Second
	if acted > bound {
		t.Errorf("hand-over took %v (third pod after %v), want at most %v", tookOver, acted, bound)
	}
	if tookOver < leaseDuration-renewDeadline {
		t.Errorf("%s took the lease %v after the kill, before the killed leader's lease could have expired", standby.id, tookOver)
	}
	time.Sleep(5 * retryPeriod)
	if err := countIs(ctx, c, "default", "app=handover", 3)(); err != nil {
		t.Fatal(err)
	}
	standby.wantActing(t, true)
}

// jitteredRetry is the longest wait of a standby between two attempts: the retry period
// plus upstream's jitter factor of 1.2 of it.
func jitteredRetry(retry time.Duration) time.Duration { return retry + retry*12/10 }

func leaseHolder(ctx context.Context, c *client.Client, nsName string) string {
	ns, name, _ := strings.Cut(nsName, "/")
	l, err := client.Leases(c).Get(ctx, ns, name)
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// wantActing checks, from the process's /metrics and log, that it runs its controllers
// (leading) or does not: a standby has no workqueues, no syncs and master status 0.
func (p *cmProcess) wantActing(t *testing.T, leading bool) {
	t.Helper()
	resp, err := http.Get(p.health + "/metrics")
	if err != nil {
		t.Fatalf("%s: metrics: %v", p.id, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: metrics: %v", p.id, err)
	}
	metrics := string(b)
	status, ok := metricValue(metrics, `leader_election_master_status{name="kube-controller-manager"}`)
	syncs, synced := metricValue(metrics, `controller_sync_duration_seconds_count{controller="replicationcontroller"}`)
	queued := strings.Contains(metrics, "workqueue_adds_total{")
	started := strings.Contains(p.log.String(), "started controller")
	switch {
	case !ok:
		t.Errorf("%s: no leader_election_master_status in /metrics", p.id)
	case leading && (status != 1 || !synced || syncs == 0 || !queued || !started):
		t.Errorf("%s leads but master status %v, %v replicationcontroller syncs, workqueues %v, controllers started %v", p.id, status, syncs, queued, started)
	case !leading && (status != 0 || synced || queued || started):
		t.Errorf("%s stands by but master status %v, %v replicationcontroller syncs, workqueues %v, controllers started %v", p.id, status, syncs, queued, started)
	}
}

// metricValue finds the sample of series (name and labels, as Prometheus prints them).
func metricValue(text, series string) (float64, bool) {
	for line := range strings.Lines(text) {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), series+" ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

// kill SIGKILLs the process and reaps it.
func (p *cmProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s (pid %d): %v", p.id, p.cmd.Process.Pid, err)
	}
	<-p.exited
}
