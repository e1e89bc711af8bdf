package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// maxPageSize caps how many keys one range of a filtered, limited list asks for.
const maxPageSize = 10000

// continueAPIVersion marks continue tokens; upstream's tokens carry the same.
const continueAPIVersion = "meta.k8s.io/v1"

// List implements Store.
//
// ResourceVersion "" (and every continued list) reads etcd at one revision. "0" and N are
// served from the watch cache, ignoring Limit; N waits for the cache to reach N (or
// ErrTooLarge). Items of a list served from the cache are shared with it: read-only.
func (s *EtcdStore) List(ctx context.Context, namespace string, opts ListOptions) (ListResult, error) {
	prefix := s.listPrefix(namespace)
	if opts.Continue != "" || opts.ResourceVersion == "" {
		return s.listEtcd(ctx, prefix, opts)
	}
	var minRev int64
	if opts.ResourceVersion != "0" {
		var err error
		if minRev, err = parseRV(opts.ResourceVersion); err != nil {
			return ListResult{}, fmt.Errorf("list %s: %w", prefix, err)
		}
	}
	res, served, err := s.cache.list(ctx, prefix, minRev, opts.Predicate)
	if err != nil {
		return ListResult{}, fmt.Errorf("list %s: %w", prefix, err)
	}
	if served {
		return res, nil
	}
	// The cache is (re)loading: etcd answers instead, consistently and so fresh enough.
	res, err = s.listEtcd(ctx, prefix, ListOptions{Predicate: opts.Predicate, Limit: opts.Limit})
	if err != nil {
		return ListResult{}, err
	}
	if res.ResourceVersion < minRev {
		return ListResult{}, fmt.Errorf("list %s at resourceVersion %d, newest is %d: %w", prefix, minRev, res.ResourceVersion, ErrTooLarge)
	}
	return res, nil
}

// listEtcd reads one page (or everything, without a limit) from etcd. All pages of a
// paged list are read at the revision of the first, so they form one consistent snapshot.
func (s *EtcdStore) listEtcd(ctx context.Context, prefix string, opts ListOptions) (ListResult, error) {
	startKey := prefix
	var rev int64
	if opts.Continue != "" {
		if opts.ResourceVersion != "" {
			return ListResult{}, fmt.Errorf("list %s: %w: resourceVersion may not be set with continue", prefix, ErrInvalidContinue)
		}
		var err error
		if startKey, rev, err = decodeContinue(opts.Continue, prefix); err != nil {
			return ListResult{}, fmt.Errorf("list %s: %w", prefix, err)
		}
	}
	rangeEnd := clientv3.GetPrefixRangeEnd(prefix)
	paging := opts.Limit > 0
	pageSize := opts.Limit

	var (
		res       ListResult
		lastKey   string
		more      bool
		remaining int64
	)
	for fetches := 0; ; fetches++ {
		ops := []clientv3.OpOption{clientv3.WithRange(rangeEnd)}
		if paging {
			ops = append(ops, clientv3.WithLimit(pageSize))
		}
		if rev > 0 {
			ops = append(ops, clientv3.WithRev(rev))
		}
		resp, err := s.client.Get(ctx, startKey, ops...)
		if err != nil {
			if errors.Is(err, rpctypes.ErrCompacted) {
				return ListResult{}, fmt.Errorf("list %s at revision %d: the continue token is too old to give a consistent list; start a new list: %w", prefix, rev, ErrGone)
			}
			return ListResult{}, fmt.Errorf("list %s: %w", prefix, err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		if fetches == 0 {
			remaining = resp.Count - int64(len(resp.Kvs))
		}
		more = resp.More
		for _, kv := range resp.Kvs {
			if paging && int64(len(res.Items)) >= opts.Limit {
				more = true
				break
			}
			lastKey = string(kv.Key)
			obj, err := s.decode(kv.Value, kv.ModRevision)
			if err != nil {
				return ListResult{}, fmt.Errorf("list %s: decode %s: %w", prefix, kv.Key, err)
			}
			if opts.Predicate != nil && !opts.Predicate(s.cfg.AttrsOf(obj)) {
				continue
			}
			res.Items = append(res.Items, obj)
		}
		// Like upstream, a filtered page keeps reading until it is full or the range ends,
		// with growing ranges so a selective predicate does not cost one round trip per item.
		if !paging || !more || int64(len(res.Items)) >= opts.Limit {
			break
		}
		startKey = lastKey + "\x00"
		if pageSize < maxPageSize {
			pageSize = min(2*pageSize, maxPageSize)
		}
	}
	res.ResourceVersion = rev
	if more {
		token, err := encodeContinue(lastKey+"\x00", prefix, rev)
		if err != nil {
			return ListResult{}, fmt.Errorf("list %s: %w", prefix, err)
		}
		res.Continue = token
		if opts.Predicate == nil && remaining > 0 {
			res.RemainingItemCount = &remaining
		}
	}
	return res, nil
}

// continueToken is the decoded form of ListOptions.Continue, upstream's format.
type continueToken struct {
	APIVersion      string `json:"v"`
	ResourceVersion int64  `json:"rv"`
	// StartKey is the key to continue from, relative to the list's prefix.
	StartKey string `json:"start"`
}

func encodeContinue(key, prefix string, rev int64) (string, error) {
	data, err := json.Marshal(continueToken{
		APIVersion:      continueAPIVersion,
		ResourceVersion: rev,
		StartKey:        strings.TrimPrefix(key, prefix),
	})
	if err != nil {
		return "", fmt.Errorf("encode continue token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(data), nil
}

// decodeContinue returns the absolute key and the revision to continue a list from.
func decodeContinue(token, prefix string) (string, int64, error) {
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %v", ErrInvalidContinue, err)
	}
	var c continueToken
	if err := json.Unmarshal(data, &c); err != nil {
		return "", 0, fmt.Errorf("%w: %v", ErrInvalidContinue, err)
	}
	if c.APIVersion != continueAPIVersion {
		return "", 0, fmt.Errorf("%w: unsupported version %q", ErrInvalidContinue, c.APIVersion)
	}
	if c.ResourceVersion <= 0 {
		return "", 0, fmt.Errorf("%w: bad revision %d", ErrInvalidContinue, c.ResourceVersion)
	}
	if c.StartKey == "" {
		return "", 0, fmt.Errorf("%w: empty start key", ErrInvalidContinue)
	}
	// A client must not be able to range outside the list's prefix: the cleaned key has
	// to be what was sent, so "../" and friends are refused.
	key := c.StartKey
	if !strings.HasPrefix(key, "/") {
		key = "/" + key
	}
	if path.Clean(key) != key {
		return "", 0, fmt.Errorf("%w: bad start key %q", ErrInvalidContinue, c.StartKey)
	}
	return prefix + key[1:], c.ResourceVersion, nil
}
