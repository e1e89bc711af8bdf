package client

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"seven.dev/api/meta"
)

// DiscoveryInfo is everything the server's discovery documents say.
type DiscoveryInfo struct {
	// Core is /api: the versions of the legacy core group.
	Core *meta.APIVersions
	// Groups is /apis: the named groups.
	Groups *meta.APIGroupList
	// Resources holds one list per group version, core ("v1") first, then the groups'
	// preferred versions in the server's order.
	Resources []*meta.APIResourceList
}

// CoreVersions reads /api.
func (c *Client) CoreVersions(ctx context.Context) (*meta.APIVersions, error) {
	v := &meta.APIVersions{}
	if err := c.call(ctx, http.MethodGet, "/api", nil, nil, "", v); err != nil {
		return nil, err
	}
	return v, nil
}

// ServerGroups reads /apis.
func (c *Client) ServerGroups(ctx context.Context) (*meta.APIGroupList, error) {
	g := &meta.APIGroupList{}
	if err := c.call(ctx, http.MethodGet, "/apis", nil, nil, "", g); err != nil {
		return nil, err
	}
	return g, nil
}

// ServerResources reads the resource list of one group version ("v1", "apps/v1").
func (c *Client) ServerResources(ctx context.Context, groupVersion string) (*meta.APIResourceList, error) {
	p := "/apis/" + groupVersion
	if !strings.Contains(groupVersion, "/") {
		p = "/api/" + groupVersion // the core group has no name
	}
	l := &meta.APIResourceList{}
	if err := c.call(ctx, http.MethodGet, p, nil, nil, "", l); err != nil {
		return nil, err
	}
	return l, nil
}

// Discovery reads /api, /apis and the resource list of every core version and of every
// group's preferred version.
func (c *Client) Discovery(ctx context.Context) (*DiscoveryInfo, error) {
	d := &DiscoveryInfo{}
	var err error
	if d.Core, err = c.CoreVersions(ctx); err != nil {
		return nil, fmt.Errorf("discovery /api: %w", err)
	}
	if d.Groups, err = c.ServerGroups(ctx); err != nil {
		return nil, fmt.Errorf("discovery /apis: %w", err)
	}
	gvs := append([]string(nil), d.Core.Versions...)
	for _, g := range d.Groups.Groups {
		gv := g.PreferredVersion.GroupVersion
		if gv == "" && len(g.Versions) > 0 {
			gv = g.Versions[0].GroupVersion
		}
		if gv != "" {
			gvs = append(gvs, gv)
		}
	}
	for _, gv := range gvs {
		l, err := c.ServerResources(ctx, gv)
		if err != nil {
			return nil, fmt.Errorf("discovery %s: %w", gv, err)
		}
		d.Resources = append(d.Resources, l)
	}
	return d, nil
}

// ServerVersion reads /version (major, minor, gitVersion, platform, ...).
func (c *Client) ServerVersion(ctx context.Context) (map[string]string, error) {
	v := map[string]string{}
	if err := c.call(ctx, http.MethodGet, "/version", nil, nil, "", &v); err != nil {
		return nil, err
	}
	return v, nil
}
