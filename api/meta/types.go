package meta

import "encoding/json"

// TypeMeta names the kind and API version of a serialised object.
type TypeMeta struct {
	Kind       string `json:"kind,omitempty" protobuf:"bytes,1,opt,name=kind"`
	APIVersion string `json:"apiVersion,omitempty" protobuf:"bytes,2,opt,name=apiVersion"`
}

// GetTypeMeta gives access to the type fields of any kind that embeds TypeMeta.
func (t *TypeMeta) GetTypeMeta() *TypeMeta { return t }

// ObjectMeta is the metadata every persisted object carries.
type ObjectMeta struct {
	Name                       string            `json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`
	GenerateName               string            `json:"generateName,omitempty" protobuf:"bytes,2,opt,name=generateName"`
	Namespace                  string            `json:"namespace,omitempty" protobuf:"bytes,3,opt,name=namespace"`
	SelfLink                   string            `json:"selfLink,omitempty" protobuf:"bytes,4,opt,name=selfLink"`
	UID                        string            `json:"uid,omitempty" protobuf:"bytes,5,opt,name=uid"`
	ResourceVersion            string            `json:"resourceVersion,omitempty" protobuf:"bytes,6,opt,name=resourceVersion"`
	Generation                 int64             `json:"generation,omitempty" protobuf:"varint,7,opt,name=generation"`
	CreationTimestamp          Time              `json:"creationTimestamp,omitzero" protobuf:"bytes,8,opt,name=creationTimestamp"`
	DeletionTimestamp          *Time             `json:"deletionTimestamp,omitempty" protobuf:"bytes,9,opt,name=deletionTimestamp"`
	DeletionGracePeriodSeconds *int64            `json:"deletionGracePeriodSeconds,omitempty" protobuf:"varint,10,opt,name=deletionGracePeriodSeconds"`
	Labels                     map[string]string `json:"labels,omitempty" protobuf:"bytes,11,rep,name=labels"`
	Annotations                map[string]string `json:"annotations,omitempty" protobuf:"bytes,12,rep,name=annotations"`
	OwnerReferences            []OwnerReference  `json:"ownerReferences,omitempty" patchStrategy:"merge" patchMergeKey:"uid" protobuf:"bytes,13,rep,name=ownerReferences"`
	Finalizers                 []string          `json:"finalizers,omitempty" patchStrategy:"merge" protobuf:"bytes,14,rep,name=finalizers"`
}

// GetObjectMeta gives access to the metadata of any kind that embeds ObjectMeta.
func (m *ObjectMeta) GetObjectMeta() *ObjectMeta { return m }

// Object is implemented by every persisted kind (by embedding TypeMeta and ObjectMeta).
type Object interface {
	GetTypeMeta() *TypeMeta
	GetObjectMeta() *ObjectMeta
}

// ListMeta is the metadata of a list response.
type ListMeta struct {
	SelfLink           string `json:"selfLink,omitempty" protobuf:"bytes,1,opt,name=selfLink"`
	ResourceVersion    string `json:"resourceVersion,omitempty" protobuf:"bytes,2,opt,name=resourceVersion"`
	Continue           string `json:"continue,omitempty" protobuf:"bytes,3,opt,name=continue"`
	RemainingItemCount *int64 `json:"remainingItemCount,omitempty" protobuf:"varint,4,opt,name=remainingItemCount"`
}

// OwnerReference points from a dependent to its owner for garbage collection.
type OwnerReference struct {
	APIVersion         string `json:"apiVersion" protobuf:"bytes,5,opt,name=apiVersion"`
	Kind               string `json:"kind" protobuf:"bytes,1,opt,name=kind"`
	Name               string `json:"name" protobuf:"bytes,3,opt,name=name"`
	UID                string `json:"uid" protobuf:"bytes,4,opt,name=uid"`
	Controller         *bool  `json:"controller,omitempty" protobuf:"varint,6,opt,name=controller"`
	BlockOwnerDeletion *bool  `json:"blockOwnerDeletion,omitempty" protobuf:"varint,7,opt,name=blockOwnerDeletion"`
}

// LabelSelector is the structured selector of apps/v1 and batch/v1 kinds.
type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty" protobuf:"bytes,1,rep,name=matchLabels"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty" protobuf:"bytes,2,rep,name=matchExpressions"`
}

// LabelSelectorRequirement is one set-based requirement of a LabelSelector.
type LabelSelectorRequirement struct {
	Key      string   `json:"key" patchStrategy:"merge" patchMergeKey:"key" protobuf:"bytes,1,opt,name=key"`
	Operator string   `json:"operator" protobuf:"bytes,2,opt,name=operator"`
	Values   []string `json:"values,omitempty" protobuf:"bytes,3,rep,name=values"`
}

// Label selector operators.
const (
	LabelSelectorOpIn           = "In"
	LabelSelectorOpNotIn        = "NotIn"
	LabelSelectorOpExists       = "Exists"
	LabelSelectorOpDoesNotExist = "DoesNotExist"
)

// Status is the result of an operation that does not return an object, and every error.
type Status struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Status   string         `json:"status,omitempty" protobuf:"bytes,2,opt,name=status"`
	Message  string         `json:"message,omitempty" protobuf:"bytes,3,opt,name=message"`
	Reason   string         `json:"reason,omitempty" protobuf:"bytes,4,opt,name=reason"`
	Details  *StatusDetails `json:"details,omitempty" protobuf:"bytes,5,opt,name=details"`
	Code     int32          `json:"code,omitempty" protobuf:"varint,6,opt,name=code"`
}

// StatusDetails names the object an error is about and its causes.
type StatusDetails struct {
	Name              string        `json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`
	Group             string        `json:"group,omitempty" protobuf:"bytes,2,opt,name=group"`
	Kind              string        `json:"kind,omitempty" protobuf:"bytes,3,opt,name=kind"`
	UID               string        `json:"uid,omitempty" protobuf:"bytes,6,opt,name=uid"`
	Causes            []StatusCause `json:"causes,omitempty" protobuf:"bytes,4,rep,name=causes"`
	RetryAfterSeconds int32         `json:"retryAfterSeconds,omitempty" protobuf:"varint,5,opt,name=retryAfterSeconds"`
}

// StatusCause is one reason an operation failed, often with the field at fault.
type StatusCause struct {
	Type    string `json:"reason,omitempty" protobuf:"bytes,1,opt,name=reason"`
	Message string `json:"message,omitempty" protobuf:"bytes,2,opt,name=message"`
	Field   string `json:"field,omitempty" protobuf:"bytes,3,opt,name=field"`
}

// Status values and reasons used by the API.
const (
	StatusSuccess = "Success"
	StatusFailure = "Failure"

	StatusReasonUnknown               = ""
	StatusReasonUnauthorized          = "Unauthorized"
	StatusReasonForbidden             = "Forbidden"
	StatusReasonNotFound              = "NotFound"
	StatusReasonAlreadyExists         = "AlreadyExists"
	StatusReasonConflict              = "Conflict"
	StatusReasonGone                  = "Gone"
	StatusReasonExpired               = "Expired"
	StatusReasonInvalid               = "Invalid"
	StatusReasonTimeout               = "Timeout"
	StatusReasonServerTimeout         = "ServerTimeout"
	StatusReasonTooManyRequests       = "TooManyRequests"
	StatusReasonBadRequest            = "BadRequest"
	StatusReasonMethodNotAllowed      = "MethodNotAllowed"
	StatusReasonNotAcceptable         = "NotAcceptable"
	StatusReasonRequestEntityTooLarge = "RequestEntityTooLarge"
	StatusReasonUnsupportedMediaType  = "UnsupportedMediaType"
	StatusReasonInternalError         = "InternalError"
	StatusReasonServiceUnavailable    = "ServiceUnavailable"

	CauseTypeFieldValueNotFound       = "FieldValueNotFound"
	CauseTypeFieldValueRequired       = "FieldValueRequired"
	CauseTypeFieldValueDuplicate      = "FieldValueDuplicate"
	CauseTypeFieldValueInvalid        = "FieldValueInvalid"
	CauseTypeFieldValueNotSupported   = "FieldValueNotSupported"
	CauseTypeFieldValueForbidden      = "FieldValueForbidden"
	CauseTypeFieldValueTooLong        = "FieldValueTooLong"
	CauseTypeTooMany                  = "FieldValueTooMany"
	CauseTypeUnexpectedServerResponse = "UnexpectedServerResponse"
	CauseTypeFieldManagerConflict     = "FieldManagerConflict"
)

// Error lets a Status travel as a Go error.
func (s *Status) Error() string { return s.Message }

// Preconditions must hold for a delete to go ahead.
type Preconditions struct {
	UID             *string `json:"uid,omitempty" protobuf:"bytes,1,opt,name=uid"`
	ResourceVersion *string `json:"resourceVersion,omitempty" protobuf:"bytes,2,opt,name=resourceVersion"`
}

// Deletion propagation policies.
const (
	DeletePropagationOrphan     = "Orphan"
	DeletePropagationBackground = "Background"
	DeletePropagationForeground = "Foreground"
)

// Finalizers the garbage collector understands.
const (
	FinalizerOrphanDependents = "orphan"
	FinalizerDeleteDependents = "foregroundDeletion"
)

// DeleteOptions is the optional body of a DELETE.
type DeleteOptions struct {
	TypeMeta           `json:",inline"`
	GracePeriodSeconds *int64         `json:"gracePeriodSeconds,omitempty" protobuf:"varint,1,opt,name=gracePeriodSeconds"`
	Preconditions      *Preconditions `json:"preconditions,omitempty" protobuf:"bytes,2,opt,name=preconditions"`
	OrphanDependents   *bool          `json:"orphanDependents,omitempty" protobuf:"varint,3,opt,name=orphanDependents"`
	PropagationPolicy  *string        `json:"propagationPolicy,omitempty" protobuf:"bytes,4,opt,name=propagationPolicy"`
	DryRun             []string       `json:"dryRun,omitempty" protobuf:"bytes,5,rep,name=dryRun"`
}

// Watch event types.
const (
	Added    = "ADDED"
	Modified = "MODIFIED"
	Deleted  = "DELETED"
	Bookmark = "BOOKMARK"
	Error    = "ERROR"
)

// WatchEvent is one line of a watch stream.
type WatchEvent struct {
	Type   string          `json:"type" protobuf:"bytes,1,opt,name=type"`
	Object json.RawMessage `json:"object" protobuf:"bytes,2,opt,name=object"`
}

// PartialObjectMetadata is an object reduced to its metadata (Table rows carry these).
type PartialObjectMetadata struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
}

// Table is the server-side printing of a list, as kubectl get asks for it.
type Table struct {
	TypeMeta          `json:",inline"`
	ListMeta          `json:"metadata"`
	ColumnDefinitions []TableColumnDefinition `json:"columnDefinitions"`
	Rows              []TableRow              `json:"rows"`
}

// TableColumnDefinition describes one column of a Table.
type TableColumnDefinition struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Description string `json:"description"`
	Priority    int32  `json:"priority"`
}

// TableRow is one row of a Table; Object holds the row's object or its metadata.
type TableRow struct {
	Cells      []any               `json:"cells"`
	Conditions []TableRowCondition `json:"conditions,omitempty"`
	Object     json.RawMessage     `json:"object,omitempty"`
}

// TableRowCondition marks a row, e.g. Completed for finished pods.
type TableRowCondition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// APIVersions lists the versions of the legacy core group at /api.
type APIVersions struct {
	TypeMeta                   `json:",inline"`
	Versions                   []string                    `json:"versions" protobuf:"bytes,1,rep,name=versions"`
	ServerAddressByClientCIDRs []ServerAddressByClientCIDR `json:"serverAddressByClientCIDRs" protobuf:"bytes,2,rep,name=serverAddressByClientCIDRs"`
}

// ServerAddressByClientCIDR tells clients which address to use from which network.
type ServerAddressByClientCIDR struct {
	ClientCIDR    string `json:"clientCIDR" protobuf:"bytes,1,opt,name=clientCIDR"`
	ServerAddress string `json:"serverAddress" protobuf:"bytes,2,opt,name=serverAddress"`
}

// APIGroupList is the discovery document at /apis.
type APIGroupList struct {
	TypeMeta `json:",inline"`
	Groups   []APIGroup `json:"groups" protobuf:"bytes,1,rep,name=groups"`
}

// APIGroup describes one API group and its versions.
type APIGroup struct {
	TypeMeta         `json:",inline"`
	Name             string                      `json:"name" protobuf:"bytes,1,opt,name=name"`
	Versions         []GroupVersionForDiscovery  `json:"versions" protobuf:"bytes,2,rep,name=versions"`
	PreferredVersion GroupVersionForDiscovery    `json:"preferredVersion,omitzero" protobuf:"bytes,3,opt,name=preferredVersion"`
	ServerAddresses  []ServerAddressByClientCIDR `json:"serverAddressByClientCIDRs,omitempty" protobuf:"bytes,4,rep,name=serverAddressByClientCIDRs"`
}

// GroupVersionForDiscovery names one version of a group.
type GroupVersionForDiscovery struct {
	GroupVersion string `json:"groupVersion" protobuf:"bytes,1,opt,name=groupVersion"`
	Version      string `json:"version" protobuf:"bytes,2,opt,name=version"`
}

// APIResourceList lists the resources of one group version.
type APIResourceList struct {
	TypeMeta     `json:",inline"`
	GroupVersion string        `json:"groupVersion" protobuf:"bytes,1,opt,name=groupVersion"`
	APIResources []APIResource `json:"resources" protobuf:"bytes,2,rep,name=resources"`
}

// APIResource describes one resource (or subresource) for discovery.
type APIResource struct {
	Name               string   `json:"name" protobuf:"bytes,1,opt,name=name"`
	SingularName       string   `json:"singularName" protobuf:"bytes,6,opt,name=singularName"`
	Namespaced         bool     `json:"namespaced" protobuf:"varint,2,opt,name=namespaced"`
	Group              string   `json:"group,omitempty" protobuf:"bytes,8,opt,name=group"`
	Version            string   `json:"version,omitempty" protobuf:"bytes,9,opt,name=version"`
	Kind               string   `json:"kind" protobuf:"bytes,3,opt,name=kind"`
	Verbs              []string `json:"verbs"`
	ShortNames         []string `json:"shortNames,omitempty" protobuf:"bytes,5,rep,name=shortNames"`
	Categories         []string `json:"categories,omitempty" protobuf:"bytes,7,rep,name=categories"`
	StorageVersionHash string   `json:"storageVersionHash,omitempty" protobuf:"bytes,10,opt,name=storageVersionHash"`
}
