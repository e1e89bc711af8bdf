package printers

// Column descriptions. Upstream fills TableColumnDefinition.Description from the
// generated SwaggerDoc of its API types (k8s.io/api and k8s.io/apimachinery at
// v0.32.0); kubectl ignores them, but clients that show them (and byte-for-byte
// comparisons) see these exact strings. Each names the type and field it was
// taken from. The API versions are the ones upstream's printers reference,
// which for apps kinds is still extensions/v1beta1.
const (
	// descName is meta/v1 ObjectMeta.name.
	descName = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"

	// descCreationTimestamp is meta/v1 ObjectMeta.creationTimestamp.
	descCreationTimestamp = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

	// descPodIP is core/v1 PodStatus.podIP.
	descPodIP = "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."

	// descPodNodeName is core/v1 PodSpec.nodeName.
	descPodNodeName = "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename"

	// descPodNominatedNodeName is core/v1 PodStatus.nominatedNodeName.
	descPodNominatedNodeName = "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled."

	// descPodReadinessGates is core/v1 PodSpec.readinessGates.
	descPodReadinessGates = "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"

	// descRCSpecReplicas is core/v1 ReplicationControllerSpec.replicas.
	descRCSpecReplicas = "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"

	// descRCStatusReplicas is core/v1 ReplicationControllerStatus.replicas.
	descRCStatusReplicas = "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"

	// descRCStatusReadyReplicas is core/v1 ReplicationControllerStatus.readyReplicas.
	descRCStatusReadyReplicas = "The number of ready replicas for this replication controller."

	// descRCSelector is core/v1 ReplicationControllerSpec.selector.
	descRCSelector = "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"

	// descRSSpecReplicas is extensions/v1beta1 ReplicaSetSpec.replicas.
	descRSSpecReplicas = "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"

	// descRSStatusReplicas is extensions/v1beta1 ReplicaSetStatus.replicas.
	descRSStatusReplicas = "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"

	// descRSStatusReadyReplicas is extensions/v1beta1 ReplicaSetStatus.readyReplicas.
	descRSStatusReadyReplicas = "The number of ready replicas for this replica set."

	// descRSSelector is extensions/v1beta1 ReplicaSetSpec.selector.
	descRSSelector = "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"

	// descDSDesired is extensions/v1beta1 DaemonSetStatus.desiredNumberScheduled.
	descDSDesired = "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"

	// descDSCurrent is extensions/v1beta1 DaemonSetStatus.currentNumberScheduled.
	descDSCurrent = "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"

	// descDSReady is extensions/v1beta1 DaemonSetStatus.numberReady.
	descDSReady = "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."

	// descDSUpdated is extensions/v1beta1 DaemonSetStatus.updatedNumberScheduled.
	descDSUpdated = "The total number of nodes that are running updated daemon pod"

	// descDSAvailable is extensions/v1beta1 DaemonSetStatus.numberAvailable.
	descDSAvailable = "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"

	// descPodNodeSelector is core/v1 PodSpec.nodeSelector.
	descPodNodeSelector = "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"

	// descDSSelector is extensions/v1beta1 DaemonSetSpec.selector.
	descDSSelector = "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"

	// descJobSucceeded is batch/v1 JobStatus.succeeded.
	descJobSucceeded = "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."

	// descJobSelector is batch/v1 JobSpec.selector.
	descJobSelector = "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"

	// descServiceType is core/v1 ServiceSpec.type.
	descServiceType = "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"

	// descServiceClusterIP is core/v1 ServiceSpec.clusterIP.
	descServiceClusterIP = "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"

	// descServiceExternalIPs is core/v1 ServiceSpec.externalIPs.
	descServiceExternalIPs = "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."

	// descServicePorts is core/v1 ServiceSpec.ports.
	descServicePorts = "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"

	// descServiceSelector is core/v1 ServiceSpec.selector.
	descServiceSelector = "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/"

	// descEndpointsSubsets is core/v1 Endpoints.subsets.
	descEndpointsSubsets = "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."

	// descNodeKubeletVersion is core/v1 NodeSystemInfo.kubeletVersion.
	descNodeKubeletVersion = "Kubelet Version reported by the node."

	// descNodeAddresses is core/v1 NodeStatus.addresses.
	descNodeAddresses = "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP)."

	// descNodeOSImage is core/v1 NodeSystemInfo.osImage.
	descNodeOSImage = "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."

	// descNodeKernelVersion is core/v1 NodeSystemInfo.kernelVersion.
	descNodeKernelVersion = "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."

	// descNodeContainerRuntime is core/v1 NodeSystemInfo.containerRuntimeVersion.
	descNodeContainerRuntime = "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."

	// descEventLastTimestamp is core/v1 Event.lastTimestamp.
	descEventLastTimestamp = "The time at which the most recent occurrence of this event was recorded."

	// descEventType is core/v1 Event.type.
	descEventType = "Type of this event (Normal, Warning), new types could be added in the future"

	// descEventReason is core/v1 Event.reason.
	descEventReason = "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."

	// descEventInvolvedObject is core/v1 Event.involvedObject.
	descEventInvolvedObject = "The object that this event is about."

	// descObjectReferenceFieldPath is core/v1 ObjectReference.fieldPath.
	descObjectReferenceFieldPath = "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object."

	// descEventSource is core/v1 Event.source.
	descEventSource = "The component reporting this event. Should be a short machine understandable string."

	// descEventMessage is core/v1 Event.message.
	descEventMessage = "A human-readable description of the status of this operation."

	// descEventFirstTimestamp is core/v1 Event.firstTimestamp.
	descEventFirstTimestamp = "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"

	// descEventCount is core/v1 Event.count.
	descEventCount = "The number of times this event has occurred."

	// descSecretType is core/v1 Secret.type.
	descSecretType = "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"

	// descSecretData is core/v1 Secret.data.
	descSecretData = "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"

	// descServiceAccountSecrets is core/v1 ServiceAccount.secrets.
	descServiceAccountSecrets = "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret"

	// descDeploymentUpdated is extensions/v1beta1 DeploymentStatus.updatedReplicas.
	descDeploymentUpdated = "Total number of non-terminated pods targeted by this deployment that have the desired template spec."

	// descDeploymentAvailable is extensions/v1beta1 DeploymentStatus.availableReplicas.
	descDeploymentAvailable = "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."

	// descDeploymentSelector is extensions/v1beta1 DeploymentSpec.selector.
	descDeploymentSelector = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."

	// descConfigMapData is core/v1 ConfigMap.data.
	descConfigMapData = "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."

	// descLeaseHolder is coordination/v1 LeaseSpec.holderIdentity.
	descLeaseHolder = "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."
)

// Descriptions upstream writes inline in its printers rather than taking from
// an API type.
const (
	descPodReady           = "The aggregate readiness state of this pod for accepting traffic."
	descPodStatus          = "The aggregate status of the containers in this pod."
	descPodRestarts        = "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
	descTemplateContainers = "Names of each container in the template."
	descTemplateImages     = "Images referenced by each container in the template."
	descDeploymentReady    = "Number of the pod with ready state"
	descJobStatus          = "Status of the job."
	descJobDuration        = "Time required to complete the job."
	descNodeStatus         = "The status of the node"
	descNodeRoles          = "The roles of the node"
	descNamespaceStatus    = "The status of the namespace"
	descQuotaRequest       = "Request represents a minimum amount of cpu/memory that a container may consume."
	descQuotaLimit         = "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."
)
