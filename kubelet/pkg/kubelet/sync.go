package kubelet

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/network"
)

func podRef(p *core.Pod) container.PodRef {
	return container.PodRef{UID: p.UID, Namespace: p.Namespace, Name: p.Name}
}

func podDesc(p *core.Pod) string { return fmt.Sprintf("%s_%s(%s)", p.Name, p.Namespace, p.UID) }

// syncPod drives one pod one step towards its spec and reports its status. It returns
// when to sync again (0: only on news) and whether the worker is done.
func (k *Kubelet) syncPod(ctx context.Context, w *worker, pod *core.Pod, removed bool) (time.Duration, bool) {
	ref := podRef(pod)
	rs, err := k.rt.PodStatus(ctx, ref)
	if err != nil {
		k.log.Warn("pod status", "pod", podDesc(pod), "err", err)
		return time.Second, false
	}
	if removed || pod.DeletionTimestamp != nil {
		return k.terminate(ctx, w, pod, rs, removed)
	}
	if w.lastStatus != nil && (w.lastStatus.Phase == core.PodSucceeded || w.lastStatus.Phase == core.PodFailed) {
		// A finished pod keeps its exited containers (for status) but not its sandbox.
		if rs.Sandbox != nil {
			k.removeSandbox(ctx, rs)
		}
		w.setRunning(0)
		return 0, false
	}
	waiting := map[string]waitingReason{}
	var next time.Duration
	later := func(d time.Duration) {
		if d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	if rs.Sandbox == nil || !rs.Sandbox.Running {
		if rs.Sandbox != nil {
			k.log.Info("sandbox died, recreating", "pod", podDesc(pod))
			if err := k.killPod(ctx, pod, rs, 0); err != nil {
				k.log.Warn("kill pod", "pod", podDesc(pod), "err", err)
				return time.Second, false
			}
		}
		if _, _, _, err := k.rt.EnsureImage(ctx, k.opts.PodInfraImage, container.ImageOptions{Policy: core.PullIfNotPresent}); err != nil {
			k.event(pod, core.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
			return k.opts.BackoffBase, false
		}
		res := &network.Result{}
		if !pod.Spec.HostNetwork {
			t0 := time.Now()
			res, err = k.net.SetUp(ctx, netPod(pod))
			k.metrics.observeOp("network_setup", t0, err)
			if err != nil {
				k.event(pod, core.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: set up pod network: %v", err)
				return time.Second, false
			}
		}
		_, err = k.rt.RunSandbox(ctx, &container.SandboxConfig{
			Pod: ref, Hostname: podHostname(pod), HostNetwork: pod.Spec.HostNetwork,
			Image: k.opts.PodInfraImage, LogDir: k.podLogDir(pod), NetNSPath: res.NetNSPath,
			Cgroup: podCgroup(pod),
		})
		if err != nil {
			k.event(pod, core.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
			if terr := k.net.TearDown(ctx, netPod(pod)); terr != nil {
				k.log.Warn("tear down pod network", "pod", podDesc(pod), "err", terr)
			}
			return time.Second, false
		}
		w.podIPs = res.IPs
		if rs, err = k.rt.PodStatus(ctx, ref); err != nil {
			return time.Second, false
		}
	} else if w.podIPs == nil {
		for _, ip := range pod.Status.PodIPs { // adopted: the network was set up before
			w.podIPs = append(w.podIPs, ip.IP)
		}
	}
	paths, err := k.setUpVolumes(ctx, pod, w.podIPs)
	if err != nil {
		k.event(pod, core.EventTypeWarning, "FailedMount", "MountVolume.SetUp failed: %v", err)
		for _, c := range pod.Spec.Containers {
			if rs.Latest(c.Name) == nil {
				waiting[c.Name] = waitingReason{Reason: "ContainerCreating"}
			}
		}
		later(2 * time.Second)
		k.writeStatus(ctx, w, pod, k.status(w, pod, rs, waiting))
		return next, false
	}
	w.volumePaths = paths
	k.killUnhealthy(ctx, w, pod, rs)

	initDone := true
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		latest := rs.Latest(c.Name)
		if latest != nil && latest.State == container.StateExited && latest.ExitCode == 0 {
			continue
		}
		initDone = false
		if latest != nil && latest.State != container.StateExited {
			break
		}
		if latest != nil && pod.Spec.RestartPolicy == core.RestartPolicyNever {
			break // the pod has failed
		}
		later(k.startOrBackoff(ctx, w, pod, rs, c, latest, waiting))
		break
	}
	if initDone {
		for i := range pod.Spec.Containers {
			c := &pod.Spec.Containers[i]
			latest := rs.Latest(c.Name)
			if latest != nil && (latest.State != container.StateExited || !shouldRestart(pod.Spec.RestartPolicy, latest)) {
				continue
			}
			later(k.startOrBackoff(ctx, w, pod, rs, c, latest, waiting))
		}
	}
	if rs2, err := k.rt.PodStatus(ctx, ref); err == nil {
		rs = rs2
	}
	k.pruneAttempts(ctx, rs)
	running := 0
	for _, c := range rs.Containers {
		if c.State == container.StateRunning {
			running++
		}
	}
	w.setRunning(running)
	k.syncProbes(ctx, w, pod, rs)
	st := k.status(w, pod, rs, waiting)
	if st.Phase == core.PodRunning && !w.startSeen {
		w.startSeen = true
		k.metrics.PodStartDuration.Observe(time.Since(pod.CreationTimestamp.Time).Seconds())
	}
	k.writeStatus(ctx, w, pod, st)
	return next, false
}

func shouldRestart(policy core.RestartPolicy, c *container.ContainerStatus) bool {
	switch policy {
	case core.RestartPolicyNever:
		return false
	case core.RestartPolicyOnFailure:
		return c.ExitCode != 0
	}
	return true
}

func podHostname(p *core.Pod) string {
	if p.Spec.Hostname != "" {
		return p.Spec.Hostname
	}
	if len(p.Name) > 63 {
		return strings.TrimRight(p.Name[:63], "-.")
	}
	return p.Name
}

func (k *Kubelet) podLogDir(p *core.Pod) string {
	return filepath.Join(k.opts.RootDir, "pods", p.UID, "containers")
}

// LogPath is where the kubelet keeps the stdout and stderr of one attempt of a container.
func LogPath(rootDir, podUID, container string, attempt int) string {
	return filepath.Join(rootDir, "pods", podUID, "containers", container, fmt.Sprintf("%d.log", attempt))
}

// startOrBackoff starts the next attempt of c unless it is backing off, and returns how
// long until it should be tried again.
func (k *Kubelet) startOrBackoff(ctx context.Context, w *worker, pod *core.Pod, rs *container.PodStatus, c *core.Container, latest *container.ContainerStatus, waiting map[string]waitingReason) time.Duration {
	attempt := 0
	key := pod.UID + "/" + c.Name
	now := time.Now()
	if latest != nil {
		attempt = latest.Attempt + 1
		if latest.FinishedAt.Sub(latest.StartedAt) >= 10*time.Minute {
			k.backoff.Reset(key)
		}
		if in, left := k.backoff.InBackoffSince(key, latest.FinishedAt, now); in {
			msg := fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", k.backoff.Delay(key), c.Name, podDesc(pod))
			waiting[c.Name] = waitingReason{Reason: "CrashLoopBackOff", Message: msg}
			k.event(pod, core.EventTypeWarning, "BackOff", "Back-off restarting failed container %s in pod %s", c.Name, podDesc(pod))
			return left
		}
		k.backoff.Next(key, now)
	}
	ref, digest, err := k.pullImage(ctx, pod, c, waiting)
	if err != nil {
		return k.imageRetry(pod, c)
	}
	env, err := k.containerEnv(ctx, pod, c, w.podIPs)
	if err != nil {
		waiting[c.Name] = waitingReason{Reason: "CreateContainerConfigError", Message: err.Error()}
		k.event(pod, core.EventTypeWarning, "Failed", "Error: %v", err)
		return time.Second
	}
	mounts, err := k.containerMounts(pod, c, w.volumePaths)
	if err != nil {
		waiting[c.Name] = waitingReason{Reason: "CreateContainerConfigError", Message: err.Error()}
		k.event(pod, core.EventTypeWarning, "Failed", "Error: %v", err)
		return time.Second
	}
	cfg := &container.ContainerConfig{
		Mounts: mounts,
		Pod:    podRef(pod), SandboxID: rs.Sandbox.ID, Name: c.Name, Attempt: attempt, Image: ref,
		Command: expandAll(c.Command, env), Args: expandAll(c.Args, env), WorkingDir: c.WorkingDir, Env: env,
		LogPath:   LogPath(k.opts.RootDir, pod.UID, c.Name, attempt),
		Resources: resources(pod, c, k.memoryCapacity()), TerminationMessagePath: c.TerminationMessagePath,
		HostNetwork: pod.Spec.HostNetwork,
	}
	if cfg.TerminationMessagePath == "" {
		cfg.TerminationMessagePath = "/dev/termination-log"
	}
	if sc := c.SecurityContext; sc != nil && sc.Privileged != nil {
		cfg.Privileged = *sc.Privileged
	}
	_ = digest
	t0 := time.Now()
	id, err := k.rt.StartContainer(ctx, cfg)
	k.metrics.observeOp("start_container", t0, err)
	if err != nil {
		waiting[c.Name] = waitingReason{Reason: "CreateContainerError", Message: err.Error()}
		k.event(pod, core.EventTypeWarning, "Failed", "Error: %v", err)
		return time.Second
	}
	k.log.Debug("started container", "pod", podDesc(pod), "container", c.Name, "id", id, "attempt", attempt)
	k.event(pod, core.EventTypeNormal, "Created", "Created container %s", c.Name)
	k.event(pod, core.EventTypeNormal, "Started", "Started container %s", c.Name)
	if !k.postStart(ctx, pod, c, id) {
		return time.Second
	}
	return 0
}

func expandAll(in []string, env []string) []string {
	if len(in) == 0 {
		return nil
	}
	vars := map[string]string{}
	for _, kv := range env {
		key, v, _ := strings.Cut(kv, "=")
		vars[key] = v
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = expand(s, vars)
	}
	return out
}

// pullImage makes c's image present per its pull policy, with events and back-off.
func (k *Kubelet) pullImage(ctx context.Context, pod *core.Pod, c *core.Container, waiting map[string]waitingReason) (string, string, error) {
	key := "image/" + pod.UID + "/" + c.Image
	now := time.Now()
	if in, _ := k.backoff.InBackoffSince(key, now, now); in {
		waiting[c.Name] = waitingReason{Reason: "ImagePullBackOff", Message: fmt.Sprintf("Back-off pulling image %q", c.Image)}
		k.event(pod, core.EventTypeNormal, "BackOff", "Back-off pulling image %q", c.Image)
		return "", "", errors.New("image pull back-off")
	}
	policy := c.ImagePullPolicy
	if policy == "" {
		policy = core.PullIfNotPresent
		if !strings.Contains(lastPart(c.Image), ":") || strings.HasSuffix(c.Image, ":latest") {
			policy = core.PullAlways
		}
	}
	t0 := time.Now()
	if policy == core.PullAlways {
		k.event(pod, core.EventTypeNormal, "Pulling", "Pulling image %q", c.Image)
	}
	ref, digest, pulled, err := k.rt.EnsureImage(ctx, c.Image, container.ImageOptions{Policy: policy, Credentials: k.pullCredentials(ctx, pod)})
	k.metrics.observeOp("pull_image", t0, err)
	if err != nil {
		k.backoff.Next(key, now)
		reason := "ErrImagePull"
		if policy == core.PullNever {
			reason = "ErrImageNeverPull"
		}
		waiting[c.Name] = waitingReason{Reason: reason, Message: err.Error()}
		k.event(pod, core.EventTypeWarning, "Failed", "Failed to pull image %q: %v", c.Image, err)
		k.event(pod, core.EventTypeWarning, "Failed", "Error: %s", reason)
		return "", "", err
	}
	k.backoff.Reset(key)
	if pulled {
		if k.nodeImages != nil {
			k.nodeImages.invalidate()
		}
		d := time.Since(t0).Round(time.Millisecond)
		k.event(pod, core.EventTypeNormal, "Pulled", "Successfully pulled image %q in %s (%s including waiting)", c.Image, d, d)
	} else {
		k.event(pod, core.EventTypeNormal, "Pulled", "Container image %q already present on machine", c.Image)
	}
	return ref, digest, nil
}

func (k *Kubelet) imageRetry(pod *core.Pod, c *core.Container) time.Duration {
	if d := k.backoff.Delay("image/" + pod.UID + "/" + c.Image); d > 0 {
		return d
	}
	return time.Second
}

func lastPart(image string) string {
	if i := strings.LastIndex(image, "/"); i >= 0 {
		return image[i+1:]
	}
	return image
}

// pullCredentials reads the pod's imagePullSecrets (.dockerconfigjson / .dockercfg).
func (k *Kubelet) pullCredentials(ctx context.Context, pod *core.Pod) map[string]container.Auth {
	if len(pod.Spec.ImagePullSecrets) == 0 {
		return nil
	}
	out := map[string]container.Auth{}
	for _, ref := range pod.Spec.ImagePullSecrets {
		s, err := client.Secrets(k.c).Get(ctx, pod.Namespace, ref.Name)
		if err != nil {
			k.log.Warn("image pull secret", "pod", podDesc(pod), "secret", ref.Name, "err", err)
			continue
		}
		var cfg struct {
			Auths map[string]struct {
				Username, Password, Auth string
			} `json:"auths"`
		}
		if data, ok := s.Data[".dockerconfigjson"]; ok {
			_ = json.Unmarshal(data, &cfg)
		} else if data, ok := s.Data[".dockercfg"]; ok {
			_ = json.Unmarshal(data, &cfg.Auths)
		}
		for host, a := range cfg.Auths {
			if a.Username == "" && a.Auth != "" {
				if dec, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
					a.Username, a.Password, _ = strings.Cut(string(dec), ":")
				}
			}
			host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
			host, _, _ = strings.Cut(host, "/")
			out[host] = container.Auth{Username: a.Username, Password: a.Password}
		}
	}
	return out
}

// pruneAttempts removes exited attempts older than the newest two of each container (the
// newest is the state, the one before it the lastState).
func (k *Kubelet) pruneAttempts(ctx context.Context, rs *container.PodStatus) {
	for _, c := range rs.Containers {
		latest := rs.Latest(c.Name)
		if c.State != container.StateExited || c == latest {
			continue
		}
		if p := previous(rs, latest); p == c {
			continue
		}
		if err := k.rt.RemoveContainer(ctx, c.ID); err != nil {
			k.log.Debug("remove old container", "id", c.ID, "err", err)
		}
	}
}

// writeStatus sends st through the status subresource when it changed.
func (k *Kubelet) writeStatus(ctx context.Context, w *worker, pod *core.Pod, st core.PodStatus) {
	if w.lastStatus != nil && reflect.DeepEqual(*w.lastStatus, st) {
		return
	}
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID}, Spec: pod.Spec, Status: st}
	_, err := client.Pods(k.c).UpdateStatus(ctx, p)
	if err != nil {
		if !apierrors.IsNotFound(err) && ctx.Err() == nil {
			k.log.Warn("update pod status", "pod", podDesc(pod), "err", err)
		}
		return
	}
	w.lastStatus = &st
}

// terminate stops a pod being deleted (or already gone from the API) and, once its
// containers are gone, deletes the pod object with grace 0.
func (k *Kubelet) terminate(ctx context.Context, w *worker, pod *core.Pod, rs *container.PodStatus, removed bool) (time.Duration, bool) {
	for _, c := range rs.Containers {
		if c.State == container.StateRunning {
			k.event(pod, core.EventTypeNormal, "Killing", "Stopping container %s", c.Name)
		}
	}
	if err := k.killPod(ctx, pod, rs, podGrace(pod)); err != nil {
		k.log.Warn("kill pod", "pod", podDesc(pod), "err", err)
		return time.Second, false
	}
	w.setRunning(0)
	w.probes.Sync(ctx, nil)
	if err := k.net.TearDown(ctx, netPod(pod)); err != nil {
		k.log.Warn("tear down pod network", "pod", podDesc(pod), "err", err)
		return time.Second, false
	}
	if err := k.volumes.TearDown(pod.UID); err != nil {
		k.log.Warn("tear down volumes", "pod", podDesc(pod), "err", err)
		return time.Second, false
	}
	_ = os.RemoveAll(k.etcDir(pod.UID))
	k.backoff.ResetPrefix(pod.UID + "/")
	k.backoff.ResetPrefix("image/" + pod.UID + "/")
	if removed {
		return 0, true
	}
	uid := pod.UID
	zero := int64(0)
	err := client.Pods(k.c).Delete(ctx, pod.Namespace, pod.Name, &meta.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &meta.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		k.log.Warn("delete pod", "pod", podDesc(pod), "err", err)
		return time.Second, false
	}
	return 0, true
}

// killPod stops every container of a pod in parallel within grace, tears its network
// down and removes the sandbox and containers.
// pod, when known, gives the containers' preStop hooks.
func (k *Kubelet) killPod(ctx context.Context, pod *core.Pod, rs *container.PodStatus, grace time.Duration) error {
	var wg sync.WaitGroup
	errs := make([]error, len(rs.Containers))
	for i, c := range rs.Containers {
		if c.State != container.StateRunning && c.State != container.StateCreated {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = k.stopContainer(ctx, pod, containerSpec(pod, c.Name), c.ID, grace)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, c := range rs.Containers {
		if err := k.rt.RemoveContainer(ctx, c.ID); err != nil && !errors.Is(err, container.ErrNotFound) {
			return err
		}
	}
	return k.removeSandbox(ctx, rs)
}

// removeSandbox removes the sandbox and then its network (the namespace outlives neither).
func (k *Kubelet) removeSandbox(ctx context.Context, rs *container.PodStatus) error {
	if err := k.rt.RemoveSandbox(ctx, rs.Pod); err != nil {
		return err
	}
	np := network.Pod{UID: rs.Pod.UID, Namespace: rs.Pod.Namespace, Name: rs.Pod.Name}
	if err := k.net.TearDown(ctx, np); err != nil {
		return fmt.Errorf("tear down network of pod %s: %w", rs.Pod.UID, err)
	}
	return nil
}
