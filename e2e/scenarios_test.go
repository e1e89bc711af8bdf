package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/e2e/cluster"
)

// The seeds' scenarios on the shared 3-node cluster (docs/local-cluster.md): each in a
// namespace of its own, through our kubectl and, where it matters, the upstream one.

// Scenario 1: every node is listed Ready, by both kubectls.
func TestNodesReady(t *testing.T) {
	s := newScenario(t, "nodes")
	for _, k := range []*kubectl{s.k, s.up} {
		if k == nil {
			continue
		}
		eventually(t, k.bin+" get nodes", 60*time.Second, func() error {
			out, err := k.run("get", "nodes")
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			for _, n := range s.c.Nodes {
				if !hasRow(out, n.Name, "Ready") {
					return fmt.Errorf("%s not Ready:\n%s", n.Name, out)
				}
			}
			return nil
		})
	}
}

// hasRow reports whether a table has a row whose first column is name and whose columns
// include col.
func hasRow(table, name, col string) bool {
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == name {
			for _, c := range f[1:] {
				if c == col {
					return true
				}
			}
		}
	}
	return false
}

// Scenario 2: the seeds' guestbook, created from examples/guestbook as written.
func TestGuestbook(t *testing.T) {
	s := newScenario(t, "guestbook")
	out := s.k.must("create", "-f", repoPath("examples", "guestbook"), "-n", s.ns)
	contains(t, "create -f examples/guestbook", out, `replicationcontroller/frontend created`, `service/frontend created`,
		`replicationcontroller/redis-master created`, `replicationcontroller/redis-slave created`)

	master := s.waitReady("name=redis-master", 1, 3*time.Minute)
	slaves := s.waitReady("name=redis-slave", 2, 3*time.Minute)
	frontends := s.waitReady("name=frontend", 3, 3*time.Minute)
	all := append(append(append([]*core.Pod(nil), master...), slaves...), frontends...)
	if got := nodesOf(all); len(got) != len(s.c.Nodes) {
		t.Errorf("the guestbook's 6 pods run on %v, want them spread over all %d nodes", got, len(s.c.Nodes))
	}
	if got := nodesOf(frontends); len(got) < 2 {
		t.Errorf("the 3 frontends all run on %v", got)
	}

	// The frontend found redis through the service variables.
	svcs := map[string]string{}
	for _, name := range []string{"redis-master", "redis-slave"} {
		svc, err := client.Services(s.api).Get(context.Background(), s.ns, name)
		if err != nil {
			t.Fatal(err)
		}
		svcs[name] = svc.Spec.ClusterIP
	}
	k := s.execKubectl()
	env, err := s.exec(k, frontends[0].Name, "", "env")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "frontend env", env, "REDIS_MASTER_SERVICE_HOST="+svcs["redis-master"], "REDIS_MASTER_SERVICE_PORT=6379",
		"REDIS_SLAVE_SERVICE_HOST="+svcs["redis-slave"], "GET_HOSTS_FROM=env")

	// Write through node 1's NodePort, read back through node 2's and from inside node 3.
	value := fmt.Sprintf("hello-from-e2e-%d", time.Now().UnixNano())
	n1, n2, n3 := s.c.Nodes[0], s.c.Nodes[1], s.c.Nodes[2]
	set := fmt.Sprintf("http://%s:30001/guestbook.php?cmd=set&key=messages&value=%s", n1.IP, url.QueryEscape(value))
	eventually(t, "set through "+n1.Name+":30001", 30*time.Second, func() error {
		out, err := curl(nil, set)
		if err != nil || !strings.Contains(out, `{"message": "Updated"}`) {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	for _, from := range []struct {
		node *cluster.Node
		url  string
	}{
		{nil, fmt.Sprintf("http://%s:30001/guestbook.php?cmd=get&key=messages", n2.IP)},
		{&n3, "http://localhost:30001/guestbook.php?cmd=get&key=messages"},
	} {
		// A slave that started before its node's kube-proxy had the master's ClusterIP rule
		// sent an untranslated SYN whose conntrack entry keeps its retries untranslated;
		// redis reconnects on a new port after its 60 s replication timeout (see #10).
		eventually(t, "get "+from.url, 120*time.Second, func() error {
			out, err := curl(from.node, from.url)
			if err != nil || !strings.Contains(out, `{"data": "`+value+`"}`) {
				return fmt.Errorf("%v: %q", err, out)
			}
			return nil
		})
	}
	page, err := curl(nil, "http://"+n2.IP+":30001/")
	if err != nil || !strings.Contains(page, "Guestbook") {
		t.Errorf("the page through %s:30001: %v %q", n2.Name, err, page)
	}

	// The slaves replicate from the master.
	for _, p := range slaves {
		eventually(t, p.Name+" replicates", 90*time.Second, func() error {
			info, err := s.exec(k, p.Name, "", "redis-cli", "info", "replication")
			if err != nil {
				return err
			}
			if !strings.Contains(info, "role:slave") || !strings.Contains(info, "master_link_status:up") ||
				!strings.Contains(info, "master_host:"+svcs["redis-master"]) {
				return fmt.Errorf("replication info:\n%s", info)
			}
			got, err := s.exec(k, p.Name, "", "redis-cli", "get", "messages")
			if err != nil || strings.TrimSpace(got) != value {
				return fmt.Errorf("get messages on %s: %q %v", p.Name, got, err)
			}
			return nil
		})
	}
}

// Scenario 3: pods reach each other across nodes over the flannel vxlan, nodes reach pods on
// other nodes, and a ClusterIP spreads its connections over all 3 endpoints.
func TestPodNetworkAcrossNodes(t *testing.T) {
	s := newScenario(t, "net")
	s.k.must("create", "-f", "testdata/scenarios/web.yaml", "-n", s.ns)
	pods := s.waitReady("app=web", 3, 2*time.Minute)
	a, b := pods[0], (*core.Pod)(nil)
	for _, p := range pods[1:] {
		if p.Spec.NodeName != a.Spec.NodeName {
			b = p
			break
		}
	}
	if b == nil {
		t.Fatalf("all 3 web pods on %s", a.Spec.NodeName)
	}
	k := s.execKubectl()
	eventually(t, a.Name+" -> "+b.Name+" across nodes", 30*time.Second, func() error {
		out, err := s.podGet(k, a.Name, b.Status.PodIP, 8080, "/hostname")
		if err != nil || strings.TrimSpace(out) != b.Name {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	na := s.node(a.Spec.NodeName)
	eventually(t, na.Name+" -> "+b.Name, 30*time.Second, func() error {
		out, err := curl(&na, "http://"+b.Status.PodIP+":8080/hostname")
		if err != nil || strings.TrimSpace(out) != b.Name {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})

	svc, err := client.Services(s.api).Get(context.Background(), s.ns, "web")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, p := range pods {
		want[p.Name] = true
	}
	seen := map[string]int{}
	var errs []string
	for i := 0; i < 90 && len(seen) < len(want); i++ {
		out, err := curl(&na, "http://"+svc.Spec.ClusterIP+"/hostname")
		if err != nil {
			errs = append(errs, err.Error()+": "+out)
			continue
		}
		seen[strings.TrimSpace(out)]++
	}
	for name := range seen {
		if !want[name] {
			t.Errorf("the ClusterIP answered %q, not a web pod", name)
		}
	}
	if len(seen) != len(want) || len(errs) > 0 {
		t.Errorf("ClusterIP %s: answers %v (want all of %v), failures %v", svc.Spec.ClusterIP, seen, want, errs)
	}
	// And from inside a pod.
	out, err := s.podGet(k, b.Name, svc.Spec.ClusterIP, 80, "/hostname")
	if err != nil || !want[strings.TrimSpace(out)] {
		t.Errorf("pod %s -> ClusterIP: %v %q", b.Name, err, out)
	}
}

// Scenario 4: a killed container restarts, a deleted pod of an RC is replaced, and the
// Service keeps answering.
func TestSelfHealing(t *testing.T) {
	s := newScenario(t, "heal")
	s.k.must("create", "-f", "testdata/scenarios/web.yaml", "-n", s.ns)
	pods := s.waitReady("app=web", 3, 2*time.Minute)

	victim := pods[0]
	id := strings.TrimPrefix(victim.Status.ContainerStatuses[0].ContainerID, "containerd://")
	cns := s.c.Config.Prefix + "-" + victim.Spec.NodeName // the kubelet's containerd namespace
	if out, err := exec.Command("ctr", "--address", s.c.Config.ContainerdSocket(), "-n", cns,
		"task", "kill", "-s", "SIGKILL", id).CombinedOutput(); err != nil {
		t.Fatalf("kill container %s of %s: %v %s", id, victim.Name, err, out)
	}
	eventually(t, victim.Name+" restarts its container", 60*time.Second, func() error {
		p, err := client.Pods(s.api).Get(context.Background(), s.ns, victim.Name)
		if err != nil {
			return err
		}
		if cs := p.Status.ContainerStatuses; len(cs) != 1 || cs[0].RestartCount < 1 || !podReady(p) {
			return fmt.Errorf("status %+v", p.Status.ContainerStatuses)
		}
		return nil
	})

	gone := pods[1].Name
	s.k.must("delete", "pod", gone, "-n", s.ns)
	now := s.waitReady("app=web", 3, 90*time.Second)
	for _, p := range now {
		if p.Name == gone {
			t.Errorf("%s still listed", gone)
		}
	}
	svc, err := client.Services(s.api).Get(context.Background(), s.ns, "web")
	if err != nil {
		t.Fatal(err)
	}
	n := s.c.Nodes[0]
	eventually(t, "the Service answers", 30*time.Second, func() error {
		out, err := curl(&n, "http://"+svc.Spec.ClusterIP+"/hostname")
		if err != nil || !strings.HasPrefix(out, "web-") {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
}

// Scenario 6: kubectl scale 3 -> 10 -> 2; nodeSelector after kubectl label nodes; the seeds'
// resources.limits as cgroup values on the node.
func TestScaleAndPlacement(t *testing.T) {
	s := newScenario(t, "scale")
	s.k.must("create", "-f", "testdata/scenarios/web.yaml", "-n", s.ns)
	s.waitReady("app=web", 3, 2*time.Minute)
	s.k.must("scale", "rc", "web", "--replicas=10", "-n", s.ns)
	ten := s.waitReady("app=web", 10, 3*time.Minute)
	if got := nodesOf(ten); len(got) != len(s.c.Nodes) {
		t.Errorf("10 replicas on %v only", got)
	}
	scaler := s.k
	if s.up != nil {
		scaler = s.up
	}
	scaler.must("scale", "rc", "web", "--replicas=2", "-n", s.ns)
	s.waitReady("app=web", 2, 2*time.Minute)

	target := s.c.Nodes[1].Name
	s.k.must("label", "nodes", target, "zone=test")
	t.Cleanup(func() { _, _ = s.k.run("label", "nodes", target, "zone-") })
	s.k.must("create", "-f", "testdata/scenarios/zoned.yaml", "-n", s.ns)
	zoned := s.waitReady("app=zoned", 3, 2*time.Minute)
	if got := nodesOf(zoned); len(got) != 1 || got[0] != target {
		t.Errorf("zone=test pods on %v, want only %s", got, target)
	}

	// cpu: 0.5 and memory: 128Mi; requests default to the limits. Read on the node, in the
	// cgroups of the container's process.
	p := zoned[0]
	pid := s.containerPID(p)
	for file, want := range map[string]string{
		"cpu/cpu.cfs_quota_us":         "50000",
		"cpu/cpu.cfs_period_us":        "100000",
		"cpu/cpu.shares":               "512",
		"memory/memory.limit_in_bytes": "134217728",
	} {
		ctrl, name, _ := strings.Cut(file, "/")
		path := filepath.Join(cgroupDir(t, pid, ctrl), name)
		if got, err := os.ReadFile(path); err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("%s of %s: %q %v, want %s", path, p.Name, got, err, want)
		}
	}
}

// Scenario 7: logs, exec and describe's events, through both kubectls.
func TestLogsExecDescribe(t *testing.T) {
	s := newScenario(t, "inspect")
	s.k.must("create", "-f", "testdata/scenarios/talker.yaml", "-n", s.ns)
	s.waitReady("", 1, 2*time.Minute)
	for _, k := range []*kubectl{s.k, s.up} {
		if k == nil {
			continue
		}
		eventually(t, k.bin+" logs", 20*time.Second, func() error {
			out, err := k.run("logs", "talker", "-n", s.ns)
			if err != nil || out != "line-1\nline-2\nline-3\n" {
				return fmt.Errorf("%v: %q", err, out)
			}
			return nil
		})
		out := k.must("describe", "pod", "talker", "-n", s.ns)
		contains(t, k.bin+" describe pod", out, "Events:", "Scheduled", "default-scheduler", "Pulled", "Created", "Started")
		if !regexp.MustCompile(`(?m)^Status:\s+Running$`).MatchString(out) || !regexp.MustCompile(`(?m)^Node:\s+node-\d/10\.250\.`).MatchString(out) {
			t.Errorf("%s describe pod: no Status Running or Node line:\n%s", k.bin, out)
		}
	}
	for _, k := range []*kubectl{s.k, s.up} {
		if k == nil {
			continue
		}
		out, err := s.exec(k, "talker", "", "echo", "hi")
		if err != nil || out != "hi\n" {
			t.Errorf("%s exec echo hi: %q %v", k.bin, out, err)
		}
		_, err = s.exec(k, "talker", "", "sh", "-c", "exit 3")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Errorf("%s exec exit 3: %v", k.bin, err)
		}
	}
}

// prober hits url (a NodePort) from the root namespace every 20 ms on fresh connections
// until stopped, counting failures and the names that answered.
type prober struct {
	stop   chan struct{}
	done   chan struct{}
	ok     int
	failed []string
	names  map[string]int
}

func probe(url string) *prober {
	p := &prober{stop: make(chan struct{}), done: make(chan struct{}), names: map[string]int{}}
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			resp, err := c.Get(url)
			if err != nil {
				p.failed = append(p.failed, time.Now().Format("15:04:05.000")+" "+err.Error())
				continue
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				p.failed = append(p.failed, fmt.Sprintf("%s %d %v", time.Now().Format("15:04:05.000"), resp.StatusCode, err))
				continue
			}
			p.ok++
			p.names[strings.TrimSpace(string(body))]++
		}
	}()
	return p
}

// end stops the prober and returns it, its counts final.
func (p *prober) end() *prober {
	close(p.stop)
	<-p.done
	return p
}

// Scenario 5: rolling updates with a client on the NodePort the whole time: kubectl
// rolling-update of an RC, then a Deployment's set image and rollout undo. Not one request
// may fail.
func TestRollingUpdateZeroDowntime(t *testing.T) {
	s := newScenario(t, "rollout")
	s.k.must("create", "-f", "testdata/scenarios/rollout.yaml", "-n", s.ns)
	before := s.waitReady("app=roll", 3, 2*time.Minute)
	s.waitReady("app=rolld", 3, 2*time.Minute)
	n1 := s.c.Nodes[0]

	t.Run("rolling-update", func(t *testing.T) {
		eventually(t, "NodePort 30080 answers", 30*time.Second, func() error {
			_, err := curl(nil, "http://"+n1.IP+":30080/hostname")
			return err
		})
		p := probe("http://" + n1.IP + ":30080/hostname")
		out, err := s.k.run("rolling-update", "roll", "--image=seven/testserver:v2", "--update-period=2s", "--poll-interval=500ms", "-n", s.ns)
		time.Sleep(4 * time.Second) // the last old pods drain
		p.end()
		if err != nil {
			t.Fatalf("rolling-update: %v\n%s", err, out)
		}
		contains(t, "rolling-update", out, "Created roll-", "Scaling up", "Update succeeded. Deleting old controller: roll",
			"Renaming roll-", `replicationcontroller/roll rolling updated`)
		after := s.waitReady("app=roll", 3, time.Minute)
		old := map[string]bool{}
		for _, p := range before {
			old[p.Name] = true
		}
		for _, p := range after {
			if old[p.Name] || p.Spec.Containers[0].Image != "seven/testserver:v2" {
				t.Errorf("after the update: %s runs %s", p.Name, p.Spec.Containers[0].Image)
			}
		}
		t.Logf("during rolling-update: %d requests answered by %d pods, %d failed", p.ok, len(p.names), len(p.failed))
		if len(p.failed) > 0 || p.ok == 0 {
			t.Errorf("failed requests during the rolling update (%d ok): %v", p.ok, p.failed)
		}
	})

	t.Run("deployment", func(t *testing.T) {
		url := "http://" + n1.IP + ":30081/hostname"
		eventually(t, "NodePort 30081 answers", 30*time.Second, func() error { _, err := curl(nil, url); return err })
		p := probe(url)
		for _, step := range [][]string{
			{"apply", "-f", "testdata/scenarios/rolld-v2.yaml"},
			{"rollout", "status", "deployment/rolld", "--timeout=3m"},
			{"rollout", "undo", "deployment/rolld"},
			{"rollout", "status", "deployment/rolld", "--timeout=3m"},
		} {
			if out, err := s.k.run(append(step, "-n", s.ns)...); err != nil {
				p.end()
				t.Fatalf("kubectl %s: %v\n%s", strings.Join(step, " "), err, out)
			}
		}
		time.Sleep(4 * time.Second)
		p.end()
		back := s.waitReady("app=rolld", 3, time.Minute)
		for _, pod := range back {
			if img := pod.Spec.Containers[0].Image; img != "seven/testserver:latest" {
				t.Errorf("after undo: %s runs %s", pod.Name, img)
			}
		}
		t.Logf("during apply + undo: %d requests answered by %d pods, %d failed", p.ok, len(p.names), len(p.failed))
		if len(p.failed) > 0 || p.ok == 0 {
			t.Errorf("failed requests during the rollout (%d ok): %v", p.ok, p.failed)
		}
	})
}

// Scenario 4, continued: a whole node dies (its daemons, containers and namespace); after
// node-monitor-grace-period and pod-eviction-timeout (shortened on the shared cluster) its
// pods run on the other nodes and the Service answers. The node comes back afterwards.
func TestNodeFailure(t *testing.T) {
	s := newScenario(t, "failover")
	s.k.must("create", "-f", "testdata/scenarios/web.yaml", "-n", s.ns)
	pods := s.waitReady("app=web", 3, 2*time.Minute)
	victim := pods[0].Spec.NodeName
	var survivor cluster.Node
	for _, n := range s.c.Nodes {
		if n.Name != victim {
			survivor = n
			break
		}
	}
	svc, err := client.Services(s.api).Get(context.Background(), s.ns, "web")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Cleanup(func() {
		if err := s.c.StartNode(ctx, victim); err != nil {
			t.Errorf("start %s again: %v", victim, err)
		}
		eventually(t, victim+" Ready again", 90*time.Second, func() error { return nodeReady(s.api, victim, true) })
	})
	start := time.Now()
	if err := s.c.KillNode(ctx, victim); err != nil {
		t.Fatalf("kill %s: %v", victim, err)
	}
	eventually(t, victim+" not Ready", 60*time.Second, func() error { return nodeReady(s.api, victim, false) })
	t.Logf("%s not Ready after %s", victim, time.Since(start).Round(time.Second))
	eventually(t, "3 web pods Ready on the other nodes", 2*time.Minute, func() error {
		ready := 0
		for _, p := range s.pods("app=web") {
			if p.Spec.NodeName != victim && podReady(p) {
				ready++
			}
		}
		if ready != 3 {
			return fmt.Errorf("%d ready", ready)
		}
		return nil
	})
	back := time.Since(start)
	t.Logf("3 web pods Ready elsewhere %s after %s died", back.Round(time.Second), victim)
	// node-monitor-grace-period 12 s + pod-eviction-timeout 10 s (the shared cluster's
	// flags), then the replacements start: 30 s of slack for that on a busy machine.
	if limit := 12*time.Second + 10*time.Second + 30*time.Second; back > limit {
		t.Errorf("pods back after %s, more than grace period + eviction timeout + 30 s (%s)", back.Round(time.Second), limit)
	}
	eventually(t, "the Service answers from "+survivor.Name, 30*time.Second, func() error {
		for range 20 {
			out, err := curl(&survivor, "http://"+svc.Spec.ClusterIP+"/hostname")
			if err != nil || !strings.HasPrefix(out, "web-") {
				return fmt.Errorf("%v: %q", err, out)
			}
		}
		return nil
	})
}

// nodeReady returns nil when node's Ready condition is True (want) or not True (!want).
func nodeReady(api *client.Client, name string, want bool) error {
	n, err := client.Nodes(api).Get(context.Background(), "", name)
	if err != nil {
		return err
	}
	for _, c := range n.Status.Conditions {
		if c.Type == core.NodeReady {
			if (c.Status == core.ConditionTrue) == want {
				return nil
			}
			return fmt.Errorf("%s Ready=%s (%s)", name, c.Status, c.Reason)
		}
	}
	return fmt.Errorf("%s has no Ready condition", name)
}

// Scenario 8: each control-plane daemon restarts (killed, and the API server with its
// embedded etcd also stopped cleanly) under a steady stream of writes; afterwards every
// acknowledged object is there, every pod still runs (same pods, no restarts), and the
// controllers and scheduler act again.
func TestControlPlaneRestarts(t *testing.T) {
	s := newScenario(t, "restarts")
	s.k.must("create", "-f", "testdata/scenarios/web.yaml", "-n", s.ns)
	before := s.waitReady("app=web", 3, 2*time.Minute)

	// The load: ConfigMaps created one after another; those acknowledged must survive.
	stop := make(chan struct{})
	done := make(chan []string)
	go func() {
		var acked []string
		cms := client.ConfigMaps(s.api)
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- acked
				return
			case <-time.After(20 * time.Millisecond):
			}
			name := fmt.Sprintf("load-%d", i)
			if _, err := cms.Create(context.Background(), &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: s.ns},
				Data: map[string]string{"i": name}}); err == nil {
				acked = append(acked, name)
			}
		}
	}()
	for _, step := range []struct {
		daemon string
		kill   bool
	}{{"kube-scheduler", true}, {"kube-controller-manager", true}, {"kube-apiserver", false}, {"kube-apiserver", true}} {
		time.Sleep(2 * time.Second)
		if err := s.c.Restart(step.daemon, "", step.kill); err != nil {
			close(stop)
			t.Fatalf("restart %s: %v", step.daemon, err)
		}
		if step.daemon == "kube-apiserver" {
			eventually(t, "the API server back", 60*time.Second, func() error {
				_, err := curl(nil, s.c.APIURL+"/readyz")
				return err
			})
		}
	}
	time.Sleep(2 * time.Second)
	close(stop)
	acked := <-done
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	l, err := client.ConfigMaps(s.api).List(context.Background(), s.ns, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, cm := range l.Items {
		have[cm.Name] = cm.Data["i"] == cm.Name
	}
	var lost []string
	for _, n := range acked {
		if !have[n] {
			lost = append(lost, n)
		}
	}
	t.Logf("%d writes acknowledged across the restarts", len(acked))
	if len(lost) > 0 {
		t.Errorf("%d acknowledged ConfigMaps lost: %v", len(lost), lost)
	}

	after := s.waitReady("app=web", 3, time.Minute)
	for i, p := range after {
		if p.UID != before[i].UID || p.Status.ContainerStatuses[0].RestartCount != 0 {
			t.Errorf("pod %s (uid %s, restarts %d) is not the one that ran before (%s %s)", p.Name, p.UID,
				p.Status.ContainerStatuses[0].RestartCount, before[i].Name, before[i].UID)
		}
	}
	// The restarted controller manager and scheduler act.
	s.k.must("scale", "rc", "web", "--replicas=4", "-n", s.ns)
	s.waitReady("app=web", 4, 2*time.Minute)
}
