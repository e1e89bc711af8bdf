package kubelet

import (
	"bytes"
	"context"
	"time"

	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/prober"
)

// syncProbes starts probing the pod's running containers (and stops probing the others).
func (k *Kubelet) syncProbes(ctx context.Context, w *worker, pod *core.Pod, rs *container.PodStatus) {
	var run []prober.Running
	ip := ""
	if len(w.podIPs) > 0 {
		ip = w.podIPs[0]
	}
	if pod.Spec.HostNetwork || ip == "" {
		ip = k.nodeIP
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		latest := rs.Latest(c.Name)
		if latest == nil || latest.State != container.StateRunning {
			continue
		}
		if c.LivenessProbe == nil && c.ReadinessProbe == nil && c.StartupProbe == nil {
			continue
		}
		id := latest.ID
		run = append(run, prober.Running{Spec: c, ID: id, StartedAt: latest.StartedAt, Target: prober.Target{
			PodIP: ip,
			Exec: func(ctx context.Context, cmd []string) (int, string, error) {
				var out bytes.Buffer
				code, err := k.rt.Exec(ctx, id, container.ExecOptions{Command: cmd, Stdout: &out, Stderr: &out})
				return code, out.String(), err
			},
		}})
	}
	w.probes.Sync(ctx, run)
}

// killUnhealthy stops the running containers whose liveness or startup probe failed, so
// that this sync restarts them (per the restart policy), and marks them exited in rs.
func (k *Kubelet) killUnhealthy(ctx context.Context, w *worker, pod *core.Pod, rs *container.PodStatus) {
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		latest := rs.Latest(c.Name)
		if latest == nil || latest.State != container.StateRunning {
			continue
		}
		kind := prober.Kind("")
		switch {
		case c.LivenessProbe != nil && w.probes.Result(latest.ID, prober.Liveness) == prober.Failure:
			kind = prober.Liveness
		case c.StartupProbe != nil && w.probes.Result(latest.ID, prober.Startup) == prober.Failure:
			kind = prober.Startup
		default:
			continue
		}
		k.event(pod, core.EventTypeNormal, "Killing", "Container %s failed %s probe, will be restarted", c.Name, map[prober.Kind]string{prober.Liveness: "liveness", prober.Startup: "startup"}[kind])
		grace := core.DefaultTerminationGracePeriodSeconds
		if pod.Spec.TerminationGracePeriodSeconds != nil {
			grace = *pod.Spec.TerminationGracePeriodSeconds
		}
		if p := probeOf(c, kind); p != nil && p.TerminationGracePeriodSeconds != nil {
			grace = *p.TerminationGracePeriodSeconds
		}
		if err := k.stopContainer(ctx, pod, c, latest.ID, time.Duration(grace)*time.Second); err != nil {
			k.log.Warn("kill unhealthy container", "pod", podDesc(pod), "container", c.Name, "err", err)
			continue
		}
		if fresh, err := k.rt.PodStatus(ctx, rs.Pod); err == nil {
			*rs = *fresh
		}
	}
}

func probeOf(c *core.Container, kind prober.Kind) *core.Probe {
	if kind == prober.Startup {
		return c.StartupProbe
	}
	return c.LivenessProbe
}

// status computes the pod's status with the probes' verdicts.
func (k *Kubelet) status(w *worker, pod *core.Pod, rs *container.PodStatus, waiting map[string]waitingReason) core.PodStatus {
	probe := func(c *core.Container, id string) (ready, started bool) {
		ready, started = true, true
		if c.StartupProbe != nil && w.probes.Result(id, prober.Startup) != prober.Success {
			started, ready = false, false
		}
		if c.ReadinessProbe != nil && w.probes.Result(id, prober.Readiness) != prober.Success {
			ready = false
		}
		return ready, started
	}
	return computeStatus(statusInput{Pod: pod, Runtime: rs, Waiting: waiting, PodIPs: w.podIPs, HostIP: k.nodeIP, Now: time.Now(), Probe: probe})
}
