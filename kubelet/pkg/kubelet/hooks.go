package kubelet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/prober"
)

// Lifecycle hooks (container.lifecycle.postStart / preStop), as upstream runs them:
//
//   - postStart runs right after the container starts; the container is reported Running only
//     once it returns. A failed hook is a FailedPostStartHook event and the container is
//     killed, to be restarted by its restart policy.
//   - preStop runs before the container is sent SIGTERM, within the termination grace period;
//     what it leaves of the period (at least 2 s, as upstream grants) is SIGTERM's. A failed
//     hook is a FailedPreStopHook event and the stop goes on.
//
// Handlers: exec (in the container), httpGet (host defaults to the pod IP), sleep; tcpSocket
// is accepted and does nothing, as upstream.

// minStopGrace is what SIGTERM is left at least after a preStop hook.
const minStopGrace = 2 * time.Second

// runHook runs h for container c (runtime id id) of pod within d and says why it failed.
func (k *Kubelet) runHook(ctx context.Context, pod *core.Pod, c *core.Container, id string, h *core.LifecycleHandler, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	switch {
	case h.Exec != nil:
		var out bytes.Buffer
		code, err := k.rt.Exec(ctx, id, container.ExecOptions{Command: h.Exec.Command, Stdout: &out, Stderr: &out})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("command %q did not finish within %s", strings.Join(h.Exec.Command, " "), d)
			}
			return fmt.Errorf("command %q: %w", strings.Join(h.Exec.Command, " "), err)
		}
		if code != 0 {
			return fmt.Errorf("command %q exited with %d: %s", strings.Join(h.Exec.Command, " "), code, strings.TrimSpace(out.String()))
		}
		return nil
	case h.HTTPGet != nil:
		ip := pod.Status.PodIP
		if pod.Spec.HostNetwork || ip == "" {
			ip = k.nodeIP
		}
		secs := int32(d / time.Second)
		if secs < 1 {
			secs = 1
		}
		p := &core.Probe{ProbeHandler: core.ProbeHandler{HTTPGet: h.HTTPGet}, TimeoutSeconds: secs}
		if res, why := prober.Run(ctx, p, c, prober.Target{PodIP: ip}); res != prober.Success {
			return fmt.Errorf("http lifecycle hook (%s) for Container %q in Pod %q failed - error: %s", h.HTTPGet.Path, c.Name, podDesc(pod), why)
		}
		return nil
	case h.Sleep != nil:
		select {
		case <-time.After(time.Duration(h.Sleep.Seconds) * time.Second):
			return nil
		case <-ctx.Done():
			return nil // cut short by the grace period: not a failure
		}
	}
	return nil // tcpSocket: accepted, does nothing
}

// postStart runs c's postStart hook, if any, after its start. On failure the container is
// killed with the pod's grace period and false returned.
func (k *Kubelet) postStart(ctx context.Context, pod *core.Pod, c *core.Container, id string) bool {
	if c.Lifecycle == nil || c.Lifecycle.PostStart == nil {
		return true
	}
	grace := podGrace(pod)
	err := k.runHook(ctx, pod, c, id, c.Lifecycle.PostStart, grace)
	if err == nil {
		return true
	}
	k.event(pod, core.EventTypeWarning, "FailedPostStartHook", "PostStartHook failed: %v", err)
	if err := k.rt.StopContainer(ctx, id, grace); err != nil {
		k.log.Warn("kill container after its postStart hook failed", "pod", podDesc(pod), "container", c.Name, "err", err)
	}
	return false
}

// stopContainer stops a running container within grace: its preStop hook first (when spec
// is known and has one), then SIGTERM with what is left, then SIGKILL.
func (k *Kubelet) stopContainer(ctx context.Context, pod *core.Pod, spec *core.Container, id string, grace time.Duration) error {
	if pod != nil && spec != nil && spec.Lifecycle != nil && spec.Lifecycle.PreStop != nil && grace > 0 {
		t0 := time.Now()
		if err := k.runHook(ctx, pod, spec, id, spec.Lifecycle.PreStop, grace); err != nil {
			k.event(pod, core.EventTypeWarning, "FailedPreStopHook", "PreStopHook failed: %v", err)
		}
		grace -= time.Since(t0)
		if grace < minStopGrace {
			grace = minStopGrace
		}
	}
	t0 := time.Now()
	err := k.rt.StopContainer(ctx, id, grace)
	k.metrics.observeOp("stop_container", t0, err)
	return err
}

// podGrace is the pod's termination grace period (its deletion grace once it is being
// deleted).
func podGrace(pod *core.Pod) time.Duration {
	grace := core.DefaultTerminationGracePeriodSeconds
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = *pod.Spec.TerminationGracePeriodSeconds
	}
	if pod.DeletionGracePeriodSeconds != nil {
		grace = *pod.DeletionGracePeriodSeconds
	}
	return time.Duration(grace) * time.Second
}

// containerSpec finds the spec of the container called name in pod (nil pod: none).
func containerSpec(pod *core.Pod, name string) *core.Container {
	if pod == nil {
		return nil
	}
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	return nil
}
