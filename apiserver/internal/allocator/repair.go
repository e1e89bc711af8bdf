package allocator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Allocation is one item and its owner, as Repair reports them.
type Allocation struct {
	Item  string
	Owner string
}

// RepairReport is what Repair found and did; each list is sorted by Item.
type RepairReport struct {
	// Released: recorded allocations that no live object used, older than olderThan; deleted.
	// Owner is the owner the record named.
	Released []Allocation
	// Restored: items live objects use that had no record; recorded now for their owner.
	Restored []Allocation
	// Reowned: records, older than olderThan, naming an owner other than the live object
	// that uses the item; they now name the live one (Owner).
	Reowned []Allocation
	// NotInRange: items live objects use that are outside the range (the range was changed
	// under them). Left alone; upstream asks the user to recreate such Services.
	NotInRange []Allocation
	// Invalid: inUse entries that are not an IP (or port) at all.
	Invalid []Allocation
}

// Repair makes the recorded allocations agree with inUse, the items (in their usual string
// form, "10.254.0.10" or "30001") that live objects use, mapped to their owners:
//
//   - a record that no live object uses is deleted once older than olderThan. Allocation
//     comes before the Service is stored, so a young record may belong to a create still in
//     flight (or to a Service stored after inUse was listed); olderThan must exceed how long
//     a create can take.
//   - an item in use without a record is recorded, so nobody else gets it.
//   - a record naming another owner than the live user is rewritten, once older than
//     olderThan, so that the stale owner cannot re-allocate it "idempotently".
//
// Each change is a transaction guarded by the revision Repair read, so a record that
// changed meanwhile is left for the next run. Keys under the prefix that are not an item are
// left alone. Repair goes on after an etcd error and returns what it did with all errors
// joined. An API server that crashes between allocating and storing a Service leaks the
// allocation; running Repair at start and periodically is how it comes back.
func (a *Allocator[T]) Repair(ctx context.Context, inUse map[string]string, olderThan time.Duration) (RepairReport, error) {
	var rep RepairReport
	want := make(map[string]string, len(inUse)) // canonical item → owner
	restorable := make(map[string]bool, len(inUse))
	for s, owner := range inUse {
		item, err := a.sp.parse(s)
		if err != nil {
			rep.Invalid = append(rep.Invalid, Allocation{Item: s, Owner: owner})
			continue
		}
		c := a.sp.format(item)
		want[c] = owner
		if _, ok := a.sp.offset(item); ok {
			restorable[c] = true
		} else {
			rep.NotInRange = append(rep.NotInRange, Allocation{Item: c, Owner: owner})
		}
	}

	now := a.now()
	var errs []error
	seen := make(map[string]bool, len(want))
	err := a.list(ctx, false, func(kv *mvccpb.KeyValue) error {
		item, ok := a.itemOf(kv.Key)
		if !ok {
			return nil
		}
		s := a.sp.format(item)
		seen[s] = true
		var rec record // an undecodable record has the zero Time: old, and no owner
		_ = json.Unmarshal(kv.Value, &rec)
		if now.Sub(rec.Time) < olderThan {
			return nil
		}
		key := string(kv.Key)
		guard := clientv3.Compare(clientv3.ModRevision(key), "=", kv.ModRevision)
		owner, used := want[s]
		switch {
		case !used:
			resp, err := a.kv.Txn(ctx).If(guard).Then(clientv3.OpDelete(key)).Commit()
			if err != nil {
				errs = append(errs, fmt.Errorf("release unused %s %s of %q: %w", a.sp.noun, s, rec.Owner, err))
			} else if resp.Succeeded {
				rep.Released = append(rep.Released, Allocation{Item: s, Owner: rec.Owner})
			}
		case rec.Owner != owner:
			val, err := json.Marshal(record{Owner: owner, Time: now.UTC()})
			if err != nil {
				return err
			}
			resp, err := a.kv.Txn(ctx).If(guard).Then(clientv3.OpPut(key, string(val))).Commit()
			if err != nil {
				errs = append(errs, fmt.Errorf("reassign %s %s from %q to %s: %w", a.sp.noun, s, rec.Owner, owner, err))
			} else if resp.Succeeded {
				rep.Reowned = append(rep.Reowned, Allocation{Item: s, Owner: owner})
			}
		}
		return ctx.Err()
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("repair %ss: %w", a.sp.noun, err))
		return rep.sorted(), errors.Join(errs...)
	}

	for s, owner := range want {
		if seen[s] || !restorable[s] {
			continue
		}
		// Recorded meanwhile by someone else: a live object and a new allocation share the
		// item. The next run reassigns it once the record is old; nothing better to do here.
		ok, _, err := a.create(ctx, s, owner)
		if err != nil {
			errs = append(errs, fmt.Errorf("restore %s %s for %s: %w", a.sp.noun, s, owner, err))
			continue
		}
		if ok {
			rep.Restored = append(rep.Restored, Allocation{Item: s, Owner: owner})
		}
	}
	return rep.sorted(), errors.Join(errs...)
}

func (r RepairReport) sorted() RepairReport {
	for _, l := range [][]Allocation{r.Released, r.Restored, r.Reowned, r.NotInRange, r.Invalid} {
		slices.SortFunc(l, func(x, y Allocation) int { return strings.Compare(x.Item, y.Item) })
	}
	return r
}
