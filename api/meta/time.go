package meta

import (
	"bytes"
	"encoding/json"
	"time"
)

// Time is a timestamp serialised as RFC 3339 with second precision, or null when zero,
// the way upstream writes creationTimestamp and friends.
type Time struct {
	time.Time
}

// Now returns the current time truncated to seconds.
func Now() Time { return Time{time.Now().UTC().Truncate(time.Second)} }

// NewTime wraps t.
func NewTime(t time.Time) Time { return Time{t} }

// IsZero reports whether t is unset; it is what omitzero consults.
func (t Time) IsZero() bool { return t.Time.IsZero() }

// MarshalJSON writes the timestamp in UTC with second precision.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		return []byte("null"), nil
	}
	buf := make([]byte, 0, len(time.RFC3339)+2)
	buf = append(buf, '"')
	buf = t.UTC().AppendFormat(buf, time.RFC3339)
	return append(buf, '"'), nil
}

// UnmarshalJSON accepts null, an empty string or an RFC 3339 timestamp.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	p, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	t.Time = p.Local()
	return nil
}

// MicroTime is a timestamp with microsecond precision (Lease renewTime, Event eventTime).
type MicroTime struct {
	time.Time
}

// NowMicro returns the current time truncated to microseconds.
func NowMicro() MicroTime { return MicroTime{time.Now().UTC().Truncate(time.Microsecond)} }

// IsZero reports whether t is unset.
func (t MicroTime) IsZero() bool { return t.Time.IsZero() }

const microFormat = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON writes the timestamp in UTC with microsecond precision.
func (t MicroTime) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		return []byte("null"), nil
	}
	buf := make([]byte, 0, len(microFormat)+2)
	buf = append(buf, '"')
	buf = t.UTC().AppendFormat(buf, microFormat)
	return append(buf, '"'), nil
}

// UnmarshalJSON accepts null, an empty string or an RFC 3339 timestamp with fractions.
func (t *MicroTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = p.Local()
	return nil
}

// Duration is a time.Duration written as a Go duration string ("1m30s").
type Duration struct {
	time.Duration
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.Duration.String()) }

// UnmarshalJSON parses a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = p
	return nil
}
