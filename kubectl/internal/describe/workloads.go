package describe

import (
	"fmt"
	"strings"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

func podCounts(pods []core.Pod) (running, waiting, succeeded, failed int) {
	for _, p := range pods {
		switch p.Status.Phase {
		case core.PodRunning:
			running++
		case core.PodPending:
			waiting++
		case core.PodSucceeded:
			succeeded++
		case core.PodFailed:
			failed++
		}
	}
	return
}

func describeRC(rc *core.ReplicationController, pods []core.Pod, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", rc.Name)
	w.Write(l0, "Namespace:\t%s\n", rc.Namespace)
	w.Write(l0, "Selector:\t%s\n", formatLabels(rc.Spec.Selector))
	printLabels(w, "Labels", rc.Labels)
	printAnnotations(w, "Annotations", rc.Annotations)
	replicas := int32(1)
	if rc.Spec.Replicas != nil {
		replicas = *rc.Spec.Replicas
	}
	w.Write(l0, "Replicas:\t%d current / %d desired\n", rc.Status.Replicas, replicas)
	r, wt, s, f := podCounts(pods)
	w.Write(l0, "Pods Status:\t%d Running / %d Waiting / %d Succeeded / %d Failed\n", r, wt, s, f)
	describePodTemplate(rc.Spec.Template, w)
	if len(rc.Status.Conditions) > 0 {
		w.Write(l0, "Conditions:\n  Type\tStatus\tReason\n")
		w.Write(l1, "----\t------\t------\n")
		for _, c := range rc.Status.Conditions {
			w.Write(l1, "%v \t%v\t%v\n", c.Type, c.Status, c.Reason)
		}
	}
	describeEvents(events, w)
	return w.String()
}

func describeRS(rs *apps.ReplicaSet, pods []core.Pod, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", rs.Name)
	w.Write(l0, "Namespace:\t%s\n", rs.Namespace)
	w.Write(l0, "Selector:\t%s\n", formatLabelSelector(rs.Spec.Selector))
	printLabels(w, "Labels", rs.Labels)
	printAnnotations(w, "Annotations", rs.Annotations)
	if c := controllerOf(rs.OwnerReferences); c != "" {
		w.Write(l0, "Controlled By:\t%s\n", c)
	}
	replicas := int32(1)
	if rs.Spec.Replicas != nil {
		replicas = *rs.Spec.Replicas
	}
	w.Write(l0, "Replicas:\t%d current / %d desired\n", rs.Status.Replicas, replicas)
	w.Write(l0, "Pods Status:\t")
	r, wt, s, f := podCounts(pods)
	w.Write(l0, "%d Running / %d Waiting / %d Succeeded / %d Failed\n", r, wt, s, f)
	describePodTemplate(&rs.Spec.Template, w)
	if len(rs.Status.Conditions) > 0 {
		w.Write(l0, "Conditions:\n  Type\tStatus\tReason\n")
		w.Write(l1, "----\t------\t------\n")
		for _, c := range rs.Status.Conditions {
			w.Write(l1, "%v \t%v\t%v\n", c.Type, c.Status, c.Reason)
		}
	}
	describeEvents(events, w)
	return w.String()
}

func describeDeployment(d *apps.Deployment, rss []apps.ReplicaSet, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", d.Name)
	w.Write(l0, "Namespace:\t%s\n", d.Namespace)
	w.Write(l0, "CreationTimestamp:\t%s\n", rfc1123(d.CreationTimestamp))
	printLabels(w, "Labels", d.Labels)
	printAnnotations(w, "Annotations", d.Annotations)
	w.Write(l0, "Selector:\t%s\n", formatLabelSelector(d.Spec.Selector))
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	w.Write(l0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n", replicas, d.Status.UpdatedReplicas, d.Status.Replicas, d.Status.AvailableReplicas, d.Status.UnavailableReplicas)
	w.Write(l0, "StrategyType:\t%s\n", d.Spec.Strategy.Type)
	w.Write(l0, "MinReadySeconds:\t%d\n", d.Spec.MinReadySeconds)
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		w.Write(l0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", intOrStr(ru.MaxUnavailable), intOrStr(ru.MaxSurge))
	}
	describePodTemplate(&d.Spec.Template, w)
	if len(d.Status.Conditions) > 0 {
		w.Write(l0, "Conditions:\n  Type\tStatus\tReason\n")
		w.Write(l1, "----\t------\t------\n")
		for _, c := range d.Status.Conditions {
			w.Write(l1, "%v \t%v\t%v\n", c.Type, c.Status, c.Reason)
		}
	}
	if len(rss) > 0 {
		rev := d.Annotations["deployment.kubernetes.io/revision"]
		var old, cur []apps.ReplicaSet
		for _, rs := range rss {
			if rev != "" && rs.Annotations["deployment.kubernetes.io/revision"] == rev {
				cur = append(cur, rs)
			} else {
				old = append(old, rs)
			}
		}
		w.Write(l0, "OldReplicaSets:\t%s\n", rsList(old))
		w.Write(l0, "NewReplicaSet:\t%s\n", rsList(cur))
	}
	describeEvents(events, w)
	return w.String()
}

func intOrStr(v *intstr.IntOrString) string {
	if v == nil {
		return "<nil>"
	}
	return v.String()
}

func rsList(rss []apps.ReplicaSet) string {
	if len(rss) == 0 {
		return "<none>"
	}
	var parts []string
	for _, rs := range rss {
		replicas := int32(1)
		if rs.Spec.Replicas != nil {
			replicas = *rs.Spec.Replicas
		}
		parts = append(parts, fmt.Sprintf("%s (%d/%d replicas created)", rs.Name, rs.Status.Replicas, replicas))
	}
	return strings.Join(parts, ", ")
}
