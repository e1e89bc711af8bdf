package defaults

import (
	"seven.dev/api/core"
)

// Values upstream fills that core does not name as constants.
const (
	defaultProbeTimeoutSeconds     = 1
	defaultProbePeriodSeconds      = 10
	defaultProbeSuccessThreshold   = 1
	defaultProbeFailureThreshold   = 3
	defaultHTTPGetPath             = "/"
	defaultTokenExpirationSeconds  = 3600
	defaultPodPriority             = 0
	defaultFieldSelectorAPIVersion = "v1"
)

// The built-in priority classes every cluster has, and their values.
const (
	systemNodeCritical            = "system-node-critical"
	systemNodeCriticalPriority    = 2000001000
	systemClusterCritical         = "system-cluster-critical"
	systemClusterCriticalPriority = 2000000000
)

// Pod defaults a pod: its spec as PodSpec does, plus what only pods (never
// templates) get: requests copied from limits, enableServiceLinks, host
// ports under hostNetwork, and the priority and preemption policy the
// Priority admission plugin sets for no class or a built-in one (other
// classes are looked up by whoever serves PriorityClasses).
func Pod(pod *core.Pod) {
	spec := &pod.Spec
	for _, list := range [][]core.Container{spec.Containers, spec.InitContainers} {
		for i := range list {
			requestsFromLimits(&list[i].Resources)
		}
	}
	if spec.EnableServiceLinks == nil {
		spec.EnableServiceLinks = new(true)
	}
	if spec.HostNetwork {
		hostPortsFromContainerPorts(spec.Containers)
		hostPortsFromContainerPorts(spec.InitContainers)
	}
	if spec.Priority == nil {
		switch spec.PriorityClassName {
		case "":
			spec.Priority = new(int32(defaultPodPriority))
		case systemNodeCritical:
			spec.Priority = new(int32(systemNodeCriticalPriority))
		case systemClusterCritical:
			spec.Priority = new(int32(systemClusterCriticalPriority))
		}
	}
	if spec.PreemptionPolicy == nil {
		spec.PreemptionPolicy = new(core.PreemptLowerPriority)
	}
	PodSpec(spec)
}

// PodTemplateSpec defaults the pod template of a controller. Templates get
// the PodSpec defaults only: the pod-only ones materialise when the
// controller creates the pod.
func PodTemplateSpec(t *core.PodTemplateSpec) {
	if t != nil {
		PodSpec(&t.Spec)
	}
}

// PodSpec defaults a pod spec wherever it appears (pods and templates):
// policies, scheduler, grace period, security context, the deprecated
// serviceAccount alias, and every container, probe and volume.
func PodSpec(spec *core.PodSpec) {
	if spec.DNSPolicy == "" {
		spec.DNSPolicy = core.DNSClusterFirst
	}
	if spec.RestartPolicy == "" {
		spec.RestartPolicy = core.RestartPolicyAlways
	}
	if spec.SecurityContext == nil {
		spec.SecurityContext = &core.PodSecurityContext{}
	}
	if spec.TerminationGracePeriodSeconds == nil {
		spec.TerminationGracePeriodSeconds = new(core.DefaultTerminationGracePeriodSeconds)
	}
	if spec.SchedulerName == "" {
		spec.SchedulerName = core.DefaultSchedulerName
	}
	// Upstream's conversion treats serviceAccount as an alias of
	// serviceAccountName (the new field wins) and always writes it back.
	if spec.ServiceAccountName == "" {
		spec.ServiceAccountName = spec.DeprecatedServiceAccount
	}
	spec.DeprecatedServiceAccount = spec.ServiceAccountName

	for i := range spec.Volumes {
		volume(&spec.Volumes[i])
	}
	for i := range spec.InitContainers {
		Container(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		Container(&spec.Containers[i])
	}
	for i := range spec.EphemeralContainers {
		Container(&spec.EphemeralContainers[i].Container)
	}
}

// Container defaults one container: image pull policy, termination
// message, port protocols, downward API versions, probes and hooks.
func Container(c *core.Container) {
	if c.ImagePullPolicy == "" {
		if imageTag(c.Image) == "latest" {
			c.ImagePullPolicy = core.PullAlways
		} else {
			c.ImagePullPolicy = core.PullIfNotPresent
		}
	}
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = core.TerminationMessagePathDefault
	}
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = core.TerminationMessageReadFile
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = core.ProtocolTCP
		}
	}
	for i := range c.Env {
		if from := c.Env[i].ValueFrom; from != nil && from.FieldRef != nil {
			fieldSelector(from.FieldRef)
		}
	}
	for _, p := range []*core.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p != nil {
			probe(p)
		}
	}
	if c.Lifecycle != nil {
		for _, h := range []*core.LifecycleHandler{c.Lifecycle.PostStart, c.Lifecycle.PreStop} {
			if h != nil && h.HTTPGet != nil {
				httpGet(h.HTTPGet)
			}
		}
	}
}

func probe(p *core.Probe) {
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = defaultProbeTimeoutSeconds
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = defaultProbePeriodSeconds
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = defaultProbeSuccessThreshold
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = defaultProbeFailureThreshold
	}
	if p.HTTPGet != nil {
		httpGet(p.HTTPGet)
	}
	if p.GRPC != nil && p.GRPC.Service == nil {
		p.GRPC.Service = new("")
	}
}

func httpGet(h *core.HTTPGetAction) {
	if h.Path == "" {
		h.Path = defaultHTTPGetPath
	}
	if h.Scheme == "" {
		h.Scheme = core.URISchemeHTTP
	}
}

func fieldSelector(f *core.ObjectFieldSelector) {
	if f.APIVersion == "" {
		f.APIVersion = defaultFieldSelectorAPIVersion
	}
}

// volume gives a source-less volume an emptyDir, as upstream does, and
// defaults the file modes and types of the sources that have them.
func volume(v *core.Volume) {
	src := &v.VolumeSource
	if *src == (core.VolumeSource{}) {
		src.EmptyDir = &core.EmptyDirVolumeSource{}
	}
	if src.HostPath != nil && src.HostPath.Type == nil {
		src.HostPath.Type = new(core.HostPathUnset)
	}
	if src.Secret != nil && src.Secret.DefaultMode == nil {
		src.Secret.DefaultMode = new(core.SecretVolumeSourceDefaultMode)
	}
	if src.ConfigMap != nil && src.ConfigMap.DefaultMode == nil {
		src.ConfigMap.DefaultMode = new(core.ConfigMapVolumeSourceDefaultMode)
	}
	if d := src.DownwardAPI; d != nil {
		if d.DefaultMode == nil {
			d.DefaultMode = new(core.DownwardAPIVolumeSourceDefaultMode)
		}
		downwardAPIFiles(d.Items)
	}
	if p := src.Projected; p != nil {
		if p.DefaultMode == nil {
			p.DefaultMode = new(core.ProjectedVolumeSourceDefaultMode)
		}
		for i := range p.Sources {
			s := &p.Sources[i]
			if s.DownwardAPI != nil {
				downwardAPIFiles(s.DownwardAPI.Items)
			}
			if t := s.ServiceAccountToken; t != nil && t.ExpirationSeconds == nil {
				t.ExpirationSeconds = new(int64(defaultTokenExpirationSeconds))
			}
		}
	}
}

func downwardAPIFiles(items []core.DownwardAPIVolumeFile) {
	for i := range items {
		if items[i].FieldRef != nil {
			fieldSelector(items[i].FieldRef)
		}
	}
}

// requestsFromLimits copies every limit without a matching request into
// requests, so that a container that only sets limits is Guaranteed.
func requestsFromLimits(r *core.ResourceRequirements) {
	if r.Limits == nil {
		return
	}
	if r.Requests == nil {
		r.Requests = make(core.ResourceList, len(r.Limits))
	}
	for name, q := range r.Limits {
		if _, ok := r.Requests[name]; !ok {
			r.Requests[name] = q.DeepCopy()
		}
	}
}

// hostPortsFromContainerPorts makes every port of a host-network pod a host
// port, which is what it is in fact.
func hostPortsFromContainerPorts(containers []core.Container) {
	for i := range containers {
		for j := range containers[i].Ports {
			p := &containers[i].Ports[j]
			if p.HostPort == 0 {
				p.HostPort = p.ContainerPort
			}
		}
	}
}
