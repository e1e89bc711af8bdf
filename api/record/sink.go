package record

import (
	"context"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// EventSink is where a Recorder writes events; SinkFor adapts the REST client.
type EventSink interface {
	Create(ctx context.Context, ev *core.Event) (*core.Event, error)
	// Patch applies a JSON merge patch to the event namespace/name.
	Patch(ctx context.Context, namespace, name string, mergePatch []byte) (*core.Event, error)
}

// SinkFor writes events through the REST client.
func SinkFor(c *client.Client) EventSink { return clientSink{client.Events(c)} }

type clientSink struct {
	r *client.Resource[*core.Event]
}

func (s clientSink) Create(ctx context.Context, ev *core.Event) (*core.Event, error) {
	return s.r.Create(ctx, ev)
}

func (s clientSink) Patch(ctx context.Context, namespace, name string, data []byte) (*core.Event, error) {
	return s.r.Patch(ctx, namespace, name, client.MergePatchType, data, "")
}
