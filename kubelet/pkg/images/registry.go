package images

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// RegistryRefs are the names ref is pushed under on the plain-HTTP registry host: its
// repository on that host (seven.dev/pause:latest -> host/pause:latest) and, for Docker
// Hub's official images, also without "library/" (host/busybox:latest), as people write them.
func RegistryRefs(host, ref string) ([]name.Tag, error) {
	t, err := name.NewTag(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	repos := []string{t.RepositoryStr()}
	if short, ok := strings.CutPrefix(t.RepositoryStr(), "library/"); ok && t.RegistryStr() == name.DefaultRegistry {
		repos = append(repos, short)
	}
	var out []name.Tag
	for _, r := range repos {
		tag, err := name.NewTag(host+"/"+r+":"+t.TagStr(), name.Insecure)
		if err != nil {
			return nil, fmt.Errorf("image reference %q on %s: %w", ref, host, err)
		}
		out = append(out, tag)
	}
	return out, nil
}

// Push writes imgs to the plain-HTTP registry at host under RegistryRefs and returns the
// tags written, sorted.
func Push(ctx context.Context, host string, imgs map[string]v1.Image) ([]string, error) {
	var pushed []string
	for ref, img := range imgs {
		tags, err := RegistryRefs(host, ref)
		if err != nil {
			return pushed, err
		}
		for _, tag := range tags {
			if err := remote.Write(tag, img, remote.WithContext(ctx)); err != nil {
				return pushed, fmt.Errorf("push %s: %w", tag, err)
			}
			pushed = append(pushed, tag.String())
		}
	}
	sort.Strings(pushed)
	return pushed, nil
}
