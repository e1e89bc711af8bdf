package registry

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/meta"
)

func serviceHooks() *hooks {
	return &hooks{
		returnObjectOnDelete: true,
		prepareCreate:        clearStatus,
		prepareUpdate:        keepAllocations,
		beforeCreate:         allocateService,
		beforeUpdate:         reallocateService,
		afterDelete:          releaseService,
	}
}

func needsClusterIP(s *core.Service) bool {
	return s.Spec.Type != core.ServiceTypeExternalName && s.Spec.ClusterIP != core.ClusterIPNone
}

func needsNodePorts(s *core.Service) bool {
	return s.Spec.Type == core.ServiceTypeNodePort || s.Spec.Type == core.ServiceTypeLoadBalancer
}

func owner(s *core.Service) string { return s.Namespace + "/" + s.Name }

// keepAllocations carries the allocated ClusterIP and NodePorts over an update that left
// them out (a PUT of a manifest without them), as upstream does.
func keepAllocations(obj, old meta.Object, _ string) {
	s, o := obj.(*core.Service), old.(*core.Service)
	dropTypeDependentFields(s, o)
	if needsClusterIP(s) && needsClusterIP(o) && s.Spec.ClusterIP == "" && len(s.Spec.ClusterIPs) == 0 {
		s.Spec.ClusterIP = o.Spec.ClusterIP
		s.Spec.ClusterIPs = append([]string(nil), o.Spec.ClusterIPs...)
	}
	if needsNodePorts(s) && needsNodePorts(o) {
		for i := range s.Spec.Ports {
			p := &s.Spec.Ports[i]
			if p.NodePort != 0 {
				continue
			}
			for _, op := range o.Spec.Ports {
				if op.NodePort != 0 && op.Port == p.Port && protocolOf(op.Protocol) == protocolOf(p.Protocol) {
					p.NodePort = op.NodePort
					break
				}
			}
		}
	}
}

func protocolOf(p core.Protocol) core.Protocol {
	if p == "" {
		return core.ProtocolTCP
	}
	return p
}

type allocation struct {
	released []func()
}

func (a *allocation) rollback() {
	for i := len(a.released) - 1; i >= 0; i-- {
		a.released[i]()
	}
}

func allocateService(ctx context.Context, r *Registry, q *Request, obj meta.Object) (func(), error) {
	s := obj.(*core.Service)
	a := &allocation{}
	if err := r.allocateClusterIP(ctx, q, s, a); err != nil {
		a.rollback()
		return nil, err
	}
	if needsNodePorts(s) {
		if err := r.allocateNodePorts(ctx, q, s, nil, a); err != nil {
			a.rollback()
			return nil, err
		}
	}
	return a.rollback, nil
}

func (r *Registry) allocateClusterIP(ctx context.Context, q *Request, s *core.Service, a *allocation) error {
	if !needsClusterIP(s) {
		if s.Spec.Type == core.ServiceTypeExternalName {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil
		} else {
			s.Spec.ClusterIPs = []string{core.ClusterIPNone}
		}
		return nil
	}
	if r.cfg.ServiceIPs == nil {
		return errors.New("no service IP allocator configured")
	}
	ip := s.Spec.ClusterIP
	if ip == "" && len(s.Spec.ClusterIPs) > 0 {
		ip = s.Spec.ClusterIPs[0]
	}
	path := field.NewPath("spec", "clusterIPs")
	if ip != "" {
		if !q.DryRun {
			if err := r.cfg.ServiceIPs.Allocate(ctx, ip, owner(s)); err != nil {
				return invalid(q, s.Name, field.Invalid(path, []string{ip}, fmt.Sprintf("failed to allocate IP %s: %v", ip, err)))
			}
			a.released = append(a.released, func() { r.release(r.cfg.ServiceIPs, ip) })
		}
	} else if !q.DryRun {
		got, err := r.cfg.ServiceIPs.AllocateNext(ctx, owner(s))
		if err != nil {
			return invalid(q, s.Name, field.Invalid(path, []string(nil), fmt.Sprintf("failed to allocate a serviceIP: %v", err)))
		}
		ip = got
		a.released = append(a.released, func() { r.release(r.cfg.ServiceIPs, got) })
	}
	s.Spec.ClusterIP = ip
	s.Spec.ClusterIPs = []string{ip}
	return nil
}

// allocateNodePorts gives every port of s a node port, reserving explicit ones, except
// those already held (keep) by the object being updated.
func (r *Registry) allocateNodePorts(ctx context.Context, q *Request, s *core.Service, keep map[int32]bool, a *allocation) error {
	if r.cfg.ServiceNodePorts == nil {
		return errors.New("no node port allocator configured")
	}
	seen := map[int32]bool{}
	for i := range s.Spec.Ports {
		p := &s.Spec.Ports[i]
		path := field.NewPath("spec", "ports").Index(i).Child("nodePort")
		if p.NodePort != 0 {
			if keep[p.NodePort] || seen[p.NodePort] {
				seen[p.NodePort] = true
				continue
			}
			seen[p.NodePort] = true
			if q.DryRun {
				continue
			}
			port := strconv.Itoa(int(p.NodePort))
			if err := r.cfg.ServiceNodePorts.Allocate(ctx, port, owner(s)); err != nil {
				return invalid(q, s.Name, field.Invalid(path, p.NodePort, err.Error()))
			}
			a.released = append(a.released, func() { r.release(r.cfg.ServiceNodePorts, port) })
			continue
		}
		if q.DryRun {
			continue
		}
		got, err := r.cfg.ServiceNodePorts.AllocateNext(ctx, owner(s))
		if err != nil {
			return invalid(q, s.Name, field.Invalid(path, p.NodePort, fmt.Sprintf("failed to allocate a nodePort: %v", err)))
		}
		n, _ := strconv.Atoi(got)
		p.NodePort = int32(n)
		seen[p.NodePort] = true
		a.released = append(a.released, func() { r.release(r.cfg.ServiceNodePorts, got) })
	}
	return nil
}

func (r *Registry) release(a Allocator, item string) {
	if err := a.Release(context.Background(), item); err != nil {
		r.log.Warn("release service allocation", "item", item, "err", err)
	}
}

func reallocateService(ctx context.Context, r *Registry, q *Request, obj, old meta.Object) (func(), func(), error) {
	s, o := obj.(*core.Service), old.(*core.Service)
	a := &allocation{}
	var commit []func()
	switch {
	case needsClusterIP(s) && !needsClusterIP(o):
		if err := r.allocateClusterIP(ctx, q, s, a); err != nil {
			a.rollback()
			return nil, nil, err
		}
	case !needsClusterIP(s) && needsClusterIP(o):
		ip := o.Spec.ClusterIP
		commit = append(commit, func() { r.release(r.cfg.ServiceIPs, ip) })
		if s.Spec.Type == core.ServiceTypeExternalName {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil
		}
	}
	held := map[int32]bool{}
	if needsNodePorts(o) {
		for _, p := range o.Spec.Ports {
			if p.NodePort != 0 {
				held[p.NodePort] = true
			}
		}
	}
	if needsNodePorts(s) {
		if err := r.allocateNodePorts(ctx, q, s, held, a); err != nil {
			a.rollback()
			return nil, nil, err
		}
	} else {
		for i := range s.Spec.Ports {
			s.Spec.Ports[i].NodePort = 0
		}
	}
	still := map[int32]bool{}
	if needsNodePorts(s) {
		for _, p := range s.Spec.Ports {
			still[p.NodePort] = true
		}
	}
	for port := range held {
		if !still[port] {
			item := strconv.Itoa(int(port))
			commit = append(commit, func() { r.release(r.cfg.ServiceNodePorts, item) })
		}
	}
	return func() {
		for _, c := range commit {
			c()
		}
	}, a.rollback, nil
}

func releaseService(ctx context.Context, r *Registry, obj meta.Object) {
	s := obj.(*core.Service)
	if needsClusterIP(s) && s.Spec.ClusterIP != "" && r.cfg.ServiceIPs != nil {
		r.release(r.cfg.ServiceIPs, s.Spec.ClusterIP)
	}
	if needsNodePorts(s) && r.cfg.ServiceNodePorts != nil {
		for _, p := range s.Spec.Ports {
			if p.NodePort != 0 {
				r.release(r.cfg.ServiceNodePorts, strconv.Itoa(int(p.NodePort)))
			}
		}
	}
}

// dropTypeDependentFields clears, when a Service changes type, the fields the old type
// needed and the new one forbids, unless the client changed them itself (upstream does the
// same, so `kubectl apply` of a type change just works).
func dropTypeDependentFields(s, o *core.Service) {
	if needsNodePorts(o) && !needsNodePorts(s) {
		for i := range s.Spec.Ports {
			p := &s.Spec.Ports[i]
			for _, op := range o.Spec.Ports {
				if p.NodePort != 0 && p.NodePort == op.NodePort {
					p.NodePort = 0
				}
			}
		}
		if s.Spec.ExternalTrafficPolicy == o.Spec.ExternalTrafficPolicy {
			s.Spec.ExternalTrafficPolicy = ""
		}
		if s.Spec.HealthCheckNodePort == o.Spec.HealthCheckNodePort {
			s.Spec.HealthCheckNodePort = 0
		}
	}
	if s.Spec.Type == core.ServiceTypeExternalName && o.Spec.Type != core.ServiceTypeExternalName {
		if s.Spec.ClusterIP == o.Spec.ClusterIP {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil
		}
		s.Spec.IPFamilies, s.Spec.IPFamilyPolicy = nil, nil
	}
}
