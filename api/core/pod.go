package core

import "seven.dev/api/meta"

// Pod is a group of containers scheduled together onto one node.
type Pod struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            PodSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status          PodStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// PodList is a list of pods.
type PodList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []Pod `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// PodSpec is the desired state of a pod.
type PodSpec struct {
	Volumes                       []Volume                   `json:"volumes,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name" protobuf:"bytes,1,rep,name=volumes"`
	InitContainers                []Container                `json:"initContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,20,rep,name=initContainers"`
	Containers                    []Container                `json:"containers" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,2,rep,name=containers"`
	EphemeralContainers           []EphemeralContainer       `json:"ephemeralContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,34,rep,name=ephemeralContainers"`
	RestartPolicy                 RestartPolicy              `json:"restartPolicy,omitempty" protobuf:"bytes,3,opt,name=restartPolicy"`
	TerminationGracePeriodSeconds *int64                     `json:"terminationGracePeriodSeconds,omitempty" protobuf:"varint,4,opt,name=terminationGracePeriodSeconds"`
	ActiveDeadlineSeconds         *int64                     `json:"activeDeadlineSeconds,omitempty" protobuf:"varint,5,opt,name=activeDeadlineSeconds"`
	DNSPolicy                     DNSPolicy                  `json:"dnsPolicy,omitempty" protobuf:"bytes,6,opt,name=dnsPolicy"`
	NodeSelector                  map[string]string          `json:"nodeSelector,omitempty" protobuf:"bytes,7,rep,name=nodeSelector"`
	ServiceAccountName            string                     `json:"serviceAccountName,omitempty" protobuf:"bytes,8,opt,name=serviceAccountName"`
	DeprecatedServiceAccount      string                     `json:"serviceAccount,omitempty" protobuf:"bytes,9,opt,name=serviceAccount"`
	AutomountServiceAccountToken  *bool                      `json:"automountServiceAccountToken,omitempty" protobuf:"varint,21,opt,name=automountServiceAccountToken"`
	NodeName                      string                     `json:"nodeName,omitempty" protobuf:"bytes,10,opt,name=nodeName"`
	HostNetwork                   bool                       `json:"hostNetwork,omitempty" protobuf:"varint,11,opt,name=hostNetwork"`
	HostPID                       bool                       `json:"hostPID,omitempty" protobuf:"varint,12,opt,name=hostPID"`
	HostIPC                       bool                       `json:"hostIPC,omitempty" protobuf:"varint,13,opt,name=hostIPC"`
	ShareProcessNamespace         *bool                      `json:"shareProcessNamespace,omitempty" protobuf:"varint,27,opt,name=shareProcessNamespace"`
	SecurityContext               *PodSecurityContext        `json:"securityContext,omitempty" protobuf:"bytes,14,opt,name=securityContext"`
	ImagePullSecrets              []LocalObjectReference     `json:"imagePullSecrets,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,15,rep,name=imagePullSecrets"`
	Hostname                      string                     `json:"hostname,omitempty" protobuf:"bytes,16,opt,name=hostname"`
	Subdomain                     string                     `json:"subdomain,omitempty" protobuf:"bytes,17,opt,name=subdomain"`
	Affinity                      *Affinity                  `json:"affinity,omitempty" protobuf:"bytes,18,opt,name=affinity"`
	SchedulerName                 string                     `json:"schedulerName,omitempty" protobuf:"bytes,19,opt,name=schedulerName"`
	Tolerations                   []Toleration               `json:"tolerations,omitempty" protobuf:"bytes,22,rep,name=tolerations"`
	HostAliases                   []HostAlias                `json:"hostAliases,omitempty" patchStrategy:"merge" patchMergeKey:"ip" protobuf:"bytes,23,rep,name=hostAliases"`
	PriorityClassName             string                     `json:"priorityClassName,omitempty" protobuf:"bytes,24,opt,name=priorityClassName"`
	Priority                      *int32                     `json:"priority,omitempty" protobuf:"varint,25,opt,name=priority"`
	DNSConfig                     *PodDNSConfig              `json:"dnsConfig,omitempty" protobuf:"bytes,26,opt,name=dnsConfig"`
	ReadinessGates                []PodReadinessGate         `json:"readinessGates,omitempty" protobuf:"bytes,28,rep,name=readinessGates"`
	RuntimeClassName              *string                    `json:"runtimeClassName,omitempty" protobuf:"bytes,29,opt,name=runtimeClassName"`
	EnableServiceLinks            *bool                      `json:"enableServiceLinks,omitempty" protobuf:"varint,30,opt,name=enableServiceLinks"`
	PreemptionPolicy              *PreemptionPolicy          `json:"preemptionPolicy,omitempty" protobuf:"bytes,31,opt,name=preemptionPolicy"`
	Overhead                      ResourceList               `json:"overhead,omitempty" protobuf:"bytes,32,rep,name=overhead"`
	TopologySpreadConstraints     []TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty" patchStrategy:"merge" patchMergeKey:"topologyKey" protobuf:"bytes,33,rep,name=topologySpreadConstraints"`
	SetHostnameAsFQDN             *bool                      `json:"setHostnameAsFQDN,omitempty" protobuf:"varint,35,opt,name=setHostnameAsFQDN"`
	OS                            *PodOS                     `json:"os,omitempty" protobuf:"bytes,36,opt,name=os"`
	HostUsers                     *bool                      `json:"hostUsers,omitempty" protobuf:"varint,37,opt,name=hostUsers"`
	SchedulingGates               []PodSchedulingGate        `json:"schedulingGates,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,38,rep,name=schedulingGates"`
	Resources                     *ResourceRequirements      `json:"resources,omitempty" protobuf:"bytes,40,opt,name=resources"`
}

// RestartPolicy says when the kubelet restarts the containers of a pod.
type RestartPolicy string

// Values of RestartPolicy.
const (
	RestartPolicyAlways    RestartPolicy = "Always"
	RestartPolicyOnFailure RestartPolicy = "OnFailure"
	RestartPolicyNever     RestartPolicy = "Never"
)

// DNSPolicy says how a pod's resolv.conf is built.
type DNSPolicy string

// Values of DNSPolicy.
const (
	DNSClusterFirstWithHostNet DNSPolicy = "ClusterFirstWithHostNet"
	DNSClusterFirst            DNSPolicy = "ClusterFirst"
	DNSDefault                 DNSPolicy = "Default"
	DNSNone                    DNSPolicy = "None"
)

// DefaultSchedulerName is the schedulerName a pod gets when it names none.
const DefaultSchedulerName = "default-scheduler"

// DefaultTerminationGracePeriodSeconds is the grace period a pod gets when it sets none.
const DefaultTerminationGracePeriodSeconds int64 = 30

// PreemptionPolicy says whether a pod may preempt lower-priority pods.
type PreemptionPolicy string

// Values of PreemptionPolicy.
const (
	PreemptLowerPriority PreemptionPolicy = "PreemptLowerPriority"
	PreemptNever         PreemptionPolicy = "Never"
)

// HostAlias adds an entry to a pod's /etc/hosts.
type HostAlias struct {
	IP        string   `json:"ip" protobuf:"bytes,1,opt,name=ip"`
	Hostnames []string `json:"hostnames,omitempty" protobuf:"bytes,2,rep,name=hostnames"`
}

// PodDNSConfig adds to the resolv.conf generated by the DNS policy.
type PodDNSConfig struct {
	Nameservers []string             `json:"nameservers,omitempty" protobuf:"bytes,1,rep,name=nameservers"`
	Searches    []string             `json:"searches,omitempty" protobuf:"bytes,2,rep,name=searches"`
	Options     []PodDNSConfigOption `json:"options,omitempty" protobuf:"bytes,3,rep,name=options"`
}

// PodDNSConfigOption is one resolver option ("ndots", "2").
type PodDNSConfigOption struct {
	Name  string  `json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`
	Value *string `json:"value,omitempty" protobuf:"bytes,2,opt,name=value"`
}

// PodReadinessGate names an extra condition that must be True for the pod to be Ready.
type PodReadinessGate struct {
	ConditionType PodConditionType `json:"conditionType" protobuf:"bytes,1,opt,name=conditionType"`
}

// PodOS names the operating system a pod's containers need.
type PodOS struct {
	Name OSName `json:"name" protobuf:"bytes,1,opt,name=name"`
}

// OSName is an operating system name as GOOS spells it.
type OSName string

// Values of OSName.
const (
	Linux   OSName = "linux"
	Windows OSName = "windows"
)

// PodSchedulingGate holds a pod back from scheduling while present.
type PodSchedulingGate struct {
	Name string `json:"name" protobuf:"bytes,1,opt,name=name"`
}

// PodStatus is the observed state of a pod.
type PodStatus struct {
	Phase                      PodPhase          `json:"phase,omitempty" protobuf:"bytes,1,opt,name=phase"`
	Conditions                 []PodCondition    `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,2,rep,name=conditions"`
	Message                    string            `json:"message,omitempty" protobuf:"bytes,3,opt,name=message"`
	Reason                     string            `json:"reason,omitempty" protobuf:"bytes,4,opt,name=reason"`
	NominatedNodeName          string            `json:"nominatedNodeName,omitempty" protobuf:"bytes,11,opt,name=nominatedNodeName"`
	HostIP                     string            `json:"hostIP,omitempty" protobuf:"bytes,5,opt,name=hostIP"`
	HostIPs                    []HostIP          `json:"hostIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip" protobuf:"bytes,16,rep,name=hostIPs"`
	PodIP                      string            `json:"podIP,omitempty" protobuf:"bytes,6,opt,name=podIP"`
	PodIPs                     []PodIP           `json:"podIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip" protobuf:"bytes,12,rep,name=podIPs"`
	StartTime                  *meta.Time        `json:"startTime,omitempty" protobuf:"bytes,7,opt,name=startTime"`
	InitContainerStatuses      []ContainerStatus `json:"initContainerStatuses,omitempty" protobuf:"bytes,10,rep,name=initContainerStatuses"`
	ContainerStatuses          []ContainerStatus `json:"containerStatuses,omitempty" protobuf:"bytes,8,rep,name=containerStatuses"`
	QOSClass                   PodQOSClass       `json:"qosClass,omitempty" protobuf:"bytes,9,opt,name=qosClass"`
	EphemeralContainerStatuses []ContainerStatus `json:"ephemeralContainerStatuses,omitempty" protobuf:"bytes,13,rep,name=ephemeralContainerStatuses"`
	Resize                     PodResizeStatus   `json:"resize,omitempty" protobuf:"bytes,14,opt,name=resize"`
}

// PodPhase is the coarse lifecycle phase of a pod.
type PodPhase string

// Values of PodPhase.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"
)

// PodConditionType names a condition of a pod.
type PodConditionType string

// Values of PodConditionType.
const (
	ContainersReady           PodConditionType = "ContainersReady"
	PodInitialized            PodConditionType = "Initialized"
	PodReady                  PodConditionType = "Ready"
	PodScheduled              PodConditionType = "PodScheduled"
	DisruptionTarget          PodConditionType = "DisruptionTarget"
	PodReadyToStartContainers PodConditionType = "PodReadyToStartContainers"
)

// Reasons used in pod conditions and status.
const (
	PodReasonUnschedulable            = "Unschedulable"
	PodReasonSchedulingGated          = "SchedulingGated"
	PodReasonSchedulerError           = "SchedulerError"
	PodReasonTerminationByKubelet     = "TerminationByKubelet"
	PodReasonPreemptionByScheduler    = "PreemptionByScheduler"
	PodReasonDeletionByTaintManager   = "DeletionByTaintManager"
	PodReasonEvictionByEvictionAPI    = "EvictionByEvictionAPI"
	PodReasonNodeLost                 = "NodeLost"
	PodReasonEvicted                  = "Evicted"
	PodReasonDeadlineExceeded         = "DeadlineExceeded"
	PodReasonPodCompleted             = "PodCompleted"
	PodReasonContainersNotReady       = "ContainersNotReady"
	PodReasonContainersNotInitialized = "ContainersNotInitialized"
)

// PodCondition is one condition of a pod.
type PodCondition struct {
	Type               PodConditionType `json:"type" protobuf:"bytes,1,opt,name=type"`
	Status             ConditionStatus  `json:"status" protobuf:"bytes,2,opt,name=status"`
	LastProbeTime      meta.Time        `json:"lastProbeTime,omitzero" protobuf:"bytes,3,opt,name=lastProbeTime"`
	LastTransitionTime meta.Time        `json:"lastTransitionTime,omitzero" protobuf:"bytes,4,opt,name=lastTransitionTime"`
	Reason             string           `json:"reason,omitempty" protobuf:"bytes,5,opt,name=reason"`
	Message            string           `json:"message,omitempty" protobuf:"bytes,6,opt,name=message"`
}

// HostIP is one address of the node a pod runs on.
type HostIP struct {
	IP string `json:"ip" protobuf:"bytes,1,opt,name=ip"`
}

// PodIP is one address of a pod.
type PodIP struct {
	IP string `json:"ip" protobuf:"bytes,1,opt,name=ip"`
}

// PodQOSClass is the quality-of-service class of a pod, derived from its resources.
type PodQOSClass string

// Values of PodQOSClass.
const (
	PodQOSGuaranteed PodQOSClass = "Guaranteed"
	PodQOSBurstable  PodQOSClass = "Burstable"
	PodQOSBestEffort PodQOSClass = "BestEffort"
)

// PodResizeStatus is the state of an in-place resize of a pod's resources.
type PodResizeStatus string

// Values of PodResizeStatus.
const (
	PodResizeStatusProposed   PodResizeStatus = "Proposed"
	PodResizeStatusInProgress PodResizeStatus = "InProgress"
	PodResizeStatusDeferred   PodResizeStatus = "Deferred"
	PodResizeStatusInfeasible PodResizeStatus = "Infeasible"
)

// ContainerStatus is the observed state of one container of a pod.
type ContainerStatus struct {
	Name                 string                `json:"name" protobuf:"bytes,1,opt,name=name"`
	State                ContainerState        `json:"state,omitempty" protobuf:"bytes,2,opt,name=state"`
	LastTerminationState ContainerState        `json:"lastState,omitempty" protobuf:"bytes,3,opt,name=lastState"`
	Ready                bool                  `json:"ready" protobuf:"varint,4,opt,name=ready"`
	RestartCount         int32                 `json:"restartCount" protobuf:"varint,5,opt,name=restartCount"`
	Image                string                `json:"image" protobuf:"bytes,6,opt,name=image"`
	ImageID              string                `json:"imageID" protobuf:"bytes,7,opt,name=imageID"`
	ContainerID          string                `json:"containerID,omitempty" protobuf:"bytes,8,opt,name=containerID"`
	Started              *bool                 `json:"started,omitempty" protobuf:"varint,9,opt,name=started"`
	AllocatedResources   ResourceList          `json:"allocatedResources,omitempty" protobuf:"bytes,10,rep,name=allocatedResources"`
	Resources            *ResourceRequirements `json:"resources,omitempty" protobuf:"bytes,11,opt,name=resources"`
	VolumeMounts         []VolumeMountStatus   `json:"volumeMounts,omitempty" patchStrategy:"merge" patchMergeKey:"mountPath" protobuf:"bytes,12,rep,name=volumeMounts"`
}

// ContainerState is the state of a container; at most one member is set.
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty" protobuf:"bytes,1,opt,name=waiting"`
	Running    *ContainerStateRunning    `json:"running,omitempty" protobuf:"bytes,2,opt,name=running"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty" protobuf:"bytes,3,opt,name=terminated"`
}

// ContainerStateWaiting is a container not yet running, and why.
type ContainerStateWaiting struct {
	Reason  string `json:"reason,omitempty" protobuf:"bytes,1,opt,name=reason"`
	Message string `json:"message,omitempty" protobuf:"bytes,2,opt,name=message"`
}

// ContainerStateRunning is a running container.
type ContainerStateRunning struct {
	StartedAt meta.Time `json:"startedAt,omitzero" protobuf:"bytes,1,opt,name=startedAt"`
}

// ContainerStateTerminated is a container that has exited.
type ContainerStateTerminated struct {
	ExitCode    int32     `json:"exitCode" protobuf:"varint,1,opt,name=exitCode"`
	Signal      int32     `json:"signal,omitempty" protobuf:"varint,2,opt,name=signal"`
	Reason      string    `json:"reason,omitempty" protobuf:"bytes,3,opt,name=reason"`
	Message     string    `json:"message,omitempty" protobuf:"bytes,4,opt,name=message"`
	StartedAt   meta.Time `json:"startedAt,omitzero" protobuf:"bytes,5,opt,name=startedAt"`
	FinishedAt  meta.Time `json:"finishedAt,omitzero" protobuf:"bytes,6,opt,name=finishedAt"`
	ContainerID string    `json:"containerID,omitempty" protobuf:"bytes,7,opt,name=containerID"`
}

// VolumeMountStatus is the observed state of one volume mount.
type VolumeMountStatus struct {
	Name              string                 `json:"name" protobuf:"bytes,1,opt,name=name"`
	MountPath         string                 `json:"mountPath" protobuf:"bytes,2,opt,name=mountPath"`
	ReadOnly          bool                   `json:"readOnly,omitempty" protobuf:"varint,3,opt,name=readOnly"`
	RecursiveReadOnly *RecursiveReadOnlyMode `json:"recursiveReadOnly,omitempty" protobuf:"bytes,4,opt,name=recursiveReadOnly"`
}

// PodTemplateSpec is the pod a controller stamps out.
type PodTemplateSpec struct {
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            PodSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
}

// PodTemplate is a stored pod template.
type PodTemplate struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Template        PodTemplateSpec `json:"template,omitempty" protobuf:"bytes,2,opt,name=template"`
}

// PodTemplateList is a list of pod templates.
type PodTemplateList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []PodTemplate `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// Binding binds a pod to a node; the scheduler posts it to pods/binding.
type Binding struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Target          ObjectReference `json:"target" protobuf:"bytes,2,opt,name=target"`
}
