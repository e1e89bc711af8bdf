package core

import "seven.dev/api/meta"

// Event reports something that happened to an object (core/v1 flavour, which is
// what kubectl describe and kubectl get events read).
type Event struct {
	meta.TypeMeta       `json:",inline"`
	meta.ObjectMeta     `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	InvolvedObject      ObjectReference  `json:"involvedObject" protobuf:"bytes,2,opt,name=involvedObject"`
	Reason              string           `json:"reason,omitempty" protobuf:"bytes,3,opt,name=reason"`
	Message             string           `json:"message,omitempty" protobuf:"bytes,4,opt,name=message"`
	Source              EventSource      `json:"source,omitempty" protobuf:"bytes,5,opt,name=source"`
	FirstTimestamp      meta.Time        `json:"firstTimestamp,omitzero" protobuf:"bytes,6,opt,name=firstTimestamp"`
	LastTimestamp       meta.Time        `json:"lastTimestamp,omitzero" protobuf:"bytes,7,opt,name=lastTimestamp"`
	Count               int32            `json:"count,omitempty" protobuf:"varint,8,opt,name=count"`
	Type                string           `json:"type,omitempty" protobuf:"bytes,9,opt,name=type"`
	EventTime           meta.MicroTime   `json:"eventTime,omitzero" protobuf:"bytes,10,opt,name=eventTime"`
	Series              *EventSeries     `json:"series,omitempty" protobuf:"bytes,11,opt,name=series"`
	Action              string           `json:"action,omitempty" protobuf:"bytes,12,opt,name=action"`
	Related             *ObjectReference `json:"related,omitempty" protobuf:"bytes,13,opt,name=related"`
	ReportingController string           `json:"reportingComponent" protobuf:"bytes,14,opt,name=reportingComponent"`
	ReportingInstance   string           `json:"reportingInstance" protobuf:"bytes,15,opt,name=reportingInstance"`
}

// EventList is a list of events.
type EventList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []Event `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// EventSource names the component (and host) that reported an event.
type EventSource struct {
	Component string `json:"component,omitempty" protobuf:"bytes,1,opt,name=component"`
	Host      string `json:"host,omitempty" protobuf:"bytes,2,opt,name=host"`
}

// EventSeries counts repeats of an event reported through the series mechanism.
type EventSeries struct {
	Count            int32          `json:"count,omitempty" protobuf:"varint,1,opt,name=count"`
	LastObservedTime meta.MicroTime `json:"lastObservedTime,omitzero" protobuf:"bytes,2,opt,name=lastObservedTime"`
}

// Values of Event.Type.
const (
	EventTypeNormal  = "Normal"
	EventTypeWarning = "Warning"
)
