package kubelet

import (
	"fmt"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/kubelet/pkg/container"
)

// waitingReason is why a container is not running, as the last sync found it.
type waitingReason struct {
	Reason, Message string
}

// statusInput is everything computeStatus needs.
type statusInput struct {
	Pod     *core.Pod
	Runtime *container.PodStatus
	Waiting map[string]waitingReason
	PodIPs  []string
	HostIP  string
	Now     time.Time
	// Terminating: the pod is being deleted and its containers are stopped.
	Terminating bool
	// Probe reports a running container's readiness and startup as its probes say;
	// nil means ready and started.
	Probe func(c *core.Container, id string) (ready, started bool)
}

func containerID(id string) string {
	if id == "" {
		return ""
	}
	return "containerd://" + id
}

func terminated(c *container.ContainerStatus) *core.ContainerStateTerminated {
	return &core.ContainerStateTerminated{
		ExitCode: int32(c.ExitCode), Signal: int32(c.Signal), Reason: c.Reason, Message: c.Message,
		StartedAt: meta.NewTime(c.StartedAt.UTC()), FinishedAt: meta.NewTime(c.FinishedAt.UTC()),
		ContainerID: containerID(c.ID),
	}
}

// previous returns the newest attempt of name older than latest.
func previous(rs *container.PodStatus, latest *container.ContainerStatus) *container.ContainerStatus {
	var best *container.ContainerStatus
	for _, c := range rs.Containers {
		if c.Name == latest.Name && c.Attempt < latest.Attempt && (best == nil || c.Attempt > best.Attempt) {
			best = c
		}
	}
	return best
}

// containerStatuses reports containers of spec from the runtime's view.
func containerStatuses(in statusInput, spec []core.Container) []core.ContainerStatus {
	var out []core.ContainerStatus
	for _, c := range spec {
		cs := core.ContainerStatus{Name: c.Name, Image: c.Image}
		latest := in.Runtime.Latest(c.Name)
		w, hasWaiting := in.Waiting[c.Name]
		started := false
		switch {
		case latest == nil:
			if !hasWaiting {
				w = waitingReason{Reason: "ContainerCreating"}
				if in.Runtime.Sandbox == nil {
					w = waitingReason{Reason: "PodInitializing"}
				}
			}
			cs.State.Waiting = &core.ContainerStateWaiting{Reason: w.Reason, Message: w.Message}
		default:
			cs.RestartCount = int32(latest.Attempt)
			cs.ContainerID = containerID(latest.ID)
			cs.ImageID = latest.ImageRef
			switch {
			case latest.State == container.StateRunning:
				cs.State.Running = &core.ContainerStateRunning{StartedAt: meta.NewTime(latest.StartedAt.UTC())}
				ready := true
				started = true
				if in.Probe != nil {
					ready, started = in.Probe(&c, latest.ID)
				}
				cs.Ready = ready && !in.Terminating
				if p := previous(in.Runtime, latest); p != nil && p.State == container.StateExited {
					cs.LastTerminationState.Terminated = terminated(p)
				}
			case latest.State == container.StateExited && hasWaiting:
				cs.State.Waiting = &core.ContainerStateWaiting{Reason: w.Reason, Message: w.Message}
				cs.LastTerminationState.Terminated = terminated(latest)
			case latest.State == container.StateExited:
				cs.State.Terminated = terminated(latest)
				if p := previous(in.Runtime, latest); p != nil && p.State == container.StateExited {
					cs.LastTerminationState.Terminated = terminated(p)
				}
			default:
				cs.State.Waiting = &core.ContainerStateWaiting{Reason: "ContainerCreating"}
			}
		}
		cs.Started = &started
		out = append(out, cs)
	}
	return out
}

// podPhase is upstream's getPhase, simplified to what this kubelet reports.
func podPhase(spec *core.PodSpec, inits, containers []core.ContainerStatus) core.PodPhase {
	for i, s := range inits {
		if s.State.Terminated != nil && s.State.Terminated.ExitCode == 0 {
			continue
		}
		if spec.RestartPolicy == core.RestartPolicyNever {
			if t := s.State.Terminated; t != nil && t.ExitCode != 0 {
				return core.PodFailed
			}
		}
		_ = i
		return core.PodPending
	}
	var running, waiting, stopped, succeeded int
	for _, s := range containers {
		switch {
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			stopped++
			if s.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated != nil {
				stopped++
			} else {
				waiting++
			}
		}
	}
	switch {
	case waiting > 0:
		return core.PodPending
	case running > 0:
		return core.PodRunning
	case stopped > 0:
		switch spec.RestartPolicy {
		case core.RestartPolicyNever:
			if stopped == succeeded {
				return core.PodSucceeded
			}
			return core.PodFailed
		case core.RestartPolicyOnFailure:
			if stopped == succeeded {
				return core.PodSucceeded
			}
			return core.PodRunning
		default:
			return core.PodRunning
		}
	}
	return core.PodPending
}

func condition(t core.PodConditionType, ok bool, reason, msg string) core.PodCondition {
	c := core.PodCondition{Type: t, Status: core.ConditionTrue}
	if !ok {
		c.Status, c.Reason, c.Message = core.ConditionFalse, reason, msg
	}
	return c
}

// computeStatus derives a pod's status from what the runtime reports. Pure: the pod
// worker calls it after every sync and writes the result when it differs.
func computeStatus(in statusInput) core.PodStatus {
	pod := in.Pod
	st := core.PodStatus{
		NominatedNodeName: pod.Status.NominatedNodeName,
		QOSClass:          qosClass(&pod.Spec),
		StartTime:         pod.Status.StartTime,
	}
	if st.StartTime == nil {
		t := meta.NewTime(in.Now.UTC().Truncate(time.Second))
		st.StartTime = &t
	}
	if in.HostIP != "" {
		st.HostIP = in.HostIP
		st.HostIPs = []core.HostIP{{IP: in.HostIP}}
	}
	ips := in.PodIPs
	if pod.Spec.HostNetwork && in.HostIP != "" {
		ips = []string{in.HostIP}
	}
	for _, ip := range ips {
		st.PodIPs = append(st.PodIPs, core.PodIP{IP: ip})
	}
	if len(ips) > 0 {
		st.PodIP = ips[0]
	}
	st.InitContainerStatuses = containerStatuses(in, pod.Spec.InitContainers)
	st.ContainerStatuses = containerStatuses(in, pod.Spec.Containers)
	for i := range st.InitContainerStatuses {
		s := &st.InitContainerStatuses[i]
		s.Ready = s.State.Terminated != nil && s.State.Terminated.ExitCode == 0
	}
	st.Phase = podPhase(&pod.Spec, st.InitContainerStatuses, st.ContainerStatuses)

	initialized, pendingInit := true, []string{}
	for _, s := range st.InitContainerStatuses {
		if !s.Ready {
			initialized = false
			pendingInit = append(pendingInit, s.Name)
		}
	}
	var unready []string
	for _, s := range st.ContainerStatuses {
		if !s.Ready {
			unready = append(unready, s.Name)
		}
	}
	ready := len(unready) == 0
	reason, msg := core.PodReasonContainersNotReady, fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
	if st.Phase == core.PodSucceeded || st.Phase == core.PodFailed {
		ready, reason, msg = false, core.PodReasonPodCompleted, ""
	}
	st.Conditions = []core.PodCondition{
		condition(core.PodInitialized, initialized, core.PodReasonContainersNotInitialized,
			fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(pendingInit, " "))),
		condition(core.PodReady, ready, reason, msg),
		condition(core.ContainersReady, ready, reason, msg),
		condition(core.PodScheduled, true, "", ""),
	}
	if st.Phase == core.PodSucceeded && initialized {
		st.Conditions[0].Reason = core.PodReasonPodCompleted
	}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		c.LastTransitionTime = meta.NewTime(in.Now.UTC().Truncate(time.Second))
		for _, p := range pod.Status.Conditions {
			if p.Type == c.Type && p.Status == c.Status && !p.LastTransitionTime.IsZero() {
				c.LastTransitionTime = p.LastTransitionTime
			}
		}
	}
	return st
}

// qosClass is upstream's QoS classification.
func qosClass(spec *core.PodSpec) core.PodQOSClass {
	all := append(append([]core.Container(nil), spec.InitContainers...), spec.Containers...)
	any, guaranteed := false, true
	for _, c := range all {
		for _, r := range []core.ResourceName{core.ResourceCPU, core.ResourceMemory} {
			req, hasReq := c.Resources.Requests[r]
			lim, hasLim := c.Resources.Limits[r]
			if hasReq && !req.IsZero() || hasLim && !lim.IsZero() {
				any = true
			}
			if !hasLim || (hasReq && req.Cmp(lim) != 0) {
				guaranteed = false
			}
		}
	}
	switch {
	case !any:
		return core.PodQOSBestEffort
	case guaranteed:
		return core.PodQOSGuaranteed
	}
	return core.PodQOSBurstable
}
