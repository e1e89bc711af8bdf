package server

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/allocator"
	"seven.dev/apiserver/internal/registry"
	"seven.dev/apiserver/internal/storage"
)

// systemNamespaces exist from the start, as upstream.
var systemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// bootstrap creates the system namespaces and the kubernetes Service and Endpoints.
func (s *Server) bootstrap(ctx context.Context) error {
	nsKind, _ := s.scheme.ByResource("", "namespaces")
	for _, name := range systemNamespaces {
		q := &registry.Request{Kind: nsKind}
		_, err := s.registry.Create(ctx, q, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: name}})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	prefix, err := netip.ParsePrefix(s.opts.ServiceClusterIPRange)
	if err != nil {
		return err
	}
	first := prefix.Masked().Addr().Next()
	svcKind, _ := s.scheme.ByResource("", "services")
	svc := &core.Service{
		ObjectMeta: meta.ObjectMeta{Name: "kubernetes", Namespace: "default",
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec: core.ServiceSpec{
			Type:      core.ServiceTypeClusterIP,
			ClusterIP: first.String(),
			Ports: []core.ServicePort{{Name: "https", Protocol: core.ProtocolTCP, Port: 443,
				TargetPort: intstr.FromInt32(int32(s.opts.SecurePort))}},
			SessionAffinity: core.ServiceAffinityNone,
		},
	}
	if _, err := s.registry.Create(ctx, &registry.Request{Kind: svcKind, Namespace: "default"}, svc); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create the kubernetes service: %w", err)
	}
	addr := s.opts.AdvertiseAddress
	if addr == "" {
		addr = s.opts.InsecureBindAddress
	}
	if ip := net.ParseIP(addr); ip == nil || ip.IsUnspecified() || ip.IsLoopback() {
		// Endpoints may not point at loopback; without a routable address to publish, the
		// kubernetes Service has no endpoints (as upstream, which refuses such addresses).
		s.log.Info("not publishing kubernetes endpoints: no routable --advertise-address", "address", addr)
		return nil
	}
	epKind, _ := s.scheme.ByResource("", "endpoints")
	ep := &core.Endpoints{
		ObjectMeta: meta.ObjectMeta{Name: "kubernetes", Namespace: "default",
			Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
		Subsets: []core.EndpointSubset{{
			Addresses: []core.EndpointAddress{{IP: addr}},
			Ports:     []core.EndpointPort{{Name: "https", Port: int32(s.opts.SecurePort), Protocol: core.ProtocolTCP}},
		}},
	}
	q := &registry.Request{Kind: epKind, Namespace: "default", Name: "kubernetes"}
	if cur, err := s.registry.Get(ctx, q); err == nil {
		ep.ResourceVersion = cur.GetObjectMeta().ResourceVersion
	}
	if _, _, err := s.registry.Update(ctx, q, ep); err != nil {
		return fmt.Errorf("write the kubernetes endpoints: %w", err)
	}
	return nil
}

// repairLoop reaps Service allocations no Service holds (left by a crash between
// allocating and storing) and refreshes object-count metrics.
func (s *Server) repairLoop(ctx context.Context) {
	tick := time.NewTicker(s.opts.AllocationRepairPeriod)
	defer tick.Stop()
	for {
		s.repairOnce(ctx)
		byName := map[string]storage.Store{}
		for k, st := range s.stores {
			byName[k.Resource] = st
		}
		s.metrics.refreshObjects(byName)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Server) repairOnce(ctx context.Context) {
	svcKind, _ := s.scheme.ByResource("", "services")
	res, err := s.stores[svcKind].List(ctx, "", storage.ListOptions{})
	if err != nil {
		s.log.Warn("repair allocations: list services", "err", err)
		return
	}
	ips, ports := map[string]string{}, map[string]string{}
	for _, o := range res.Items {
		svc := o.(*core.Service)
		owner := svc.Namespace + "/" + svc.Name
		for _, ip := range svc.Spec.ClusterIPs {
			if ip != "" && ip != core.ClusterIPNone {
				ips[ip] = owner
			}
		}
		for _, p := range svc.Spec.Ports {
			if p.NodePort != 0 {
				ports[fmt.Sprint(p.NodePort)] = owner
			}
		}
	}
	const grace = time.Minute
	if rep, err := s.ips.Repair(ctx, ips, grace); err != nil {
		s.log.Warn("repair service IPs", "err", err)
	} else {
		logRepair(s, "service IPs", rep)
	}
	if rep, err := s.ports.Repair(ctx, ports, grace); err != nil {
		s.log.Warn("repair node ports", "err", err)
	} else {
		logRepair(s, "node ports", rep)
	}
}

func logRepair(s *Server, what string, rep allocator.RepairReport) {
	s.log.Debug("repaired allocations", "what", what, "report", fmt.Sprintf("%+v", rep))
}
