package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
	"seven.dev/kubelet/pkg/container"
)

func bbPod(name string, policy core.RestartPolicy, cs ...core.Container) *core.Pod {
	for i := range cs {
		if cs[i].Image == "" {
			cs[i].Image = "busybox"
		}
		cs[i].ImagePullPolicy = core.PullIfNotPresent
	}
	grace := int64(2)
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default"},
		Spec: core.PodSpec{NodeName: nodeName, RestartPolicy: policy, Containers: cs, TerminationGracePeriodSeconds: &grace}}
}

func running(p *core.Pod) bool {
	if p.Status.Phase != core.PodRunning {
		return false
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running == nil {
			return false
		}
	}
	return len(p.Status.ContainerStatuses) > 0
}

func TestNode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pods := client.Pods(e.c)
	create := func(p *core.Pod) *core.Pod {
		t.Helper()
		got, err := pods.Create(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("TwoContainersEnv", func(t *testing.T) {
		svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "redis-master", Namespace: "default"},
			Spec: core.ServiceSpec{Ports: []core.ServicePort{{Port: 6379, Protocol: core.ProtocolTCP}}}}
		if _, err := client.Services(e.c).Create(ctx, svc); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // let the service informer see it
		p := create(bbPod("two", core.RestartPolicyAlways,
			core.Container{Name: "a", Command: []string{"sh", "-c", "env; exec sleep 3600"},
				Env: []core.EnvVar{{Name: "GET_HOSTS_FROM", Value: "env"}, {Name: "POD", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.name"}}}}},
			core.Container{Name: "b", Command: []string{"sleep", "3600"}}))
		got := e.waitPod(t, "two", 30*time.Second, running)
		for _, c := range got.Status.Conditions {
			if c.Type == core.PodReady && c.Status != core.ConditionTrue {
				t.Fatalf("not ready: %+v", got.Status.Conditions)
			}
		}
		if !strings.HasPrefix(got.Status.ContainerStatuses[0].ContainerID, "containerd://") || got.Status.ContainerStatuses[0].ImageID == "" {
			t.Fatalf("container status: %+v", got.Status.ContainerStatuses[0])
		}
		var log string
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) && !strings.Contains(log, "POD=") {
			log = e.logOf(p, "a", 0)
			time.Sleep(100 * time.Millisecond)
		}
		for _, want := range []string{"GET_HOSTS_FROM=env", "POD=two", "REDIS_MASTER_SERVICE_PORT=6379", "REDIS_MASTER_PORT_6379_TCP_PORT=6379"} {
			if !hasLine(log, want) {
				t.Errorf("env lacks %s:\n%s", want, log)
			}
		}
		if !strings.Contains(log, "REDIS_MASTER_SERVICE_HOST=") {
			t.Errorf("env lacks REDIS_MASTER_SERVICE_HOST:\n%s", log)
		}
	})

	t.Run("CPUCgroup", func(t *testing.T) {
		c := core.Container{Name: "c", Command: []string{"sleep", "3600"}, Resources: core.ResourceRequirements{
			Requests: core.ResourceList{core.ResourceCPU: resource.MustParse("500m")},
			Limits:   core.ResourceList{core.ResourceCPU: resource.MustParse("1")}}}
		p := create(bbPod("cpu", core.RestartPolicyAlways, c))
		e.waitPod(t, "cpu", 30*time.Second, running)
		rs, err := e.rt.PodStatus(ctx, container.PodRef{UID: p.UID})
		if err != nil || rs.Latest("c") == nil {
			t.Fatalf("runtime status: %v", err)
		}
		cg := cgroupOf(t, rs.Latest("c").PID, "cpu")
		if got := readTrim(filepath.Join(cg, "cpu.shares")); got != "512" {
			t.Errorf("cpu.shares = %q, want 512", got)
		}
		if got := readTrim(filepath.Join(cg, "cpu.cfs_quota_us")); got != "100000" {
			t.Errorf("cpu.cfs_quota_us = %q, want 100000", got)
		}
	})

	t.Run("QoSCgroups", func(t *testing.T) {
		sleep := []string{"sleep", "3600"}
		guaranteed := create(bbPod("qos-g", core.RestartPolicyAlways, core.Container{Name: "c", Command: sleep,
			Resources: core.ResourceRequirements{Limits: core.ResourceList{core.ResourceCPU: resource.MustParse("500m"), core.ResourceMemory: resource.MustParse("64Mi")}}}))
		burstable := create(bbPod("qos-b", core.RestartPolicyAlways, core.Container{Name: "c", Command: sleep,
			Resources: core.ResourceRequirements{Requests: core.ResourceList{core.ResourceCPU: resource.MustParse("100m")}}}))
		bestEffort := create(bbPod("qos-be", core.RestartPolicyAlways, core.Container{Name: "c", Command: sleep}))
		podDirs := map[string]string{} // pod name -> its memory cgroup
		for _, tc := range []struct {
			pod           *core.Pod
			qos           core.PodQOSClass
			dir           string // the pod cgroup's parent, by QoS
			shares, quota string
			memory        string
			qosShares     func(string) bool
		}{
			{guaranteed, core.PodQOSGuaranteed, "", "512", "50000", "67108864", nil},
			{burstable, core.PodQOSBurstable, "burstable", "102", "-1", "", func(s string) bool { n, _ := strconv.Atoi(s); return n >= 102 }},
			{bestEffort, core.PodQOSBestEffort, "besteffort", "2", "-1", "", func(s string) bool { return s == "2" }},
		} {
			got := e.waitPod(t, tc.pod.Name, 30*time.Second, running)
			if got.Status.QOSClass != tc.qos {
				t.Errorf("%s: qosClass %q, want %q", tc.pod.Name, got.Status.QOSClass, tc.qos)
			}
			rs, err := e.rt.PodStatus(ctx, container.PodRef{UID: tc.pod.UID})
			if err != nil || rs.Latest("c") == nil {
				t.Fatalf("runtime status of %s: %v", tc.pod.Name, err)
			}
			cpu := filepath.Dir(cgroupOf(t, rs.Latest("c").PID, "cpu"))
			mem := filepath.Dir(cgroupOf(t, rs.Latest("c").PID, "memory"))
			want := filepath.Join("/", tc.dir, "pod"+string(tc.pod.UID))
			if level := filepath.Base(filepath.Dir(cpu)); !strings.HasSuffix(cpu, want) || tc.dir == "" && (level == "burstable" || level == "besteffort") {
				t.Fatalf("%s: container's cpu cgroup under %s, want one ending in %s", tc.pod.Name, cpu, want)
			}
			if got := readTrim(filepath.Join(cpu, "cpu.shares")); got != tc.shares {
				t.Errorf("%s: pod cpu.shares = %q, want %s", tc.pod.Name, got, tc.shares)
			}
			if got := readTrim(filepath.Join(cpu, "cpu.cfs_quota_us")); got != tc.quota {
				t.Errorf("%s: pod cpu.cfs_quota_us = %q, want %s", tc.pod.Name, got, tc.quota)
			}
			if tc.memory != "" {
				if got := readTrim(filepath.Join(mem, "memory.limit_in_bytes")); got != tc.memory {
					t.Errorf("%s: pod memory.limit_in_bytes = %q, want %s", tc.pod.Name, got, tc.memory)
				}
			}
			if tc.qosShares != nil {
				if got := readTrim(filepath.Join(filepath.Dir(cpu), "cpu.shares")); !tc.qosShares(got) {
					t.Errorf("%s: %s cpu.shares = %q", tc.pod.Name, tc.dir, got)
				}
			}
			podDirs[tc.pod.Name] = mem
		}
		zero := int64(0)
		for name, dir := range podDirs {
			if err := pods.Delete(ctx, "default", name, &meta.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
				t.Fatal(err)
			}
			// Grace 0 removes the object at once; the kubelet then stops the pod.
			deadline := time.Now().Add(30 * time.Second)
			for _, err := os.Stat(dir); !os.IsNotExist(err); _, err = os.Stat(dir) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: pod cgroup %s left behind 30s after the delete (%v)", name, dir, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	})

	t.Run("CrashLoopBackOff", func(t *testing.T) {
		create(bbPod("crash", core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sh", "-c", "exit 3"}}))
		seen := map[int32]time.Time{}
		crashloop := false
		e.waitPod(t, "crash", 60*time.Second, func(p *core.Pod) bool {
			if len(p.Status.ContainerStatuses) == 0 {
				return false
			}
			s := p.Status.ContainerStatuses[0]
			if _, ok := seen[s.RestartCount]; !ok {
				seen[s.RestartCount] = time.Now()
			}
			if s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff" {
				crashloop = true
				if s.LastTerminationState.Terminated == nil || s.LastTerminationState.Terminated.ExitCode != 3 {
					t.Errorf("lastState: %+v", s.LastTerminationState)
				}
			}
			return s.RestartCount >= 4
		})
		if !crashloop {
			t.Error("never saw CrashLoopBackOff")
		}
		d2, d3 := seen[3].Sub(seen[2]), seen[4].Sub(seen[3])
		t.Logf("restart gaps: 2->3 %s, 3->4 %s", d2, d3)
		if d3 <= d2 {
			t.Errorf("back-off did not grow: %s then %s", d2, d3)
		}
	})

	t.Run("OOMKilled", func(t *testing.T) {
		create(bbPod("oom", core.RestartPolicyNever, core.Container{Name: "c", Command: []string{"sh", "-c", "tail /dev/zero"},
			Resources: core.ResourceRequirements{Limits: core.ResourceList{core.ResourceMemory: resource.MustParse("32Mi")}}}))
		got := e.waitPod(t, "oom", 60*time.Second, func(p *core.Pod) bool {
			return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Terminated != nil
		})
		if r := got.Status.ContainerStatuses[0].State.Terminated.Reason; r != "OOMKilled" {
			t.Errorf("reason %q, want OOMKilled", r)
		}
		if got.Status.Phase != core.PodFailed {
			t.Errorf("phase %s, want Failed", got.Status.Phase)
		}
	})

	t.Run("GracefulDelete", func(t *testing.T) {
		p := create(bbPod("graceful", core.RestartPolicyAlways, core.Container{Name: "c",
			Command: []string{"sh", "-c", `trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.2; done`}}))
		e.waitPod(t, "graceful", 30*time.Second, running)
		grace := int64(20)
		if err := pods.Delete(ctx, "default", "graceful", &meta.DeleteOptions{GracePeriodSeconds: &grace}); err != nil {
			t.Fatal(err)
		}
		e.waitDeleted(t, "graceful", 15*time.Second) // well within the grace: it handles SIGTERM
		_ = p
		rs, _ := e.rt.PodStatus(ctx, container.PodRef{UID: p.UID})
		if rs.Sandbox != nil || len(rs.Containers) != 0 {
			t.Errorf("runtime still has the pod: %+v", rs)
		}
	})

	t.Run("KubeletRestartAdopts", func(t *testing.T) {
		p := e.waitPod(t, "two", 10*time.Second, running)
		rs, _ := e.rt.PodStatus(ctx, container.PodRef{UID: p.UID})
		pid := rs.Latest("a").PID
		e.stop()
		time.Sleep(time.Second)
		e.start()
		time.Sleep(3 * time.Second)
		got := e.waitPod(t, "two", 10*time.Second, running)
		rs, _ = e.rt.PodStatus(ctx, container.PodRef{UID: p.UID})
		if rs.Latest("a").PID != pid || got.Status.ContainerStatuses[0].RestartCount != 0 {
			t.Errorf("container restarted: pid %d -> %d, restarts %d", pid, rs.Latest("a").PID, got.Status.ContainerStatuses[0].RestartCount)
		}
	})

	t.Run("MissingImage", func(t *testing.T) {
		create(bbPod("missing", core.RestartPolicyAlways, core.Container{Name: "c", Image: "127.0.0.1:1/nope/missing:v1"}))
		e.waitPod(t, "missing", 30*time.Second, func(p *core.Pod) bool {
			return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Waiting != nil &&
				p.Status.ContainerStatuses[0].State.Waiting.Reason == "ImagePullBackOff"
		})
		deadline := time.Now().Add(10 * time.Second)
		for {
			evs, err := client.Events(e.c).List(ctx, "default", client.ListOptions{})
			found := false
			for _, ev := range evs.Items {
				found = found || err == nil && ev.InvolvedObject.Name == "missing" && ev.Reason == "Failed" && strings.Contains(ev.Message, "Failed to pull image")
			}
			if found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no Failed event for the pull")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	// Leave nothing behind: delete every pod and wait for the kubelet to remove them.
	zero := int64(0)
	l, _ := pods.List(ctx, "default", client.ListOptions{})
	for _, p := range l.Items {
		_ = pods.Delete(ctx, "default", p.Name, &meta.DeleteOptions{GracePeriodSeconds: &zero})
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		all, _ := e.rt.ListPods(ctx)
		if len(all) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func cgroupOf(t *testing.T, pid int, ctrl string) string {
	data, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "cgroup"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) == 3 {
			for _, c := range strings.Split(parts[1], ",") {
				if c == ctrl {
					return filepath.Join("/sys/fs/cgroup", parts[1], parts[2])
				}
			}
		}
	}
	t.Fatalf("no %s cgroup for pid %d", ctrl, pid)
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func readTrim(p string) string {
	b, _ := os.ReadFile(p)
	return strings.TrimSpace(string(b))
}
