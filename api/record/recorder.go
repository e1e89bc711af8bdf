package record

import (
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// Defaults of Options.
const (
	// DefaultQueueSize is upstream's broadcaster queue length.
	DefaultQueueSize = 1000
	// DefaultCacheSize is upstream's maxLruCacheEntries.
	DefaultCacheSize = 4096
	// DefaultAggregationWindow is upstream's defaultAggregateIntervalInSeconds.
	DefaultAggregationWindow = 10 * time.Minute
	// DefaultMaxTries bounds the attempts at one write when the server fails.
	DefaultMaxTries = 3
	// DefaultRetryInterval is the pause between two attempts.
	DefaultRetryInterval = time.Second
)

// Clock is the recorder's time source for event timestamps and the aggregation window.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Options tunes a Recorder; zero fields take the defaults.
type Options struct {
	Clock  Clock
	Logger *slog.Logger
	// Scheme names the kind of objects whose TypeMeta is empty (items of a list, objects
	// built in code); nil means scheme.Default().
	Scheme            *scheme.Scheme
	QueueSize         int
	CacheSize         int
	AggregationWindow time.Duration
	MaxTries          int
	RetryInterval     time.Duration
}

// Recorder records events about objects. Event and Eventf are safe for concurrent use and
// never block; nothing is written until Run is running.
type Recorder struct {
	sink   EventSink
	source core.EventSource
	clock  Clock
	log    *slog.Logger
	opts   Options
	kinds  map[reflect.Type]*scheme.Kind
	queue  chan pending

	mu         sync.Mutex // guards lastSuffix
	lastSuffix int64

	dropped atomic.Uint64
	cacheMu sync.Mutex // guards cache; writes of one event key are serialised by sharding in Run
	cache   *lru
}

// pending is an event waiting to be written, with the full-precision time it happened.
type pending struct {
	ev *core.Event
	at time.Time
}

// NewRecorder returns a recorder writing to sink as source (component, and host for
// node-local daemons). Start it with Run.
func NewRecorder(sink EventSink, source core.EventSource, opts Options) *Recorder {
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Scheme == nil {
		opts.Scheme = scheme.Default()
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.AggregationWindow <= 0 {
		opts.AggregationWindow = DefaultAggregationWindow
	}
	if opts.MaxTries <= 0 {
		opts.MaxTries = DefaultMaxTries
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = DefaultRetryInterval
	}
	kinds := map[reflect.Type]*scheme.Kind{}
	for _, k := range opts.Scheme.Kinds() {
		if k.New != nil {
			kinds[reflect.TypeOf(k.New())] = k
		}
	}
	return &Recorder{
		sink:   sink,
		source: source,
		clock:  opts.Clock,
		log:    opts.Logger,
		opts:   opts,
		kinds:  kinds,
		queue:  make(chan pending, opts.QueueSize),
		cache:  newLRU(opts.CacheSize),
	}
}

// Event records that something of eventType (core.EventTypeNormal or
// core.EventTypeWarning) happened to obj, for reason (a short CamelCase word) with a
// human-readable message. obj must have a name; its kind comes from its TypeMeta or, when
// that is empty, from the scheme.
func (r *Recorder) Event(obj meta.Object, eventType, reason, message string) {
	if eventType != core.EventTypeNormal && eventType != core.EventTypeWarning {
		r.log.Error("unsupported event type, dropping event", "type", eventType, "reason", reason)
		return
	}
	ref, err := r.reference(obj)
	if err != nil {
		r.log.Error("cannot reference object, dropping event", "err", err, "reason", reason, "message", message)
		return
	}
	now := r.clock.Now()
	namespace := ref.Namespace
	if namespace == "" {
		namespace = core.NamespaceDefault
	}
	t := meta.NewTime(now)
	ev := &core.Event{
		TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "Event"},
		ObjectMeta: meta.ObjectMeta{
			Name:      fmt.Sprintf("%s.%x", ref.Name, r.suffix(now)),
			Namespace: namespace,
		},
		InvolvedObject:      ref,
		Reason:              reason,
		Message:             message,
		Source:              r.source,
		FirstTimestamp:      t,
		LastTimestamp:       t,
		Count:               1,
		Type:                eventType,
		ReportingController: r.source.Component,
		ReportingInstance:   r.source.Host,
	}
	select {
	case r.queue <- pending{ev: ev, at: now}:
	default:
		r.dropped.Add(1)
		r.log.Debug("event queue full, dropping event", "object", ref.Namespace+"/"+ref.Name,
			"kind", ref.Kind, "type", eventType, "reason", reason, "message", message)
	}
}

// Dropped counts the events dropped because the queue was full.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Eventf is Event with a fmt.Sprintf message.
func (r *Recorder) Eventf(obj meta.Object, eventType, reason, format string, args ...any) {
	r.Event(obj, eventType, reason, fmt.Sprintf(format, args...))
}

// reference builds the involvedObject of an event about obj.
func (r *Recorder) reference(obj meta.Object) (core.ObjectReference, error) {
	if v := reflect.ValueOf(obj); !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return core.ObjectReference{}, fmt.Errorf("nil object")
	}
	tm, om := obj.GetTypeMeta(), obj.GetObjectMeta()
	kind, apiVersion := tm.Kind, tm.APIVersion
	if kind == "" || apiVersion == "" {
		k, ok := r.kinds[reflect.TypeOf(obj)]
		if !ok {
			return core.ObjectReference{}, fmt.Errorf("%T %s/%s has no kind and is not in the scheme", obj, om.Namespace, om.Name)
		}
		kind, apiVersion = k.Kind, k.GroupVersion()
	}
	if om.Name == "" {
		return core.ObjectReference{}, fmt.Errorf("%s with no name", kind)
	}
	return core.ObjectReference{
		Kind:            kind,
		APIVersion:      apiVersion,
		Namespace:       om.Namespace,
		Name:            om.Name,
		UID:             om.UID,
		ResourceVersion: om.ResourceVersion,
	}, nil
}

// suffix is upstream's name suffix, the time in nanoseconds, made strictly increasing so
// two events in the same nanosecond (or on a stopped test clock) get different names.
func (r *Recorder) suffix(now time.Time) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := now.UnixNano()
	if n <= r.lastSuffix {
		n = r.lastSuffix + 1
	}
	r.lastSuffix = n
	return n
}
