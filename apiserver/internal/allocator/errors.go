package allocator

import "errors"

// Sentinel errors; the allocators return them inside an *Error, so test with errors.Is.
var (
	// ErrAllocated: the requested item is held by another owner.
	ErrAllocated = errors.New("already allocated")
	// ErrNotInRange: the requested item is outside the allocator's range.
	ErrNotInRange = errors.New("not in the valid range")
	// ErrFull: no free item is left in the range.
	ErrFull = errors.New("range is full")
)

// Error is an allocation refused for a reason the user must fix. Its message is upstream's,
// word for word ("provided IP is already allocated", "provided port is not in the valid
// range. The range of valid ports is 30000-32767", "range is full"), without further
// context, because the API server hands it to the user as the message of a field error on
// spec.clusterIP or spec.ports[i].nodePort.
type Error struct {
	// Err is ErrAllocated, ErrNotInRange or ErrFull.
	Err error
	// Item is the IP or port asked for, or "" for ErrFull.
	Item string
	// Msg is upstream's message.
	Msg string
}

// Error returns upstream's message.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel, so errors.Is(err, ErrAllocated) and friends work.
func (e *Error) Unwrap() error { return e.Err }
