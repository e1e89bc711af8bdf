package kubelet

import (
	"sync"
	"time"
)

// backoff is upstream's flowcontrol.Backoff: per key, a delay that starts at base and
// doubles up to max at every Next; an entry untouched for 2*max starts over.
type backoff struct {
	mu        sync.Mutex
	base, max time.Duration
	entries   map[string]*backoffEntry
}

type backoffEntry struct {
	delay time.Duration
	last  time.Time
}

func newBackoff(base, max time.Duration) *backoff {
	return &backoff{base: base, max: max, entries: map[string]*backoffEntry{}}
}

// InBackoffSince reports whether key is still backing off from an event at since, and for
// how much longer.
func (b *backoff) InBackoffSince(key string, since, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.entries[key]
	if e == nil || now.Sub(e.last) > 2*b.max {
		return false, 0
	}
	if left := e.delay - now.Sub(since); left > 0 {
		return true, left
	}
	return false, 0
}

// Delay returns key's current delay (0 when none).
func (b *backoff) Delay(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.entries[key]; e != nil {
		return e.delay
	}
	return 0
}

// Next records an attempt at now and grows key's delay.
func (b *backoff) Next(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.entries[key]
	if e == nil || now.Sub(e.last) > 2*b.max {
		b.entries[key] = &backoffEntry{delay: b.base, last: now}
		return
	}
	e.delay = min(2*e.delay, b.max)
	e.last = now
}

// Reset forgets key (a container that ran long enough, a pod that is gone).
func (b *backoff) Reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.entries, key)
}

// ResetPrefix forgets every key starting with prefix.
func (b *backoff) ResetPrefix(prefix string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.entries {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(b.entries, k)
		}
	}
}
