package node_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

// TestPodFeatures: probes, volumes, and logs and exec through the API server.
func TestPodFeatures(t *testing.T) {
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

	t.Run("LivenessRestarts", func(t *testing.T) {
		// /healthz answers for 3 s, then 404s: the liveness probe fails and the
		// container is restarted.
		// (The directory is made before httpd starts: "a && b && (c) & exec httpd" would put
		// the whole list in the background, racing httpd's chdir into /www.)
		script := "mkdir -p /www && echo ok > /www/healthz && { (sleep 3; rm /www/healthz) & } && exec httpd -f -p 8080 -h /www"
		p := create(bbPod("live", core.RestartPolicyAlways, core.Container{Name: "web", Command: []string{"sh", "-c", script},
			LivenessProbe: &core.Probe{ProbeHandler: core.ProbeHandler{HTTPGet: &core.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
				InitialDelaySeconds: 1, PeriodSeconds: 1, FailureThreshold: 2}}))
		e.waitPod(t, "live", 60*time.Second, func(p *core.Pod) bool {
			return len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].RestartCount >= 1
		})
		var unhealthy, killing []string
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && (len(unhealthy) == 0 || len(killing) == 0); time.Sleep(200 * time.Millisecond) {
			unhealthy, killing = e.events(t, p, "Unhealthy"), e.events(t, p, "Killing")
		}
		t.Logf("Unhealthy: %q; Killing: %q", unhealthy, killing)
		if !strings.Contains(strings.Join(unhealthy, "\n"), "Liveness probe failed: HTTP probe failed with statuscode: 404") {
			t.Errorf("Unhealthy events: %q", unhealthy)
		}
		if len(killing) == 0 || !strings.Contains(killing[0], "Container web failed liveness probe, will be restarted") {
			t.Errorf("Killing events: %q", killing)
		}
	})

	t.Run("ReadinessFlips", func(t *testing.T) {
		p := create(bbPod("ready", core.RestartPolicyAlways, core.Container{Name: "c", Command: []string{"sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"},
			ReadinessProbe: &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"cat", "/tmp/ready"}}}, PeriodSeconds: 1}}))
		got := e.waitPod(t, "ready", 30*time.Second, running)
		if podReady(got) {
			t.Error("ready before the probe passed")
		}
		e.waitPod(t, "ready", 30*time.Second, podReady)
		e.execIn(t, p, "c", "rm", "/tmp/ready")
		e.waitPod(t, "ready", 30*time.Second, func(p *core.Pod) bool { return !podReady(p) && running(p) })
	})

	t.Run("Volumes", func(t *testing.T) {
		cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "cfg", Namespace: "default"}, Data: map[string]string{"k": "v1", "other": "x"}}
		if _, err := client.ConfigMaps(e.c).Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		sec := &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "sec", Namespace: "default"}, Data: map[string][]byte{"password": []byte("s3cret")}}
		if _, err := client.Secrets(e.c).Create(ctx, sec); err != nil {
			t.Fatal(err)
		}
		p := bbPod("vols", core.RestartPolicyAlways,
			core.Container{Name: "writer", Command: []string{"sh", "-c", "echo shared-data > /shared/msg; exec sleep 3600"},
				VolumeMounts: []core.VolumeMount{{Name: "shared", MountPath: "/shared"}, {Name: "mem", MountPath: "/mem"}}},
			core.Container{Name: "reader", Command: []string{"sh", "-c", "until cat /data/msg; do sleep 0.2; done; exec sleep 3600"},
				VolumeMounts: []core.VolumeMount{{Name: "shared", MountPath: "/data", ReadOnly: true}, {Name: "cfg", MountPath: "/cfg"},
					{Name: "cfg", MountPath: "/etc/k.conf", SubPath: "k"}, {Name: "sec", MountPath: "/sec"}, {Name: "info", MountPath: "/info"}}})
		p.Labels = map[string]string{"app": "vols"}
		p.Spec.Volumes = []core.Volume{
			{Name: "shared", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}},
			{Name: "mem", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{Medium: core.StorageMediumMemory}}},
			{Name: "cfg", VolumeSource: core.VolumeSource{ConfigMap: &core.ConfigMapVolumeSource{LocalObjectReference: core.LocalObjectReference{Name: "cfg"}}}},
			{Name: "sec", VolumeSource: core.VolumeSource{Secret: &core.SecretVolumeSource{SecretName: "sec"}}},
			{Name: "info", VolumeSource: core.VolumeSource{DownwardAPI: &core.DownwardAPIVolumeSource{Items: []core.DownwardAPIVolumeFile{
				{Path: "labels", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}}}}},
		}
		p = create(p)
		e.waitPod(t, "vols", 30*time.Second, running)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && !strings.Contains(e.logOf(p, "reader", 0), "shared-data") {
			time.Sleep(100 * time.Millisecond)
		}
		if log := e.logOf(p, "reader", 0); !strings.Contains(log, "shared-data") {
			t.Errorf("reader did not see the writer's file: %q", log)
		}
		if _, code := e.execIn(t, p, "reader", "touch", "/data/x"); code == 0 {
			t.Error("readOnly mount is writable")
		}
		if out, _ := e.execIn(t, p, "writer", "cat", "/proc/mounts"); !strings.Contains(out, "tmpfs /mem tmpfs") {
			t.Errorf("medium Memory is not tmpfs:\n%s", out)
		}
		for file, want := range map[string]string{"/cfg/k": "v1", "/etc/k.conf": "v1", "/sec/password": "s3cret", "/info/labels": "vols"} {
			if out, _ := e.execIn(t, p, "reader", "cat", file); out != want {
				t.Errorf("%s = %q, want %q", file, out, want)
			}
		}
		t0 := time.Now()
		cur, _ := client.ConfigMaps(e.c).Get(ctx, "default", "cfg")
		cur.Data["k"] = "v2"
		if _, err := client.ConfigMaps(e.c).Update(ctx, cur); err != nil {
			t.Fatal(err)
		}
		for {
			if out, _ := e.execIn(t, p, "reader", "cat", "/cfg/k"); out == "v2" {
				break
			}
			if time.Since(t0) > time.Minute {
				t.Fatal("configMap change not seen within a minute")
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Logf("configMap change seen after %s", time.Since(t0).Round(10*time.Millisecond))
	})

	t.Run("LogsAndExec", func(t *testing.T) {
		create(bbPod("talk", core.RestartPolicyAlways, core.Container{Name: "c",
			Command: []string{"sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo line $i; sleep 0.5; done; exec sleep 3600"}}))
		e.waitPod(t, "talk", 30*time.Second, running)
		// Our client, through the API server: follow until line 8.
		fctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		rc, err := e.c.PodLogs(fctx, "default", "talk", client.LogOptions{Follow: true})
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(rc)
		var got []string
		for sc.Scan() {
			got = append(got, sc.Text())
			if sc.Text() == "line 8" {
				break
			}
		}
		rc.Close()
		if len(got) != 8 || got[0] != "line 1" {
			t.Fatalf("followed log: %q", got)
		}
		tail := int64(2)
		rc, err = e.c.PodLogs(ctx, "default", "talk", client.LogOptions{TailLines: &tail, Timestamps: true})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if ls := lines(string(data)); len(ls) != 2 || !strings.HasSuffix(ls[1], " line 8") || !strings.Contains(ls[0], "T") {
			t.Fatalf("tail 2 with timestamps: %q", data)
		}

		kc := e.kubeconfig(t)
		// Upstream kubectl logs -f: it follows until killed, so read the lines it prints.
		if _, err := exec.LookPath("/usr/bin/kubectl"); err != nil {
			t.Skip("needs /usr/bin/kubectl")
		}
		kctx, kcancel := context.WithTimeout(ctx, 20*time.Second)
		defer kcancel()
		cmd := exec.CommandContext(kctx, "/usr/bin/kubectl", "--kubeconfig", kc, "logs", "-f", "talk")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ksc := bufio.NewScanner(stdout)
		var kgot []string
		for len(kgot) < 8 && ksc.Scan() {
			kgot = append(kgot, ksc.Text())
		}
		kcancel()
		_ = cmd.Wait()
		if len(kgot) != 8 || kgot[7] != "line 8" {
			t.Fatalf("kubectl logs -f: %q", kgot)
		}
		out, err := kubectl(t, kc, 30*time.Second, "exec", "talk", "--", "cat", "/etc/hostname")
		if err != nil || strings.TrimSpace(out) != "talk" {
			t.Fatalf("kubectl exec: %v: %q", err, out)
		}
		out, err = kubectl(t, kc, 30*time.Second, "exec", "talk", "--", "sh", "-c", "exit 7")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 7 {
			t.Fatalf("kubectl exec exit 7: %v: %q", err, out)
		}
		out, err = kubectlStdin(t, kc, "hello stdin\n", "exec", "-i", "talk", "--", "cat")
		if err != nil || out != "hello stdin\n" {
			t.Fatalf("kubectl exec -i cat: %v: %q", err, out)
		}
	})
}

func kubectlStdin(t *testing.T, kc, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/kubectl", append([]string{"--kubeconfig", kc}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
