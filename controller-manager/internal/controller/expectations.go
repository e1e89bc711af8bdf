package controller

import (
	"sync"
	"time"
)

// ExpectationsTimeout is how long an unmet expectation blocks a controller before it is
// considered lost (a watch event that never came) and the controller acts again; upstream's.
const ExpectationsTimeout = 5 * time.Minute

type expectation struct {
	adds    int
	deletes map[string]bool // UIDs still expected to go away
	at      time.Time
}

// Expectations remember, per controller key, the creations and deletions a controller has
// asked for and not yet seen in its cache, like upstream's UIDTrackingControllerExpectations.
// While they are unmet the controller must not act on the (stale) cache again.
type Expectations struct {
	mu  sync.Mutex
	m   map[string]*expectation
	now func() time.Time
}

// NewExpectations returns empty expectations on clock now (nil means time.Now).
func NewExpectations(now func() time.Time) *Expectations {
	if now == nil {
		now = time.Now
	}
	return &Expectations{m: map[string]*expectation{}, now: now}
}

// Satisfied reports whether key has no pending creations or deletions, or they have timed out.
func (e *Expectations) Satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.m[key]
	if !ok {
		return true
	}
	if x.adds <= 0 && len(x.deletes) == 0 {
		return true
	}
	return e.now().Sub(x.at) > ExpectationsTimeout
}

// ExpectCreations records that key is about to create n objects.
func (e *Expectations) ExpectCreations(key string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m[key] = &expectation{adds: n, deletes: map[string]bool{}, at: e.now()}
}

// ExpectDeletions records that key is about to delete the objects with uids.
func (e *Expectations) ExpectDeletions(key string, uids []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := map[string]bool{}
	for _, u := range uids {
		d[u] = true
	}
	e.m[key] = &expectation{deletes: d, at: e.now()}
}

// CreationObserved lowers key's pending creations by one (a create was seen, or failed).
func (e *Expectations) CreationObserved(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.m[key]; ok && x.adds > 0 {
		x.adds--
	}
}

// DeletionObserved marks the object uid of key as gone (or its delete as failed).
func (e *Expectations) DeletionObserved(key, uid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.m[key]; ok {
		delete(x.deletes, uid)
	}
}

// Delete forgets key, when its controller object is gone.
func (e *Expectations) Delete(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.m, key)
}
