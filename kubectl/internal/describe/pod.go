package describe

import (
	"fmt"
	"sort"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func describePod(pod *core.Pod, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", pod.Name)
	w.Write(l0, "Namespace:\t%s\n", pod.Namespace)
	if pod.Spec.Priority != nil {
		w.Write(l0, "Priority:\t%d\n", *pod.Spec.Priority)
	}
	if pod.Spec.PriorityClassName != "" {
		w.Write(l0, "Priority Class Name:\t%s\n", pod.Spec.PriorityClassName)
	}
	if pod.Spec.RuntimeClassName != nil && *pod.Spec.RuntimeClassName != "" {
		w.Write(l0, "Runtime Class Name:\t%s\n", *pod.Spec.RuntimeClassName)
	}
	if pod.Spec.ServiceAccountName != "" {
		w.Write(l0, "Service Account:\t%s\n", pod.Spec.ServiceAccountName)
	}
	if pod.Spec.NodeName == "" {
		w.Write(l0, "Node:\t<none>\n")
	} else {
		w.Write(l0, "Node:\t%s\n", pod.Spec.NodeName+"/"+pod.Status.HostIP)
	}
	if pod.Status.StartTime != nil {
		w.Write(l0, "Start Time:\t%s\n", rfc1123(*pod.Status.StartTime))
	}
	printLabels(w, "Labels", pod.Labels)
	printAnnotations(w, "Annotations", pod.Annotations)
	if pod.DeletionTimestamp != nil && pod.Status.Phase != core.PodFailed && pod.Status.Phase != core.PodSucceeded {
		w.Write(l0, "Status:\tTerminating (lasts %s)\n", since(*pod.DeletionTimestamp))
		if pod.DeletionGracePeriodSeconds != nil {
			w.Write(l0, "Termination Grace Period:\t%ds\n", *pod.DeletionGracePeriodSeconds)
		}
	} else {
		w.Write(l0, "Status:\t%s\n", pod.Status.Phase)
	}
	if pod.Status.Reason != "" {
		w.Write(l0, "Reason:\t%s\n", pod.Status.Reason)
	}
	if pod.Status.Message != "" {
		w.Write(l0, "Message:\t%s\n", pod.Status.Message)
	}
	w.Write(l0, "IP:\t%s\n", pod.Status.PodIP)
	if len(pod.Status.PodIPs) == 0 {
		w.Write(l0, "IPs:\t<none>\n")
	} else {
		w.Write(l0, "IPs:\n")
		for _, ip := range pod.Status.PodIPs {
			w.Write(l1, "  IP:\t%s\n", ip.IP)
		}
	}
	if c := controllerOf(pod.OwnerReferences); c != "" {
		w.Write(l0, "Controlled By:\t%s\n", c)
	}
	if pod.Status.NominatedNodeName != "" {
		w.Write(l0, "NominatedNodeName:\t%s\n", pod.Status.NominatedNodeName)
	}
	if len(pod.Spec.InitContainers) > 0 {
		describeContainers("Init Containers", pod.Spec.InitContainers, pod.Status.InitContainerStatuses, w, "")
	}
	describeContainers("Containers", pod.Spec.Containers, pod.Status.ContainerStatuses, w, "")
	if len(pod.Status.Conditions) > 0 {
		w.Write(l0, "Conditions:\n  Type\tStatus\n")
		for _, c := range pod.Status.Conditions {
			w.Write(l1, "%v \t%v \n", c.Type, c.Status)
		}
	}
	describeVolumes(pod.Spec.Volumes, w, "")
	qos := pod.Status.QOSClass
	if qos == "" {
		qos = podQOS(pod)
	}
	w.Write(l0, "QoS Class:\t%s\n", qos)
	printLabels(w, "Node-Selectors", pod.Spec.NodeSelector)
	printTolerations(w, "Tolerations", pod.Spec.Tolerations)
	describeEvents(events, w)
	return w.String()
}

func controllerOf(refs []meta.OwnerReference) string {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return r.Kind + "/" + r.Name
		}
	}
	return ""
}

// podQOS computes the QoS class as upstream's qos.GetPodQOS does (simplified to cpu and memory).
func podQOS(pod *core.Pod) core.PodQOSClass {
	requests, limits := 0, 0
	guaranteed := true
	for _, c := range append(append([]core.Container(nil), pod.Spec.InitContainers...), pod.Spec.Containers...) {
		for _, r := range []core.ResourceName{core.ResourceCPU, core.ResourceMemory} {
			req, hasReq := c.Resources.Requests[r]
			lim, hasLim := c.Resources.Limits[r]
			if hasReq && !req.IsZero() {
				requests++
			}
			if hasLim && !lim.IsZero() {
				limits++
			}
			if !hasLim || (hasReq && req.Cmp(lim) != 0) {
				guaranteed = false
			}
		}
	}
	switch {
	case requests == 0 && limits == 0:
		return core.PodQOSBestEffort
	case guaranteed:
		return core.PodQOSGuaranteed
	}
	return core.PodQOSBurstable
}

func describeContainers(label string, cs []core.Container, statuses []core.ContainerStatus, w *prefixWriter, space string) {
	byName := map[string]core.ContainerStatus{}
	for _, s := range statuses {
		byName[s.Name] = s
	}
	if len(cs) == 0 {
		w.Write(l0, "%s%s:\t<none>\n", space, label)
	} else {
		w.Write(l0, "%s%s:\n", space, label)
	}
	for _, c := range cs {
		st, ok := byName[c.Name]
		nameIndent := ""
		if space != "" {
			nameIndent = " "
		}
		w.Write(l1, "%s%v:\n", nameIndent, c.Name)
		if ok {
			w.Write(l2, "Container ID:\t%s\n", st.ContainerID)
		}
		w.Write(l2, "Image:\t%s\n", c.Image)
		if ok {
			w.Write(l2, "Image ID:\t%s\n", st.ImageID)
		}
		var ports, hostPorts []string
		for _, p := range c.Ports {
			ports = append(ports, fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol))
			hostPorts = append(hostPorts, fmt.Sprintf("%d/%s", p.HostPort, p.Protocol))
		}
		ps, hps := strings.Join(ports, ", "), strings.Join(hostPorts, ", ")
		if strings.Contains(ps, ",") {
			w.Write(l2, "Ports:\t%s\n", ps)
		} else {
			w.Write(l2, "Port:\t%s\n", orNone(ps))
		}
		if strings.Contains(hps, ",") {
			w.Write(l2, "Host Ports:\t%s\n", hps)
		} else {
			w.Write(l2, "Host Port:\t%s\n", orNone(hps))
		}
		if c.RestartPolicy != nil {
			w.Write(l2, "Restart Policy:\t%s\n", *c.RestartPolicy)
		}
		if len(c.Command) > 0 {
			w.Write(l2, "Command:\n")
			for _, x := range c.Command {
				for _, s := range strings.Split(x, "\n") {
					w.Write(l3, "%s\n", s)
				}
			}
		}
		if len(c.Args) > 0 {
			w.Write(l2, "Args:\n")
			for _, x := range c.Args {
				for _, s := range strings.Split(x, "\n") {
					w.Write(l3, "%s\n", s)
				}
			}
		}
		if ok {
			describeState("State", st.State, w)
			if st.LastTerminationState.Terminated != nil {
				describeState("Last State", st.LastTerminationState, w)
			}
			w.Write(l2, "Ready:\t%v\n", printBool(st.Ready))
			w.Write(l2, "Restart Count:\t%d\n", st.RestartCount)
		}
		describeResources(&c.Resources, w, l2)
		describeProbe(w, "Liveness", c.LivenessProbe)
		describeProbe(w, "Readiness", c.ReadinessProbe)
		describeProbe(w, "Startup", c.StartupProbe)
		if len(c.EnvFrom) > 0 {
			w.Write(l2, "Environment Variables from:\n")
			for _, e := range c.EnvFrom {
				from, name, opt := "", "", false
				switch {
				case e.ConfigMapRef != nil:
					from, name = "ConfigMap", e.ConfigMapRef.Name
					opt = e.ConfigMapRef.Optional != nil && *e.ConfigMapRef.Optional
				case e.SecretRef != nil:
					from, name = "Secret", e.SecretRef.Name
					opt = e.SecretRef.Optional != nil && *e.SecretRef.Optional
				}
				if e.Prefix == "" {
					w.Write(l3, "%s\t%s\tOptional: %t\n", name, from, opt)
				} else {
					w.Write(l3, "%s\t%s with prefix '%s'\tOptional: %t\n", name, from, e.Prefix, opt)
				}
			}
		}
		if len(c.Env) == 0 {
			w.Write(l2, "Environment:\t<none>\n")
		} else {
			w.Write(l2, "Environment:\n")
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				for i, s := range strings.Split(e.Value, "\n") {
					if i == 0 {
						w.Write(l3, "%s:\t%s\n", e.Name, s)
					} else {
						w.Write(l3, "\t%s\n", s)
					}
				}
				continue
			}
			switch vf := e.ValueFrom; {
			case vf.FieldRef != nil:
				w.Write(l3, "%s:\t%s (%s:%s)\n", e.Name, "", vf.FieldRef.APIVersion, vf.FieldRef.FieldPath)
			case vf.ResourceFieldRef != nil:
				w.Write(l3, "%s:\t%s (%s)\n", e.Name, "", vf.ResourceFieldRef.Resource)
			case vf.SecretKeyRef != nil:
				opt := vf.SecretKeyRef.Optional != nil && *vf.SecretKeyRef.Optional
				w.Write(l3, "%s:\t<set to the key '%s' in secret '%s'>\tOptional: %t\n", e.Name, vf.SecretKeyRef.Key, vf.SecretKeyRef.Name, opt)
			case vf.ConfigMapKeyRef != nil:
				opt := vf.ConfigMapKeyRef.Optional != nil && *vf.ConfigMapKeyRef.Optional
				w.Write(l3, "%s:\t<set to the key '%s' of config map '%s'>\tOptional: %t\n", e.Name, vf.ConfigMapKeyRef.Key, vf.ConfigMapKeyRef.Name, opt)
			}
		}
		if len(c.VolumeMounts) == 0 {
			w.Write(l2, "Mounts:\t<none>\n")
		} else {
			w.Write(l2, "Mounts:\n")
		}
		mounts := append([]core.VolumeMount(nil), c.VolumeMounts...)
		sort.SliceStable(mounts, func(i, j int) bool { return mounts[i].MountPath < mounts[j].MountPath })
		for _, m := range mounts {
			flags := []string{"rw"}
			if m.ReadOnly {
				flags = []string{"ro"}
			}
			if m.SubPath != "" {
				flags = append(flags, fmt.Sprintf("path=%q", m.SubPath))
			}
			w.Write(l3, "%s from %s (%s)\n", m.MountPath, m.Name, strings.Join(flags, ","))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func describeState(name string, s core.ContainerState, w *prefixWriter) {
	switch {
	case s.Running != nil:
		w.Write(l2, "%s:\tRunning\n", name)
		w.Write(l3, "Started:\t%v\n", rfc1123(s.Running.StartedAt))
	case s.Waiting != nil:
		w.Write(l2, "%s:\tWaiting\n", name)
		if s.Waiting.Reason != "" {
			w.Write(l3, "Reason:\t%s\n", s.Waiting.Reason)
		}
	case s.Terminated != nil:
		t := s.Terminated
		w.Write(l2, "%s:\tTerminated\n", name)
		if t.Reason != "" {
			w.Write(l3, "Reason:\t%s\n", t.Reason)
		}
		if t.Message != "" {
			w.Write(l3, "Message:\t%s\n", t.Message)
		}
		w.Write(l3, "Exit Code:\t%d\n", t.ExitCode)
		if t.Signal > 0 {
			w.Write(l3, "Signal:\t%d\n", t.Signal)
		}
		w.Write(l3, "Started:\t%s\n", rfc1123(t.StartedAt))
		w.Write(l3, "Finished:\t%s\n", rfc1123(t.FinishedAt))
	default:
		w.Write(l2, "%s:\tWaiting\n", name)
	}
}

func describeResources(r *core.ResourceRequirements, w *prefixWriter, level int) {
	if len(r.Limits) > 0 {
		w.Write(level, "Limits:\n")
	}
	for _, n := range sortedResourceNames(r.Limits) {
		q := r.Limits[n]
		w.Write(level+1, "%s:\t%s\n", n, q.String())
	}
	if len(r.Requests) > 0 {
		w.Write(level, "Requests:\n")
	}
	for _, n := range sortedResourceNames(r.Requests) {
		q := r.Requests[n]
		w.Write(level+1, "%s:\t%s\n", n, q.String())
	}
}

func sortedResourceNames(l core.ResourceList) []core.ResourceName {
	var names []core.ResourceName
	for n := range l {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

func describeProbe(w *prefixWriter, name string, p *core.Probe) {
	if p == nil {
		return
	}
	attrs := fmt.Sprintf("delay=%ds timeout=%ds period=%ds #success=%d #failure=%d", p.InitialDelaySeconds, p.TimeoutSeconds, p.PeriodSeconds, p.SuccessThreshold, p.FailureThreshold)
	var s string
	switch {
	case p.Exec != nil:
		s = fmt.Sprintf("exec %v %s", p.Exec.Command, attrs)
	case p.HTTPGet != nil:
		scheme := strings.ToLower(string(p.HTTPGet.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		s = fmt.Sprintf("http-get %s://%s:%s%s %s", scheme, p.HTTPGet.Host, p.HTTPGet.Port.String(), p.HTTPGet.Path, attrs)
	case p.TCPSocket != nil:
		s = fmt.Sprintf("tcp-socket %s:%s %s", p.TCPSocket.Host, p.TCPSocket.Port.String(), attrs)
	case p.GRPC != nil:
		s = fmt.Sprintf("grpc <pod>:%d %s %s", p.GRPC.Port, ptrString(p.GRPC.Service), attrs)
	default:
		s = "unknown " + attrs
	}
	w.Write(l2, "%s:\t%s\n", name, s)
}

func ptrString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func describeVolumes(vs []core.Volume, w *prefixWriter, space string) {
	if len(vs) == 0 {
		w.Write(l0, "%sVolumes:\t<none>\n", space)
		return
	}
	w.Write(l0, "%sVolumes:\n", space)
	for _, v := range vs {
		nameIndent := ""
		if space != "" {
			nameIndent = " "
		}
		w.Write(l1, "%s%v:\n", nameIndent, v.Name)
		switch s := v.VolumeSource; {
		case s.HostPath != nil:
			t := "<none>"
			if s.HostPath.Type != nil {
				t = string(*s.HostPath.Type)
			}
			w.Write(l2, "Type:\tHostPath (bare host directory volume)\n"+"    Path:\t%v\n"+"    HostPathType:\t%v\n", s.HostPath.Path, t)
		case s.EmptyDir != nil:
			limit := "<unset>"
			if s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Sign() > 0 {
				limit = s.EmptyDir.SizeLimit.String()
			}
			w.Write(l2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"+"    Medium:\t%s\n"+"    SizeLimit:\t%s\n", s.EmptyDir.Medium, limit)
		case s.Secret != nil:
			opt := s.Secret.Optional != nil && *s.Secret.Optional
			w.Write(l2, "Type:\tSecret (a volume populated by a Secret)\n"+"    SecretName:\t%v\n"+"    Optional:\t%v\n", s.Secret.SecretName, opt)
		case s.ConfigMap != nil:
			opt := s.ConfigMap.Optional != nil && *s.ConfigMap.Optional
			w.Write(l2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"+"    Name:\t%v\n"+"    Optional:\t%v\n", s.ConfigMap.Name, opt)
		case s.NFS != nil:
			w.Write(l2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"+"    Server:\t%v\n"+"    Path:\t%v\n"+"    ReadOnly:\t%v\n", s.NFS.Server, s.NFS.Path, s.NFS.ReadOnly)
		case s.PersistentVolumeClaim != nil:
			w.Write(l2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"+"    ClaimName:\t%v\n"+"    ReadOnly:\t%v\n", s.PersistentVolumeClaim.ClaimName, s.PersistentVolumeClaim.ReadOnly)
		default:
			w.Write(l1, "<unknown>\n")
		}
	}
}

// describePodTemplate writes the Pod Template section of controllers.
func describePodTemplate(t *core.PodTemplateSpec, w *prefixWriter) {
	w.Write(l0, "Pod Template:\n")
	if t == nil {
		w.Write(l1, "<unset>")
		return
	}
	printLabels(w, "  Labels", t.Labels)
	if len(t.Annotations) > 0 {
		printAnnotations(w, "  Annotations", t.Annotations)
	}
	if t.Spec.ServiceAccountName != "" {
		w.Write(l1, "Service Account:\t%s\n", t.Spec.ServiceAccountName)
	}
	if len(t.Spec.InitContainers) > 0 {
		describeContainers("Init Containers", t.Spec.InitContainers, nil, w, "  ")
	}
	describeContainers("Containers", t.Spec.Containers, nil, w, "  ")
	describeVolumes(t.Spec.Volumes, w, "  ")
	if t.Spec.PriorityClassName != "" {
		w.Write(l1, "Priority Class Name:\t%s\n", t.Spec.PriorityClassName)
	}
	printLabels(w, "  Node-Selectors", t.Spec.NodeSelector)
	printTolerations(w, "  Tolerations", t.Spec.Tolerations)
}

func printBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
