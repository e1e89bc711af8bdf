package printers

import (
	"slices"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func nodePrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Status", "string", descNodeStatus),
			column("Roles", "string", descNodeRoles),
			ageColumn(),
			column("Version", "string", descNodeKubeletVersion),
			wide(column("Internal-IP", "string", descNodeAddresses)),
			wide(column("External-IP", "string", descNodeAddresses)),
			wide(column("OS-Image", "string", descNodeOSImage)),
			wide(column("Kernel-Version", "string", descNodeKernelVersion)),
			wide(column("Container-Runtime", "string", descNodeContainerRuntime)),
		},
		row: rowOf(nodeRow),
	}
}

func nodeRow(n *core.Node, now time.Time) meta.TableRow {
	info := &n.Status.NodeInfo
	return cells(
		n.Name,
		nodeStatus(n),
		orNone(strings.Join(nodeRoles(n), ",")),
		age(&n.ObjectMeta, now),
		info.KubeletVersion,
		orNone(nodeAddress(n, core.NodeInternalIP)),
		orNone(nodeAddress(n, core.NodeExternalIP)),
		orUnknown(info.OSImage),
		orUnknown(info.KernelVersion),
		orUnknown(info.ContainerRuntimeVersion),
	)
}

// nodeStatus is "Ready", "NotReady" (Ready is False or Unknown) or "Unknown"
// (no Ready condition), with ",SchedulingDisabled" for a cordoned node. Of
// duplicate Ready conditions the last counts, as in upstream's map.
func nodeStatus(n *core.Node) string {
	status := "Unknown"
	for _, c := range n.Status.Conditions {
		if c.Type != core.NodeReady {
			continue
		}
		if c.Status == core.ConditionTrue {
			status = string(core.NodeReady)
		} else {
			status = "Not" + string(core.NodeReady)
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

// nodeLabelRole is the legacy label whose value names a node's role.
const nodeLabelRole = "kubernetes.io/role"

// nodeRoles are the sorted, distinct roles named by node-role.kubernetes.io/<role>
// label keys and by the value of a kubernetes.io/role label.
func nodeRoles(n *core.Node) []string {
	var roles []string
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, core.LabelNodeRolePrefix):
			if role := strings.TrimPrefix(k, core.LabelNodeRolePrefix); role != "" {
				roles = append(roles, role)
			}
		case k == nodeLabelRole && v != "":
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

// nodeAddress is the first address of type t, or "".
func nodeAddress(n *core.Node, t core.NodeAddressType) string {
	for _, a := range n.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return ""
}

// orUnknown returns s, or "<unknown>" when it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}
