package describe

import (
	"context"
	"encoding/json"
	"fmt"

	"seven.dev/api/apps"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// Reader is what describers read through: JSON of one object, or of a list.
type Reader interface {
	// Get returns one object's JSON.
	Get(ctx context.Context, k *scheme.Kind, namespace, name string) ([]byte, error)
	// List returns a list's JSON; namespace "" lists all, selector may be "".
	List(ctx context.Context, k *scheme.Kind, namespace, selector string) ([]byte, error)
}

// Describer renders the description of one object, given its JSON.
type Describer struct {
	R      Reader
	Scheme *scheme.Scheme
	// ShowEvents adds the Events section (kubectl describe --show-events, default true).
	ShowEvents bool
}

// Describe renders obj (the JSON of an object of kind k).
func (d *Describer) Describe(ctx context.Context, k *scheme.Kind, data []byte) (string, error) {
	x := k.New()
	if err := json.Unmarshal(data, x); err != nil {
		return "", fmt.Errorf("decoding %s: %w", k.Kind, err)
	}
	m := x.GetObjectMeta()
	var events []core.Event
	if d.ShowEvents {
		events = d.events(ctx, m)
	}
	switch o := x.(type) {
	case *core.Pod:
		return describePod(o, events), nil
	case *core.ReplicationController:
		pods := d.pods(ctx, o.Namespace, labels.SelectorFromSet(o.Spec.Selector).String(), o.UID)
		return describeRC(o, pods, events), nil
	case *apps.ReplicaSet:
		sel, _ := labels.SelectorFromLabelSelector(o.Spec.Selector)
		pods := d.pods(ctx, o.Namespace, selString(sel), o.UID)
		return describeRS(o, pods, events), nil
	case *apps.Deployment:
		return describeDeployment(o, d.replicaSets(ctx, o), events), nil
	case *core.Service:
		return describeService(o, d.endpoints(ctx, o.Namespace, o.Name), events), nil
	case *core.Node:
		lease, leaseErr := d.lease(ctx, o.Name)
		return describeNode(o, lease, leaseErr, d.nodePods(ctx, o.Name), events), nil
	case *core.Namespace:
		return describeNamespace(o), nil
	case *core.Endpoints:
		return describeEndpoints(o, events), nil
	case *core.ConfigMap:
		return describeConfigMap(o, events), nil
	case *core.Secret:
		return describeSecret(o), nil
	}
	return describeGeneric(data, events)
}

func selString(s labels.Selector) string {
	if s == nil {
		return ""
	}
	return s.String()
}

func (d *Describer) kind(apiVersion, kind string) *scheme.Kind {
	k, _ := d.Scheme.ByKind(apiVersion, kind)
	return k
}

// events returns the events about the object, as upstream's SearchEvents finds them.
func (d *Describer) events(ctx context.Context, m *meta.ObjectMeta) []core.Event {
	k := d.kind("v1", "Event")
	data, err := d.R.List(ctx, k, m.Namespace, "")
	if err != nil {
		return nil
	}
	var list core.EventList
	if json.Unmarshal(data, &list) != nil {
		return nil
	}
	var out []core.Event
	for _, e := range list.Items {
		if e.InvolvedObject.Name == m.Name && (e.InvolvedObject.UID == "" || e.InvolvedObject.UID == m.UID) {
			out = append(out, e)
		}
	}
	return out
}

// pods lists the pods of a controller (selected and controlled by uid).
func (d *Describer) pods(ctx context.Context, ns, selector, uid string) []core.Pod {
	data, err := d.R.List(ctx, d.kind("v1", "Pod"), ns, selector)
	if err != nil {
		return nil
	}
	var list core.PodList
	if json.Unmarshal(data, &list) != nil {
		return nil
	}
	var out []core.Pod
	for _, p := range list.Items {
		for _, r := range p.OwnerReferences {
			if r.Controller != nil && *r.Controller && r.UID == uid {
				out = append(out, p)
			}
		}
	}
	return out
}

func (d *Describer) replicaSets(ctx context.Context, dep *apps.Deployment) []apps.ReplicaSet {
	sel, err := labels.SelectorFromLabelSelector(dep.Spec.Selector)
	if err != nil {
		return nil
	}
	data, err := d.R.List(ctx, d.kind("apps/v1", "ReplicaSet"), dep.Namespace, selString(sel))
	if err != nil {
		return nil
	}
	var list apps.ReplicaSetList
	if json.Unmarshal(data, &list) != nil {
		return nil
	}
	var out []apps.ReplicaSet
	for _, rs := range list.Items {
		for _, r := range rs.OwnerReferences {
			if r.Controller != nil && *r.Controller && r.UID == dep.UID {
				out = append(out, rs)
			}
		}
	}
	return out
}

func (d *Describer) endpoints(ctx context.Context, ns, name string) *core.Endpoints {
	data, err := d.R.Get(ctx, d.kind("v1", "Endpoints"), ns, name)
	if err != nil {
		return nil
	}
	var ep core.Endpoints
	if json.Unmarshal(data, &ep) != nil {
		return nil
	}
	return &ep
}

func (d *Describer) lease(ctx context.Context, node string) (*coordination.Lease, error) {
	k := d.kind("coordination.k8s.io/v1", "Lease")
	if k == nil {
		return nil, fmt.Errorf("leases.coordination.k8s.io %q not found", node)
	}
	data, err := d.R.Get(ctx, k, "kube-node-lease", node)
	if err != nil {
		return nil, err
	}
	var l coordination.Lease
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// nodePods lists the non-terminated pods bound to a node.
func (d *Describer) nodePods(ctx context.Context, node string) []core.Pod {
	data, err := d.R.List(ctx, d.kind("v1", "Pod"), "", "")
	if err != nil {
		return nil
	}
	var list core.PodList
	if json.Unmarshal(data, &list) != nil {
		return nil
	}
	var out []core.Pod
	for _, p := range list.Items {
		if p.Spec.NodeName == node && p.Status.Phase != core.PodSucceeded && p.Status.Phase != core.PodFailed {
			out = append(out, p)
		}
	}
	return out
}
