package printers

import (
	"fmt"
	"strconv"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func podPrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Ready", "string", descPodReady),
			column("Status", "string", descPodStatus),
			// "string", not "integer": the cell may say "3 (10m ago)".
			column("Restarts", "string", descPodRestarts),
			ageColumn(),
			wide(column("IP", "string", descPodIP)),
			wide(column("Node", "string", descPodNodeName)),
			wide(column("Nominated Node", "string", descPodNominatedNodeName)),
			wide(column("Readiness Gates", "string", descPodReadinessGates)),
		},
		row: rowOf(podRow),
	}
}

// podCompletedCondition is the row condition upstream puts on rows of finished
// pods, so that clients can tell (and dim or hide) them without the object.
func podCompletedCondition(phase core.PodPhase) []meta.TableRowCondition {
	switch phase {
	case core.PodSucceeded:
		return []meta.TableRowCondition{{Type: "Completed", Status: "True", Reason: "Succeeded", Message: "The pod has completed successfully."}}
	case core.PodFailed:
		return []meta.TableRowCondition{{Type: "Completed", Status: "True", Reason: "Failed", Message: "The pod failed."}}
	}
	return nil
}

func podRow(pod *core.Pod, now time.Time) meta.TableRow {
	s := summarizePod(pod)

	restarts := strconv.Itoa(s.restarts)
	if s.restarts != 0 && !s.lastRestart.IsZero() {
		restarts = fmt.Sprintf("%d (%s ago)", s.restarts, since(s.lastRestart, now))
	}

	row := cells(
		pod.Name,
		fmt.Sprintf("%d/%d", s.ready, s.total),
		s.status,
		restarts,
		age(&pod.ObjectMeta, now),
		orNone(podIP(&pod.Status)),
		orNone(pod.Spec.NodeName),
		orNone(pod.Status.NominatedNodeName),
		readinessGates(pod),
	)
	row.Conditions = podCompletedCondition(pod.Status.Phase)
	return row
}

// podSummary is what the READY, STATUS and RESTARTS columns show.
type podSummary struct {
	ready, total int
	status       string
	restarts     int
	lastRestart  time.Time // latest finishedAt of a restarted container's last run
}

// summarizePod derives READY, STATUS and RESTARTS exactly as upstream's
// printPod does. STATUS starts as the phase (or status.reason), is replaced
// while init containers run ("Init:0/2", "Init:CrashLoopBackOff"), then by the
// state of the first app container that is waiting or terminated
// ("CrashLoopBackOff", "Completed", "ExitCode:1"; upstream walks them
// backwards, so the earliest wins), and finally by "Terminating" or "Unknown"
// for pods being deleted.
func summarizePod(pod *core.Pod) podSummary {
	st := &pod.Status
	s := podSummary{total: len(pod.Spec.Containers), status: string(st.Phase)}
	if st.Reason != "" {
		s.status = st.Reason
	}
	for _, c := range st.Conditions {
		if c.Type == core.PodScheduled && c.Reason == core.PodReasonSchedulingGated {
			s.status = core.PodReasonSchedulingGated
		}
	}

	// Sidecars (init containers with restartPolicy Always) count as
	// containers of the pod: in READY, and in RESTARTS once it initialized.
	initSpecs := make(map[string]*core.Container, len(pod.Spec.InitContainers))
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		initSpecs[c.Name] = c
		if isSidecar(c) {
			s.total++
		}
	}

	var sidecarRestarts int
	var sidecarLastRestart time.Time
	initializing := false
	for i := range st.InitContainerStatuses {
		cs := &st.InitContainerStatuses[i]
		sidecar := isSidecar(initSpecs[cs.Name])
		s.restarts += int(cs.RestartCount)
		s.lastRestart = laterFinish(s.lastRestart, cs)
		if sidecar {
			sidecarRestarts += int(cs.RestartCount)
			sidecarLastRestart = laterFinish(sidecarLastRestart, cs)
		}

		term := cs.State.Terminated
		if term != nil && term.ExitCode == 0 {
			continue // done
		}
		if sidecar && cs.Started != nil && *cs.Started {
			if cs.Ready {
				s.ready++
			}
			continue
		}
		// The first init container not yet done decides the status.
		initializing = true
		switch waiting := cs.State.Waiting; {
		case term != nil:
			s.status = "Init:" + terminatedReason(term)
		case waiting != nil && waiting.Reason != "" && waiting.Reason != "PodInitializing":
			s.status = "Init:" + waiting.Reason
		default:
			s.status = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		break
	}

	if !initializing || podConditionTrue(st, core.PodInitialized) {
		// Restarts of completed init containers no longer count.
		s.restarts, s.lastRestart = sidecarRestarts, sidecarLastRestart
		hasRunning := false
		for i := len(st.ContainerStatuses) - 1; i >= 0; i-- {
			cs := &st.ContainerStatuses[i]
			s.restarts += int(cs.RestartCount)
			s.lastRestart = laterFinish(s.lastRestart, cs)
			switch {
			case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
				s.status = cs.State.Waiting.Reason
			case cs.State.Terminated != nil:
				s.status = terminatedReason(cs.State.Terminated)
			case cs.Ready && cs.State.Running != nil:
				hasRunning = true
				s.ready++
			}
		}
		// A pod whose finished container is reported last while others still
		// run is not "Completed".
		if s.status == "Completed" && hasRunning {
			if anyPodConditionTrue(st, core.PodReady) {
				s.status = "Running"
			} else {
				s.status = "NotReady"
			}
		}
	}

	if pod.DeletionTimestamp != nil {
		switch {
		case st.Reason == core.PodReasonNodeLost:
			s.status = "Unknown"
		case st.Phase != core.PodSucceeded && st.Phase != core.PodFailed:
			s.status = "Terminating"
		}
	}
	return s
}

// terminatedReason is the reason of a terminated container, or "Signal:9" /
// "ExitCode:1" when the runtime gave none.
func terminatedReason(t *core.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	}
	return fmt.Sprintf("ExitCode:%d", t.ExitCode)
}

// laterFinish returns the later of last and the finish time of cs's previous
// run, if it has one.
func laterFinish(last time.Time, cs *core.ContainerStatus) time.Time {
	if t := cs.LastTerminationState.Terminated; t != nil && last.Before(t.FinishedAt.Time) {
		return t.FinishedAt.Time
	}
	return last
}

// isSidecar reports whether an init container keeps running beside the app
// containers (restartPolicy Always). A status without a spec is not one.
func isSidecar(c *core.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == core.ContainerRestartPolicyAlways
}

// podConditionTrue reports whether the first condition of type t is True.
func podConditionTrue(st *core.PodStatus, t core.PodConditionType) bool {
	for _, c := range st.Conditions {
		if c.Type == t {
			return c.Status == core.ConditionTrue
		}
	}
	return false
}

// anyPodConditionTrue reports whether some condition of type t is True
// (upstream checks readiness this way, initialization the way above).
func anyPodConditionTrue(st *core.PodStatus, t core.PodConditionType) bool {
	for _, c := range st.Conditions {
		if c.Type == t && c.Status == core.ConditionTrue {
			return true
		}
	}
	return false
}

// podIP is the pod's primary IP as upstream's printer sees it after converting
// from v1: status.podIP wins (it is authoritative for older kubelets), else
// the first of status.podIPs.
func podIP(st *core.PodStatus) string {
	if st.PodIP != "" {
		return st.PodIP
	}
	if len(st.PodIPs) > 0 {
		return st.PodIPs[0].IP
	}
	return ""
}

// readinessGates is "<none>" or "trueGates/allGates".
func readinessGates(pod *core.Pod) string {
	gates := pod.Spec.ReadinessGates
	if len(gates) == 0 {
		return "<none>"
	}
	n := 0
	for _, g := range gates {
		for _, c := range pod.Status.Conditions {
			if c.Type == g.ConditionType {
				if c.Status == core.ConditionTrue {
					n++
				}
				break
			}
		}
	}
	return fmt.Sprintf("%d/%d", n, len(gates))
}

// orNone returns s, or "<none>" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
