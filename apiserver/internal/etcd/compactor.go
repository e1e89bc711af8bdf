package etcd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// CompactRevKey is the key the compactors of all API servers sharing a cluster use to
// agree on who compacts; upstream kube-apiserver uses the same key, so a mixed fleet
// still compacts once per interval.
const CompactRevKey = "compact_rev_key"

// RunCompactor compacts etcd every interval to the revision it saw one interval earlier, so
// at least one interval of history stays available to watchers resuming from an old
// resourceVersion (the watch window). It returns when ctx is done.
//
// Several API servers may run it against one cluster: each tick is a compare-and-swap on the
// version of CompactRevKey, so only the first of them compacts in a given interval, and the
// others adopt its revision.
func RunCompactor(ctx context.Context, client *clientv3.Client, interval time.Duration, logger *slog.Logger) {
	if interval <= 0 {
		return
	}
	if logger == nil {
		logger = slog.Default()
	}
	c := compactor{kv: client, logger: logger}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if err := c.tick(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("etcd compaction failed", "err", err)
		}
	}
}

// compactor remembers, between ticks, the version of CompactRevKey it last saw and the
// revision recorded then.
type compactor struct {
	kv      clientv3.KV
	logger  *slog.Logger
	version int64
	rev     int64
}

func (c *compactor) tick(ctx context.Context) error {
	resp, err := c.kv.Txn(ctx).If(
		clientv3.Compare(clientv3.Version(CompactRevKey), "=", c.version),
	).Then(
		// The put bumps the key's version, which is how the other API servers learn that
		// this interval's compaction is taken.
		clientv3.OpPut(CompactRevKey, strconv.FormatInt(c.rev, 10)),
	).Else(
		clientv3.OpGet(CompactRevKey),
	).Commit()
	if err != nil {
		return fmt.Errorf("record compaction revision: %w", err)
	}
	curRev := resp.Header.Revision
	if !resp.Succeeded {
		// Another API server won this interval (or we restarted): adopt its version and
		// compact next time to what is current now.
		if kvs := resp.Responses[0].GetResponseRange().Kvs; len(kvs) > 0 {
			c.version = kvs[0].Version
		} else {
			c.version = 0
		}
		c.rev = curRev
		return nil
	}
	prev := c.rev
	c.version++
	c.rev = curRev
	if prev == 0 {
		// The first interval only records where history starts.
		return nil
	}
	if _, err := c.kv.Compact(ctx, prev); err != nil {
		if errors.Is(err, rpctypes.ErrCompacted) {
			return nil
		}
		return fmt.Errorf("compact to revision %d: %w", prev, err)
	}
	c.logger.Debug("compacted etcd", "revision", prev)
	return nil
}
