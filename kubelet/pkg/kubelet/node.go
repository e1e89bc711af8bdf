package kubelet

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/coordination"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// nodeConditions returns the node's conditions as of now, keeping the transition times of
// prev's conditions whose status did not change. Pure, so that it is tested with tables.
func nodeConditions(prev []core.NodeCondition, now time.Time, memAvailable, diskFreePercent int64) []core.NodeCondition {
	type cond struct {
		t              core.NodeConditionType
		bad            bool
		okR, okM, badR string
		badM           string
	}
	conds := []cond{
		{core.NodeMemoryPressure, memAvailable > 0 && memAvailable < 100<<20, "KubeletHasSufficientMemory", "kubelet has sufficient memory available", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"},
		{core.NodeDiskPressure, diskFreePercent >= 0 && diskFreePercent < 5, "KubeletHasNoDiskPressure", "kubelet has no disk pressure", "KubeletHasDiskPressure", "kubelet has disk pressure"},
		{core.NodePIDPressure, false, "KubeletHasSufficientPID", "kubelet has sufficient PID available", "KubeletHasInsufficientPID", "kubelet has insufficient PID available"},
	}
	var out []core.NodeCondition
	for _, c := range conds {
		nc := core.NodeCondition{Type: c.t, Status: core.ConditionFalse, Reason: c.okR, Message: c.okM}
		if c.bad {
			nc.Status, nc.Reason, nc.Message = core.ConditionTrue, c.badR, c.badM
		}
		out = append(out, nc)
	}
	out = append(out, core.NodeCondition{Type: core.NodeReady, Status: core.ConditionTrue,
		Reason: "KubeletReady", Message: "kubelet is posting ready status"})
	for i := range out {
		out[i].LastHeartbeatTime = meta.NewTime(now.UTC().Truncate(time.Second))
		out[i].LastTransitionTime = out[i].LastHeartbeatTime
		for _, p := range prev {
			if p.Type == out[i].Type && p.Status == out[i].Status && !p.LastTransitionTime.IsZero() {
				out[i].LastTransitionTime = p.LastTransitionTime
			}
		}
	}
	return out
}

// nodeLabels returns the labels the kubelet owns on its node.
func (k *Kubelet) nodeLabels() map[string]string {
	l := map[string]string{
		core.LabelHostname:        k.opts.NodeName,
		core.LabelOSStable:        runtime.GOOS,
		core.LabelArchStable:      runtime.GOARCH,
		"beta.kubernetes.io/os":   runtime.GOOS,
		"beta.kubernetes.io/arch": runtime.GOARCH,
	}
	for key, v := range k.opts.Labels {
		l[key] = v
	}
	return l
}

func (k *Kubelet) fillStatus(ctx context.Context, n *core.Node) {
	capacity := k.capacity
	n.Status.Capacity = capacity
	n.Status.Allocatable = capacity
	n.Status.Addresses = []core.NodeAddress{{Type: core.NodeHostName, Address: k.opts.NodeName}}
	if k.nodeIP != "" {
		n.Status.Addresses = append([]core.NodeAddress{{Type: core.NodeInternalIP, Address: k.nodeIP}}, n.Status.Addresses...)
	}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = k.serverPort()
	version, _ := k.rt.Version(ctx)
	if k.opts.Capacity != nil {
		n.Status.NodeInfo = core.NodeSystemInfo{KubeletVersion: Version, KubeProxyVersion: Version,
			ContainerRuntimeVersion: version, OperatingSystem: runtime.GOOS, Architecture: runtime.GOARCH,
			OSImage: "hollow", MachineID: k.opts.NodeName, SystemUUID: k.opts.NodeName, BootID: k.opts.NodeName}
	} else {
		n.Status.NodeInfo = systemInfo(version)
	}
	mem, disk := int64(-1), int64(-1)
	if k.opts.Capacity == nil {
		mem = meminfo("MemAvailable")
		disk = diskFreePercent(k.opts.RootDir)
	}
	n.Status.Conditions = nodeConditions(n.Status.Conditions, time.Now(), mem, disk)
	if k.nodeImages != nil {
		n.Status.Images = k.nodeImages.get(ctx, time.Now())
	}
}

// registerNode creates the Node, or brings an existing one up to date.
func (k *Kubelet) registerNode(ctx context.Context) error {
	nodes := client.Nodes(k.c)
	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: k.opts.NodeName, Labels: k.nodeLabels()}}
	k.fillStatus(ctx, n)
	created, err := nodes.Create(ctx, n)
	if err == nil {
		// The create ignores status; write it through the subresource.
		created.Status = clone(n.Status)
		created, err = nodes.UpdateStatus(ctx, created)
		if err != nil {
			return fmt.Errorf("register node %s: status: %w", k.opts.NodeName, err)
		}
		k.setNode(created)
		return nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("register node %s: %w", k.opts.NodeName, err)
	}
	existing, err := nodes.Get(ctx, "", k.opts.NodeName)
	if err != nil {
		return fmt.Errorf("register node %s: get: %w", k.opts.NodeName, err)
	}
	existing = clone(existing)
	if existing.Labels == nil {
		existing.Labels = map[string]string{}
	}
	for key, v := range k.nodeLabels() {
		existing.Labels[key] = v
	}
	existing, err = nodes.Update(ctx, existing)
	if err != nil {
		return fmt.Errorf("register node %s: update: %w", k.opts.NodeName, err)
	}
	k.setNode(existing)
	return k.updateNodeStatus(ctx)
}

func (k *Kubelet) setNode(n *core.Node) {
	k.mu.Lock()
	k.node = n
	k.mu.Unlock()
}

// updateNodeStatus writes the node's status, re-reading the node on a conflict.
func (k *Kubelet) updateNodeStatus(ctx context.Context) error {
	nodes := client.Nodes(k.c)
	k.mu.Lock()
	n := k.node
	k.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if n == nil || attempt > 0 {
			fresh, err := nodes.Get(ctx, "", k.opts.NodeName)
			if apierrors.IsNotFound(err) {
				return k.registerNode(ctx)
			}
			if err != nil {
				return fmt.Errorf("update status of node %s: %w", k.opts.NodeName, err)
			}
			n = fresh
		}
		n = clone(n)
		k.fillStatus(ctx, n)
		updated, err := nodes.UpdateStatus(ctx, n)
		if err == nil {
			k.setNode(updated)
			return nil
		}
		if (!apierrors.IsConflict(err) && !apierrors.IsNotFound(err)) || attempt >= 3 {
			return fmt.Errorf("update status of node %s: %w", k.opts.NodeName, err)
		}
	}
}

// renewLease creates or renews the node's Lease in kube-node-lease.
func (k *Kubelet) renewLease(ctx context.Context) error {
	leases := client.Leases(k.c)
	holder := k.opts.NodeName
	dur := int32(k.opts.LeaseDuration / time.Second)
	now := meta.NowMicro()
	if k.lease != nil {
		l := clone(k.lease)
		l.Spec.RenewTime = &now
		l.Spec.HolderIdentity = &holder
		l.Spec.LeaseDurationSeconds = &dur
		updated, err := leases.Update(ctx, l)
		if err == nil {
			k.lease = updated
			return nil
		}
		k.lease = nil
		if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
			return fmt.Errorf("renew lease %s: %w", holder, err)
		}
	}
	l, err := leases.Get(ctx, core.NamespaceNodeLease, holder)
	if apierrors.IsNotFound(err) {
		l = &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: holder, Namespace: core.NamespaceNodeLease}}
		k.mu.Lock()
		if k.node != nil {
			l.OwnerReferences = []meta.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: k.node.Name, UID: k.node.UID}}
		}
		k.mu.Unlock()
		l.Spec = coordination.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &dur, RenewTime: &now}
		created, err := leases.Create(ctx, l)
		if err != nil {
			return fmt.Errorf("create lease %s: %w", holder, err)
		}
		k.lease = created
		return nil
	}
	if err != nil {
		return fmt.Errorf("get lease %s: %w", holder, err)
	}
	l = clone(l)
	l.Spec.RenewTime, l.Spec.HolderIdentity, l.Spec.LeaseDurationSeconds = &now, &holder, &dur
	updated, err := leases.Update(ctx, l)
	if err != nil {
		return fmt.Errorf("renew lease %s: %w", holder, err)
	}
	k.lease = updated
	return nil
}

// heartbeat renews the lease and writes node status until ctx ends.
func (k *Kubelet) heartbeat(ctx context.Context) {
	leaseT := time.NewTicker(k.opts.LeaseRenewInterval)
	statusT := time.NewTicker(k.opts.StatusUpdateFrequency)
	defer leaseT.Stop()
	defer statusT.Stop()
	if err := k.renewLease(ctx); err != nil && ctx.Err() == nil {
		k.log.Warn("lease", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-leaseT.C:
			if err := k.renewLease(ctx); err != nil && ctx.Err() == nil {
				k.log.Warn("lease", "err", err)
			}
		case <-statusT.C:
			if err := k.updateNodeStatus(ctx); err != nil && ctx.Err() == nil {
				k.log.Warn("node status", "err", err)
			}
		}
	}
}

func diskFreePercent(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Blocks == 0 {
		return -1
	}
	return int64(st.Bavail * 100 / st.Blocks)
}
