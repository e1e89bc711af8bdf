package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/api/meta"
)

// Defaults of the store options.
const (
	DefaultWatchCacheSize   = 1000
	DefaultBookmarkInterval = 60 * time.Second
	DefaultWatcherQueue     = 1000
	DefaultFreshnessTimeout = 3 * time.Second
)

// Option tunes an EtcdStore.
type Option func(*options)

type options struct {
	bookmarkInterval time.Duration
	watcherQueue     int
	freshnessTimeout time.Duration
}

// WithBookmarkInterval sets how often watchers that asked for bookmarks get one
// (default DefaultBookmarkInterval).
func WithBookmarkInterval(d time.Duration) Option {
	return func(o *options) { o.bookmarkInterval = d }
}

// WithWatcherQueue sets how many events may wait for one watcher's reader before the
// watcher is dropped as too slow (default DefaultWatcherQueue); one batch of events from
// etcd may go beyond it. The queue grows on demand, so idle watchers cost nothing.
func WithWatcherQueue(n int) Option {
	return func(o *options) { o.watcherQueue = n }
}

// WithFreshnessTimeout sets how long a list or watch at resourceVersion N waits for the
// cache to reach N, and a watch for the cache to be (re)built, before ErrTooLarge
// (default DefaultFreshnessTimeout).
func WithFreshnessTimeout(d time.Duration) Option {
	return func(o *options) { o.freshnessTimeout = d }
}

// EtcdStore is the Store of one resource in etcd, with its watch cache.
//
// Create, Get, Update, Delete and lists without a resourceVersion go to etcd. Lists at
// resourceVersion "0" or N and all watches are served by the watch cache, which Start
// runs until ctx is done or Stop is called.
type EtcdStore struct {
	client *clientv3.Client
	cfg    Config
	logger *slog.Logger
	opts   options
	// prefix is "/registry/<resource>/".
	prefix string
	cache  *watchCache
}

var _ Store = (*EtcdStore)(nil)

// New returns the store of cfg.Resource. It does not start the watch cache: call Start.
func New(client *clientv3.Client, cfg Config, logger *slog.Logger, opts ...Option) (*EtcdStore, error) {
	if client == nil {
		return nil, errors.New("new store: etcd client is nil")
	}
	if cfg.Resource == "" || strings.Contains(cfg.Resource, "/") {
		return nil, fmt.Errorf("new store: invalid resource %q", cfg.Resource)
	}
	if cfg.New == nil {
		return nil, fmt.Errorf("new store %s: Config.New is required", cfg.Resource)
	}
	if cfg.AttrsOf == nil {
		cfg.AttrsOf = DefaultAttrs
	}
	if cfg.WatchCacheSize <= 0 {
		cfg.WatchCacheSize = DefaultWatchCacheSize
	}
	if logger == nil {
		logger = slog.Default()
	}
	o := options{
		bookmarkInterval: DefaultBookmarkInterval,
		watcherQueue:     DefaultWatcherQueue,
		freshnessTimeout: DefaultFreshnessTimeout,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.bookmarkInterval <= 0 {
		o.bookmarkInterval = DefaultBookmarkInterval
	}
	if o.watcherQueue <= 0 {
		o.watcherQueue = DefaultWatcherQueue
	}
	if o.freshnessTimeout <= 0 {
		o.freshnessTimeout = DefaultFreshnessTimeout
	}
	s := &EtcdStore{
		client: client,
		cfg:    cfg,
		logger: logger.With("resource", cfg.Resource),
		opts:   o,
		prefix: "/registry/" + cfg.Resource + "/",
	}
	s.cache = newWatchCache(s)
	return s, nil
}

// DefaultAttrs are the attributes of an object when Config.AttrsOf is nil: its labels and
// the fields metadata.name and metadata.namespace.
func DefaultAttrs(obj meta.Object) Attrs {
	m := obj.GetObjectMeta()
	return Attrs{
		Labels: m.Labels,
		Fields: map[string]string{"metadata.name": m.Name, "metadata.namespace": m.Namespace},
	}
}

// Start runs the watch cache in the background until ctx is done or Stop is called. It
// returns at once; WaitReady tells when the cache has loaded.
func (s *EtcdStore) Start(ctx context.Context) error { return s.cache.start(ctx) }

// Stop stops the watch cache and closes every watcher; it does not close the etcd client.
func (s *EtcdStore) Stop() { s.cache.stop() }

// WaitReady blocks until the watch cache has loaded the resource, or ctx is done.
func (s *EtcdStore) WaitReady(ctx context.Context) error { return s.cache.waitReady(ctx) }

// Count returns the number of objects in the watch cache.
func (s *EtcdStore) Count() int { return s.cache.count() }

// CurrentRevision is the newest etcd revision the watch cache has seen.
func (s *EtcdStore) CurrentRevision() int64 { return s.cache.currentRevision() }

// Watchers returns the number of running watchers, for metrics.
func (s *EtcdStore) Watchers() int { return s.cache.watcherCount() }

// key is the etcd key of one object.
func (s *EtcdStore) key(namespace, name string) (string, error) {
	if err := checkSegment("name", name); err != nil {
		return "", err
	}
	if !s.cfg.Namespaced {
		return s.prefix + name, nil
	}
	if err := checkSegment("namespace", namespace); err != nil {
		return "", err
	}
	return s.prefix + namespace + "/" + name, nil
}

// listPrefix is the etcd key prefix of the objects in namespace ("" for all).
func (s *EtcdStore) listPrefix(namespace string) string {
	if s.cfg.Namespaced && namespace != "" {
		return s.prefix + namespace + "/"
	}
	return s.prefix
}

// checkSegment keeps names from escaping their place in the key space; everything else
// about names is validation's business.
func checkSegment(what, v string) error {
	if v == "" {
		return fmt.Errorf("%s is required", what)
	}
	if strings.Contains(v, "/") {
		return fmt.Errorf("%s %q may not contain '/'", what, v)
	}
	return nil
}

// encode is the stored form of obj: its JSON without metadata.resourceVersion (the
// revision of the key is the version).
func (s *EtcdStore) encode(obj meta.Object) ([]byte, error) {
	m := obj.GetObjectMeta()
	rv := m.ResourceVersion
	m.ResourceVersion = ""
	data, err := json.Marshal(obj)
	m.ResourceVersion = rv
	return data, err
}

// decode is the object stored as data at revision rev.
func (s *EtcdStore) decode(data []byte, rev int64) (meta.Object, error) {
	obj := s.cfg.New()
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, err
	}
	obj.GetObjectMeta().ResourceVersion = formatRV(rev)
	return obj, nil
}

func formatRV(rev int64) string { return strconv.FormatInt(rev, 10) }

// parseRV parses a resourceVersion that is neither "" nor "0".
func parseRV(rv string) (int64, error) {
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid resourceVersion %q", rv)
	}
	return n, nil
}

// Create writes obj if nothing exists at its key yet. obj itself is returned, with its
// resourceVersion set to the revision of the write.
func (s *EtcdStore) Create(ctx context.Context, obj meta.Object) (meta.Object, error) {
	m := obj.GetObjectMeta()
	key, err := s.key(m.Namespace, m.Name)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", s.cfg.Resource, err)
	}
	if m.ResourceVersion != "" {
		return nil, fmt.Errorf("create %s: resourceVersion must not be set on objects to be created", key)
	}
	data, err := s.encode(obj)
	if err != nil {
		return nil, fmt.Errorf("create %s: encode: %w", key, err)
	}
	resp, err := s.client.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(data))).
		Commit()
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", key, err)
	}
	if !resp.Succeeded {
		return nil, fmt.Errorf("create %s: %w", key, ErrAlreadyExists)
	}
	m.ResourceVersion = formatRV(resp.Header.Revision)
	return obj, nil
}

// Get reads the object from etcd (a linearizable read).
func (s *EtcdStore) Get(ctx context.Context, namespace, name string) (meta.Object, error) {
	key, err := s.key(namespace, name)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", s.cfg.Resource, err)
	}
	cur, err := s.get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return cur.obj, nil
}

// current is an object as read from etcd, with what a compare-and-swap needs.
type current struct {
	obj  meta.Object
	data []byte
	rev  int64
}

func (s *EtcdStore) get(ctx context.Context, key string) (current, error) {
	resp, err := s.client.Get(ctx, key)
	if err != nil {
		return current{}, err
	}
	return s.fromRange(resp.Kvs)
}

// fromRange decodes the single result of a range on one key (ErrNotFound if none).
func (s *EtcdStore) fromRange(kvs []*mvccpb.KeyValue) (current, error) {
	if len(kvs) == 0 {
		return current{}, ErrNotFound
	}
	kv := kvs[0]
	obj, err := s.decode(kv.Value, kv.ModRevision)
	if err != nil {
		return current{}, fmt.Errorf("decode: %w", err)
	}
	return current{obj: obj, data: kv.Value, rev: kv.ModRevision}, nil
}

// checkPreconditions is ErrConflict when pre does not hold for cur.
func checkPreconditions(pre *Preconditions, cur meta.Object) error {
	if pre == nil {
		return nil
	}
	m := cur.GetObjectMeta()
	if pre.UID != "" && pre.UID != m.UID {
		return fmt.Errorf("precondition failed: uid in precondition %s, uid in object meta %s: %w", pre.UID, m.UID, ErrConflict)
	}
	if pre.ResourceVersion != "" && pre.ResourceVersion != m.ResourceVersion {
		return fmt.Errorf("precondition failed: resourceVersion in precondition %s, resourceVersion in object meta %s: %w", pre.ResourceVersion, m.ResourceVersion, ErrConflict)
	}
	return nil
}

// GuaranteedUpdate implements Store. The object fn returns becomes the store's: it is
// returned with its new resourceVersion. When fn returns cur, or an object that encodes to
// the stored bytes, nothing is written and cur is returned.
func (s *EtcdStore) GuaranteedUpdate(ctx context.Context, namespace, name string, pre *Preconditions, fn UpdateFunc) (meta.Object, error) {
	key, err := s.key(namespace, name)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", s.cfg.Resource, err)
	}
	cur, err := s.get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", key, err)
	}
	for {
		if err := checkPreconditions(pre, cur.obj); err != nil {
			return nil, fmt.Errorf("update %s: %w", key, err)
		}
		next, err := fn(cur.obj)
		if err != nil {
			return nil, err
		}
		if next == cur.obj {
			return cur.obj, nil
		}
		data, err := s.encode(next)
		if err != nil {
			return nil, fmt.Errorf("update %s: encode: %w", key, err)
		}
		if bytes.Equal(data, cur.data) {
			return cur.obj, nil
		}
		resp, err := s.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(key), "=", cur.rev)).
			Then(clientv3.OpPut(key, string(data))).
			Else(clientv3.OpGet(key)).
			Commit()
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", key, err)
		}
		if resp.Succeeded {
			next.GetObjectMeta().ResourceVersion = formatRV(resp.Header.Revision)
			return next, nil
		}
		// Lost the race: try again on the fresh state; a resourceVersion precondition
		// now fails at the top of the loop, as it must.
		if cur, err = s.fromRange(resp.Responses[0].GetResponseRange().Kvs); err != nil {
			return nil, fmt.Errorf("update %s: %w", key, err)
		}
	}
}

// Delete implements Store. The returned object is the last state, with the revision of
// the deletion as its resourceVersion.
func (s *EtcdStore) Delete(ctx context.Context, namespace, name string, pre *Preconditions, check func(cur meta.Object) error) (meta.Object, error) {
	key, err := s.key(namespace, name)
	if err != nil {
		return nil, fmt.Errorf("delete %s: %w", s.cfg.Resource, err)
	}
	cur, err := s.get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("delete %s: %w", key, err)
	}
	for {
		if err := checkPreconditions(pre, cur.obj); err != nil {
			return nil, fmt.Errorf("delete %s: %w", key, err)
		}
		if check != nil {
			if err := check(cur.obj); err != nil {
				return nil, err
			}
		}
		resp, err := s.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(key), "=", cur.rev)).
			Then(clientv3.OpDelete(key)).
			Else(clientv3.OpGet(key)).
			Commit()
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", key, err)
		}
		if resp.Succeeded {
			cur.obj.GetObjectMeta().ResourceVersion = formatRV(resp.Header.Revision)
			return cur.obj, nil
		}
		if cur, err = s.fromRange(resp.Responses[0].GetResponseRange().Kvs); err != nil {
			return nil, fmt.Errorf("delete %s: %w", key, err)
		}
	}
}
