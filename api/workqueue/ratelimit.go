package workqueue

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of DefaultRateLimiter, upstream's values.
const (
	DefaultBaseDelay = 5 * time.Millisecond
	DefaultMaxDelay  = 1000 * time.Second
	DefaultQPS       = 10
	DefaultBurst     = 100
)

// RateLimiter decides how long an item waits before it is retried.
type RateLimiter[T comparable] interface {
	// When records a failure of item and returns how long to wait before retrying it.
	When(item T) time.Duration
	// Forget clears the item's history (it succeeded, or was given up on).
	Forget(item T)
	// NumRequeues is the number of failures recorded for item since it was last forgotten.
	NumRequeues(item T) int
}

// DefaultRateLimiter is upstream's controller default: per-item exponential backoff from
// 5 ms to 1000 s, and no faster overall than 10 retries a second with bursts of 100.
func DefaultRateLimiter[T comparable](clock Clock) RateLimiter[T] {
	return NewMaxOf[T](
		NewExponentialBackoff[T](DefaultBaseDelay, DefaultMaxDelay),
		NewTokenBucket[T](DefaultQPS, DefaultBurst, clock),
	)
}

// ExponentialBackoff waits base * 2^failures for an item, capped at max.
type ExponentialBackoff[T comparable] struct {
	base, max time.Duration

	mu       sync.Mutex
	failures map[T]int
}

// NewExponentialBackoff returns a per-item backoff starting at base and capped at max.
func NewExponentialBackoff[T comparable](base, max time.Duration) *ExponentialBackoff[T] {
	return &ExponentialBackoff[T]{base: base, max: max, failures: map[T]int{}}
}

// When implements RateLimiter.
func (r *ExponentialBackoff[T]) When(item T) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	exp := r.failures[item]
	r.failures[item] = exp + 1
	// Compute in float so a large exponent saturates instead of overflowing.
	backoff := float64(r.base.Nanoseconds()) * math.Pow(2, float64(exp))
	if backoff > float64(r.max.Nanoseconds()) {
		return r.max
	}
	return time.Duration(backoff)
}

// Forget implements RateLimiter.
func (r *ExponentialBackoff[T]) Forget(item T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.failures, item)
}

// NumRequeues implements RateLimiter.
func (r *ExponentialBackoff[T]) NumRequeues(item T) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures[item]
}

// TokenBucket holds all items together to qps retries a second, with bursts of burst.
// It keeps no per-item state.
type TokenBucket[T comparable] struct {
	clock   Clock
	limiter *rate.Limiter
}

// NewTokenBucket returns an overall limiter of qps with the given burst, timed by clock
// (nil means RealClock).
func NewTokenBucket[T comparable](qps float64, burst int, clock Clock) *TokenBucket[T] {
	if clock == nil {
		clock = RealClock{}
	}
	return &TokenBucket[T]{clock: clock, limiter: rate.NewLimiter(rate.Limit(qps), burst)}
}

// When implements RateLimiter: the wait for the next free token, which it takes.
func (r *TokenBucket[T]) When(T) time.Duration {
	now := r.clock.Now()
	return r.limiter.ReserveN(now, 1).DelayFrom(now)
}

// Forget implements RateLimiter; the bucket has nothing to forget.
func (r *TokenBucket[T]) Forget(T) {}

// NumRequeues implements RateLimiter; the bucket counts nothing per item.
func (r *TokenBucket[T]) NumRequeues(T) int { return 0 }

// maxOf combines limiters by taking the longest delay.
type maxOf[T comparable] []RateLimiter[T]

// NewMaxOf returns a limiter whose delay is the longest of limiters' delays and whose
// NumRequeues is the largest of theirs. Every limiter sees every call.
func NewMaxOf[T comparable](limiters ...RateLimiter[T]) RateLimiter[T] {
	return maxOf[T](limiters)
}

func (m maxOf[T]) When(item T) time.Duration {
	var d time.Duration
	for _, l := range m {
		d = max(d, l.When(item))
	}
	return d
}

func (m maxOf[T]) Forget(item T) {
	for _, l := range m {
		l.Forget(item)
	}
}

func (m maxOf[T]) NumRequeues(item T) int {
	n := 0
	for _, l := range m {
		n = max(n, l.NumRequeues(item))
	}
	return n
}
