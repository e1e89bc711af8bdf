package kubelet

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/kubelet/pkg/container"
)

// imageGC removes images no container uses when the image file system fills up, as
// upstream's kubelet does: above HighThresholdPercent of the file system in use, the
// least recently used images go (never one first seen less than MinAge ago, never the pod
// infra image) until usage is at LowThresholdPercent.
type imageGC struct {
	images container.ImageService
	keep   string // the pod infra image, never removed (normalized)

	mu    sync.Mutex
	first map[string]time.Time // image ID -> when first seen
	used  map[string]time.Time // image ID -> when last seen in use
}

// imageRecord is what the policy knows of one image.
type imageRecord struct {
	container.Image
	firstSeen, lastUsed time.Time
	inUse, keep         bool
}

// imagesToFree picks the images to remove to free need bytes: those not in use, not kept
// and seen at least minAge ago, least recently used first (then first seen first, then by
// ID), until their sizes add up to need. It also returns the bytes they add up to. Pure.
func imagesToFree(recs []imageRecord, need int64, now time.Time, minAge time.Duration) ([]imageRecord, int64) {
	var cands []imageRecord
	for _, r := range recs {
		if !r.inUse && !r.keep && now.Sub(r.firstSeen) >= minAge {
			cands = append(cands, r)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if !a.lastUsed.Equal(b.lastUsed) {
			return a.lastUsed.Before(b.lastUsed)
		}
		if !a.firstSeen.Equal(b.firstSeen) {
			return a.firstSeen.Before(b.firstSeen)
		}
		return a.ID < b.ID
	})
	var out []imageRecord
	var freed int64
	for _, r := range cands {
		if freed >= need {
			break
		}
		out = append(out, r)
		freed += r.Size
	}
	return out, freed
}

// records lists the images, notes which are in use (by a container, by ImageRef, or by
// name in the spec of a pod bound here, which may be about to start), and updates when each
// was first seen and last used.
func (g *imageGC) records(ctx context.Context, pods []*container.PodStatus, specs []*core.Pod, now time.Time) ([]imageRecord, error) {
	imgs, err := g.images.ListImages(ctx)
	if err != nil {
		return nil, err
	}
	inUse := map[string]bool{}
	for _, p := range pods {
		for _, c := range p.Containers {
			inUse[c.ImageRef] = true
		}
	}
	for _, p := range specs {
		for _, c := range append(append([]core.Container(nil), p.Spec.InitContainers...), p.Spec.Containers...) {
			inUse[container.NormalizeImage(c.Image)] = true
		}
	}
	used := func(img container.Image) bool {
		if inUse[img.ID] {
			return true
		}
		for _, n := range img.Names {
			if inUse[n] {
				return true
			}
		}
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	seen := map[string]bool{}
	recs := make([]imageRecord, 0, len(imgs))
	for _, img := range imgs {
		seen[img.ID] = true
		if _, ok := g.first[img.ID]; !ok {
			g.first[img.ID] = now
		}
		u := used(img)
		if u {
			g.used[img.ID] = now
		}
		recs = append(recs, imageRecord{Image: img, firstSeen: g.first[img.ID], lastUsed: g.used[img.ID],
			inUse: u, keep: slices.Contains(img.Names, g.keep)})
	}
	for id := range g.first { // forget images that are gone
		if !seen[id] {
			delete(g.first, id)
			delete(g.used, id)
		}
	}
	return recs, nil
}

// imageGCOnce runs one round: it does nothing below the high threshold. A round that
// cannot free enough says so with a FreeDiskSpaceFailed event on the node.
func (k *Kubelet) imageGCOnce(ctx context.Context, pods []*container.PodStatus) error {
	g := k.imageGC
	now := time.Now()
	recs, err := g.records(ctx, pods, k.pods.Store().List(), now)
	if err != nil {
		return err
	}
	capacity, avail, err := g.images.ImageFsStats(ctx)
	if err != nil {
		return err
	}
	if capacity == 0 {
		return nil
	}
	used := int64(capacity - avail)
	if used*100 < int64(capacity)*int64(k.opts.ImageGCHighThresholdPercent) {
		return nil
	}
	need := used - int64(capacity)*int64(k.opts.ImageGCLowThresholdPercent)/100
	victims, eligible := imagesToFree(recs, need, now, k.opts.ImageMinimumGCAge)
	var freed int64
	for _, v := range victims {
		if err := g.images.RemoveImage(ctx, v.ID); err != nil {
			k.log.Warn("image garbage collection: remove image", "image", v.ID, "err", err)
			continue
		}
		freed += v.Size
		k.log.Info("image garbage collection: removed image", "image", v.ID, "names", v.Names, "size", v.Size)
	}
	if freed < need {
		msg := fmt.Sprintf("Failed to garbage collect required amount of images. Attempted to free %d bytes, but only found %d bytes eligible to free.", need, eligible)
		k.nodeEvent(core.EventTypeWarning, "FreeDiskSpaceFailed", msg) // logged there too
	}
	return nil
}

// nodeEvent records an event about the node.
func (k *Kubelet) nodeEvent(typ, reason, message string) {
	if typ == core.EventTypeWarning {
		k.log.Warn(reason, "msg", message)
	}
	if k.rec != nil {
		n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: k.opts.NodeName, UID: k.opts.NodeName}}
		n.APIVersion, n.Kind = "v1", "Node"
		k.rec.Event(n, typ, reason, message)
	}
}

// Node status images, as upstream reports them.
const (
	maxNodeImages      = 50               // --node-status-max-images's default
	nodeImagesLifetime = 30 * time.Second // how long a listing serves
)

// nodeImages is the node's status.images: the largest images, each named by its digest
// reference and its tags, from a listing at most nodeImagesLifetime old (listed again
// sooner after a pull, or while the last listing was empty).
type nodeImages struct {
	images container.ImageService

	mu   sync.Mutex
	at   time.Time
	list []core.ContainerImage
}

func (n *nodeImages) get(ctx context.Context, now time.Time) []core.ContainerImage {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.list) > 0 && now.Sub(n.at) < nodeImagesLifetime {
		return n.list
	}
	imgs, err := n.images.ListImages(ctx)
	if err != nil {
		return n.list // the last good listing
	}
	n.list, n.at = statusImages(imgs, maxNodeImages), now
	return n.list
}

// invalidate makes the next get list the images again.
func (n *nodeImages) invalidate() {
	n.mu.Lock()
	n.at = time.Time{}
	n.mu.Unlock()
}

// statusImages turns images into status.images: largest first, at most max, each named by
// its ID (repo@digest) and then its tags. Pure.
func statusImages(imgs []container.Image, max int) []core.ContainerImage {
	sorted := slices.Clone(imgs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Size > sorted[j].Size })
	out := []core.ContainerImage{}
	for _, img := range sorted {
		if len(out) == max {
			break
		}
		names := []string{img.ID}
		for _, n := range img.Names {
			if n != img.ID {
				names = append(names, n)
			}
		}
		out = append(out, core.ContainerImage{Names: names, SizeBytes: img.Size})
	}
	return out
}
