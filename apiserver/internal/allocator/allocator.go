package allocator

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Key prefixes the API server uses; an allocation lives at <prefix>/<item>.
const (
	ServiceIPsPrefix       = "/registry/allocations/serviceips"
	ServiceNodePortsPrefix = "/registry/allocations/servicenodeports"
)

const (
	// defaultProbes is how many random items AllocateNext tries before it lists what is taken.
	// In a range that is less than half full, 16 misses in a row happen less than once in
	// 65536 calls, so the list is only paid for when the range is crowded.
	defaultProbes = 16
	// listPage bounds the keys fetched per etcd range request when scanning.
	listPage = 10000
)

// Allocator hands out the items (IPs or ports) of a range, one etcd key per allocated item.
// Every allocation is an etcd transaction that creates the key only if it does not exist, so
// any number of Allocators over the same etcd and prefix, in any number of API servers, never
// hand out the same item twice. An Allocator holds no cache and is safe for concurrent use.
type Allocator[T comparable] struct {
	kv     clientv3.KV
	prefix string // without the trailing slash
	sp     space[T]
	now    func() time.Time
	probes int

	mu  sync.Mutex // guards rnd, which is not safe for concurrent use
	rnd *rand.Rand
}

// space is what the generic Allocator needs to know about its item type.
type space[T comparable] struct {
	noun   string // "IP" or "port", for upstream's messages
	rng    string // the range as upstream's messages show it
	size   int
	offset func(T) (int, bool)
	item   func(int) T
	format func(T) string
	parse  func(string) (T, error)
}

// Option configures an Allocator.
type Option func(*options)

type options struct {
	now    func() time.Time
	rnd    *rand.Rand
	probes int
}

// WithClock sets the clock stamped on allocations and compared against by Repair
// (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRand sets the source of AllocateNext's random choices (default: a fresh source seeded
// at random). The Allocator serialises its use of r; r must not be used by anything else.
func WithRand(r *rand.Rand) Option { return func(o *options) { o.rnd = r } }

// WithRandomProbes sets how many random items AllocateNext tries before it lists the
// allocated keys and picks among the free ones (default 16; 0 always lists).
func WithRandomProbes(n int) Option { return func(o *options) { o.probes = max(n, 0) } }

// NewIPAllocator allocates the addresses of r under prefix (normally ServiceIPsPrefix), one
// key per address: <prefix>/10.254.0.10. kv is usually a *clientv3.Client. It panics if
// prefix is empty or "/", since Repair would then sweep the whole keyspace.
func NewIPAllocator(kv clientv3.KV, prefix string, r CIDRRange, opts ...Option) *Allocator[netip.Addr] {
	return newAllocator(kv, prefix, space[netip.Addr]{
		noun:   "IP",
		rng:    r.String(),
		size:   r.Size(),
		offset: r.Offset,
		item:   r.IP,
		format: netip.Addr.String,
		parse: func(s string) (netip.Addr, error) {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return netip.Addr{}, err
			}
			return ip.Unmap(), nil
		},
	}, opts)
}

// NewPortAllocator allocates the ports of r under prefix (normally ServiceNodePortsPrefix),
// one key per port: <prefix>/30001. kv is usually a *clientv3.Client. It panics if prefix
// is empty or "/", since Repair would then sweep the whole keyspace.
func NewPortAllocator(kv clientv3.KV, prefix string, r PortRange, opts ...Option) *Allocator[int] {
	return newAllocator(kv, prefix, space[int]{
		noun:   "port",
		rng:    r.String(),
		size:   r.Size(),
		offset: r.Offset,
		item:   r.Port,
		format: strconv.Itoa,
		parse:  parsePort,
	}, opts)
}

func newAllocator[T comparable](kv clientv3.KV, prefix string, sp space[T], opts []Option) *Allocator[T] {
	p := strings.TrimRight(prefix, "/")
	if p == "" {
		panic(fmt.Sprintf("allocator: key prefix %q would cover the whole keyspace", prefix))
	}
	o := options{now: time.Now, probes: defaultProbes}
	for _, opt := range opts {
		opt(&o)
	}
	if o.rnd == nil {
		o.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &Allocator[T]{kv: kv, prefix: p, sp: sp, now: o.now, probes: o.probes, rnd: o.rnd}
}

// record is the value of an allocation key.
type record struct {
	Owner string    `json:"owner"`
	Time  time.Time `json:"time"`
}

// Size is the number of items in the range.
func (a *Allocator[T]) Size() int { return a.sp.size }

// Allocate records item as owner's ("<namespace>/<name>" of the Service). Allocating an item
// that owner already holds succeeds, so a retried create, or a Service that asks for the same
// NodePort for TCP and UDP, is not refused. The error is an *Error wrapping ErrNotInRange or
// ErrAllocated when the request cannot be honoured, and an etcd error with context otherwise.
func (a *Allocator[T]) Allocate(ctx context.Context, item T, owner string) error {
	s := a.sp.format(item)
	if owner == "" {
		return fmt.Errorf("allocate %s %s: empty owner", a.sp.noun, s)
	}
	if _, ok := a.sp.offset(item); !ok {
		return a.errNotInRange(s)
	}
	ok, held, err := a.create(ctx, s, owner)
	if err != nil {
		return fmt.Errorf("allocate %s %s for %s: %w", a.sp.noun, s, owner, err)
	}
	if ok || held == owner {
		return nil
	}
	return &Error{Err: ErrAllocated, Item: s, Msg: fmt.Sprintf("provided %s is already allocated", a.sp.noun)}
}

// AllocateNext picks a free item for owner: first a few random probes, each a create
// transaction; if they all hit taken items, the range is crowded, so it lists the allocated
// keys (keys only) and tries the free items in order from a random start. It returns an
// *Error wrapping ErrFull when every item is taken.
func (a *Allocator[T]) AllocateNext(ctx context.Context, owner string) (T, error) {
	var zero T
	if owner == "" {
		return zero, fmt.Errorf("allocate next %s: empty owner", a.sp.noun)
	}
	size := a.sp.size
	if size == 0 {
		return zero, a.errFull()
	}
	for range min(a.probes, size) {
		item := a.sp.item(a.randN(size))
		ok, _, err := a.create(ctx, a.sp.format(item), owner)
		if err != nil {
			return zero, fmt.Errorf("allocate next %s for %s: %w", a.sp.noun, owner, err)
		}
		if ok {
			return item, nil
		}
	}

	used := newBitset(size)
	err := a.list(ctx, true, func(kv *mvccpb.KeyValue) error {
		if item, ok := a.itemOf(kv.Key); ok {
			if off, ok := a.sp.offset(item); ok {
				used.set(off)
			}
		}
		return nil
	})
	if err != nil {
		return zero, fmt.Errorf("allocate next %s for %s: %w", a.sp.noun, owner, err)
	}
	start := a.randN(size)
	for i := range size {
		off := (start + i) % size
		if used.has(off) {
			continue
		}
		item := a.sp.item(off)
		ok, _, err := a.create(ctx, a.sp.format(item), owner)
		if err != nil {
			return zero, fmt.Errorf("allocate next %s for %s: %w", a.sp.noun, owner, err)
		}
		if ok {
			return item, nil
		}
		// Taken since the list by another allocator; keep going.
	}
	return zero, a.errFull()
}

// Release frees item whoever holds it. Releasing a free item, or one outside the range,
// does nothing and succeeds.
func (a *Allocator[T]) Release(ctx context.Context, item T) error {
	s := a.sp.format(item)
	if _, err := a.kv.Delete(ctx, a.key(s)); err != nil {
		return fmt.Errorf("release %s %s: %w", a.sp.noun, s, err)
	}
	return nil
}

// Used is the number of allocation keys under the prefix, for metrics. It counts stale keys
// outside the current range too, until Repair removes them.
func (a *Allocator[T]) Used(ctx context.Context) (int, error) {
	resp, err := a.kv.Get(ctx, a.prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("count allocated %ss under %s: %w", a.sp.noun, a.prefix, err)
	}
	return int(resp.Count), nil
}

func (a *Allocator[T]) key(item string) string { return a.prefix + "/" + item }

// itemOf parses an allocation key; false for keys that are not a valid item.
func (a *Allocator[T]) itemOf(key []byte) (T, bool) {
	s, ok := strings.CutPrefix(string(key), a.prefix+"/")
	if !ok {
		var zero T
		return zero, false
	}
	item, err := a.sp.parse(s)
	if err != nil || a.sp.format(item) != s {
		var zero T
		return zero, false
	}
	return item, true
}

// create records item for owner if nobody holds it. When somebody does, it returns false
// and the holder ("" if the record cannot be decoded).
func (a *Allocator[T]) create(ctx context.Context, item, owner string) (bool, string, error) {
	val, err := json.Marshal(record{Owner: owner, Time: a.now().UTC()})
	if err != nil {
		return false, "", err
	}
	key := a.key(item)
	resp, err := a.kv.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(val))).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return false, "", err
	}
	if resp.Succeeded {
		return true, "", nil
	}
	var held record
	if rr := resp.Responses[0].GetResponseRange(); rr != nil && len(rr.Kvs) == 1 {
		if json.Unmarshal(rr.Kvs[0].Value, &held) != nil {
			held.Owner = ""
		}
	}
	return false, held.Owner, nil
}

// list calls fn for every key under the prefix, a page at a time.
func (a *Allocator[T]) list(ctx context.Context, keysOnly bool, fn func(*mvccpb.KeyValue) error) error {
	start := a.prefix + "/"
	end := clientv3.GetPrefixRangeEnd(start)
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(listPage)}
		if keysOnly {
			opts = append(opts, clientv3.WithKeysOnly())
		}
		resp, err := a.kv.Get(ctx, start, opts...)
		if err != nil {
			return fmt.Errorf("list %s: %w", a.prefix, err)
		}
		for _, kv := range resp.Kvs {
			if err := fn(kv); err != nil {
				return err
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return nil
		}
		start = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

func (a *Allocator[T]) randN(n int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rnd.IntN(n)
}

func (a *Allocator[T]) errNotInRange(item string) error {
	return &Error{Err: ErrNotInRange, Item: item, Msg: fmt.Sprintf(
		"provided %s is not in the valid range. The range of valid %ss is %s", a.sp.noun, a.sp.noun, a.sp.rng)}
}

func (a *Allocator[T]) errFull() error {
	return &Error{Err: ErrFull, Msg: ErrFull.Error()}
}

// bitset marks the offsets of a range.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
