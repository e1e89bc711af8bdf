package cli

import (
	"fmt"
	"strconv"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/errors"
	"seven.dev/api/meta"
)

type cleanupPolicy int

const (
	cleanupDelete cleanupPolicy = iota
	cleanupRename
)

// rcUpdater runs the classic rolling update of replication controllers: maxSurge 1,
// maxUnavailable 0, so old+new replicas never drop below the desired count.
type rcUpdater struct {
	o                         *Options
	rcs                       *client.Resource[*core.ReplicationController]
	ns                        string
	period, interval, timeout time.Duration
	cleanup                   cleanupPolicy
}

// scaleUpTo is how far the new controller may grow: up to desired+maxSurge pods in all, or
// straight to desired once the old one is gone.
func scaleUpTo(newR, oldR, desired, maxSurge int32) int32 {
	if newR == desired {
		return newR
	}
	inc := desired + maxSurge - (oldR + newR)
	if oldR == 0 {
		inc = desired - newR
	}
	if inc <= 0 {
		return newR
	}
	return min(newR+inc, desired)
}

// scaleDownTo is how far the old controller may shrink keeping minAvailable pods available,
// counting the new controller's unavailable pods against it.
func scaleDownTo(newR, oldR, newAvailable, desired, minAvailable int32) int32 {
	if oldR == 0 {
		return 0
	}
	dec := oldR + newR - minAvailable - (newR - newAvailable)
	if dec <= 0 {
		return oldR
	}
	out := max(oldR-dec, 0)
	if newR == desired && newAvailable == desired {
		out = 0
	}
	return out
}

func (u *rcUpdater) update(oldRC, newRC *core.ReplicationController) error {
	out := u.o.Out
	sourceID := fmt.Sprintf("%s:%s", oldRC.Name, oldRC.UID)
	existing, err := u.rcs.Get(u.o.ctx, u.ns, newRC.Name)
	switch {
	case err == nil:
		if existing.Annotations[sourceIDAnnotation] != sourceID || existing.Annotations[desiredReplicasAnnotation] == "" {
			return fmt.Errorf("Missing/unexpected annotations for controller %s, expected %s : %v", newRC.Name, sourceID, existing.Annotations)
		}
		newRC = existing
		fmt.Fprintf(out, "Continuing update with existing controller %s.\n", newRC.Name)
	case errors.IsNotFound(err):
		if replicasOf(newRC) <= 0 {
			return fmt.Errorf("Invalid controller spec for %s; required: > 0 replicas, actual: %d", newRC.Name, replicasOf(newRC))
		}
		setAnnotation(&newRC.ObjectMeta, desiredReplicasAnnotation, strconv.Itoa(int(replicasOf(newRC))))
		setAnnotation(&newRC.ObjectMeta, sourceIDAnnotation, sourceID)
		zero := int32(0)
		newRC.Spec.Replicas = &zero
		newRC.ResourceVersion = ""
		if newRC, err = u.rcs.Create(u.o.ctx, newRC); err != nil {
			return err
		}
		fmt.Fprintf(out, "Created %s\n", newRC.Name)
	default:
		return err
	}
	desired, err := atoi32(newRC.Annotations[desiredReplicasAnnotation])
	if err != nil {
		return fmt.Errorf("Unable to parse annotation for %s: %s=%s", newRC.Name, desiredReplicasAnnotation, newRC.Annotations[desiredReplicasAnnotation])
	}
	if _, ok := oldRC.Annotations[originalReplicasAnnotation]; !ok {
		if oldRC, err = u.o.updateRC(u.ns, oldRC.Name, func(rc *core.ReplicationController) {
			setAnnotation(&rc.ObjectMeta, originalReplicasAnnotation, strconv.Itoa(int(replicasOf(rc))))
		}); err != nil {
			return err
		}
	}
	const maxSurge, maxUnavailable = int32(1), int32(0)
	minAvailable := max(0, desired-maxUnavailable)
	if desired == 0 {
		minAvailable = 0
	}
	fmt.Fprintf(out, "Scaling up %s from %d to %d, scaling down %s from %d to 0 (keep %d pods available, don't exceed %d pods)\n",
		newRC.Name, replicasOf(newRC), desired, oldRC.Name, replicasOf(oldRC), minAvailable, desired+maxSurge)
	deadline := time.Now().Add(u.timeout)
	for replicasOf(newRC) != desired || replicasOf(oldRC) != 0 {
		newBefore, oldBefore := replicasOf(newRC), replicasOf(oldRC)
		if to := scaleUpTo(replicasOf(newRC), replicasOf(oldRC), desired, maxSurge); to != replicasOf(newRC) {
			fmt.Fprintf(out, "Scaling %s up to %d\n", newRC.Name, to)
			if newRC, err = u.scaleAndWait(newRC.Name, to); err != nil {
				return err
			}
		}
		if err := u.sleep(u.period); err != nil {
			return err
		}
		if replicasOf(oldRC) != 0 {
			avail, err := u.available(newRC)
			if err != nil {
				return err
			}
			if to := scaleDownTo(replicasOf(newRC), replicasOf(oldRC), avail, desired, minAvailable); to != replicasOf(oldRC) {
				fmt.Fprintf(out, "Scaling %s down to %d\n", oldRC.Name, to)
				if oldRC, err = u.scaleAndWait(oldRC.Name, to); err != nil {
					return err
				}
			}
		}
		if replicasOf(newRC) != newBefore || replicasOf(oldRC) != oldBefore {
			deadline = time.Now().Add(u.timeout)
		} else if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for any update progress to be made")
		} else if err := u.sleep(u.interval); err != nil {
			return err
		}
	}
	return u.finish(oldRC, newRC)
}

func (u *rcUpdater) sleep(d time.Duration) error {
	select {
	case <-u.o.ctx.Done():
		return u.o.ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// scaleAndWait sets the replicas and waits until the controller reports them.
func (u *rcUpdater) scaleAndWait(name string, replicas int32) (*core.ReplicationController, error) {
	if err := u.o.scaleOne(u.rcs.Kind(), u.ns, name, int(replicas), -1, ""); err != nil {
		return nil, err
	}
	return u.waitReplicas(name)
}

func (u *rcUpdater) waitReplicas(name string) (*core.ReplicationController, error) {
	deadline := time.Now().Add(u.timeout)
	for {
		rc, err := u.rcs.Get(u.o.ctx, u.ns, name)
		if err != nil {
			return nil, err
		}
		if rc.Status.ObservedGeneration >= rc.Generation && rc.Status.Replicas == replicasOf(rc) {
			return rc, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("timed out waiting for %q to be synced", name)
		}
		if err := u.sleep(u.interval); err != nil {
			return nil, err
		}
	}
}

// available counts the Ready pods of the new controller.
func (u *rcUpdater) available(rc *core.ReplicationController) (int32, error) {
	cl, _ := u.o.client()
	pods, err := client.Pods(cl).List(u.o.ctx, u.ns, client.ListOptions{LabelSelector: selectorString(rc.Spec.Selector)})
	if err != nil {
		return 0, err
	}
	var n int32
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == core.PodReady && c.Status == core.ConditionTrue {
				n++
			}
		}
	}
	return n, nil
}

func (u *rcUpdater) finish(oldRC, newRC *core.ReplicationController) error {
	out := u.o.Out
	newRC, err := u.o.updateRC(u.ns, newRC.Name, func(rc *core.ReplicationController) {
		delete(rc.Annotations, sourceIDAnnotation)
		delete(rc.Annotations, desiredReplicasAnnotation)
	})
	if err != nil {
		return err
	}
	if newRC, err = u.waitReplicas(newRC.Name); err != nil {
		return err
	}
	if u.cleanup == cleanupDelete {
		fmt.Fprintf(out, "Update succeeded. Deleting %s\n", oldRC.Name)
		return u.rcs.Delete(u.o.ctx, u.ns, oldRC.Name, nil)
	}
	fmt.Fprintf(out, "Update succeeded. Deleting old controller: %s\n", oldRC.Name)
	if err := u.rcs.Delete(u.o.ctx, u.ns, oldRC.Name, nil); err != nil {
		return err
	}
	if err := u.o.waitGone(u.rcs.Kind(), u.ns, oldRC.Name, u.timeout); err != nil {
		return err
	}
	fmt.Fprintf(out, "Renaming %s to %s\n", newRC.Name, oldRC.Name)
	orphan := "Orphan"
	if err := u.rcs.Delete(u.o.ctx, u.ns, newRC.Name, &meta.DeleteOptions{PropagationPolicy: &orphan}); err != nil && !errors.IsNotFound(err) {
		return err
	}
	if err := u.waitOrphaned(newRC); err != nil {
		return err
	}
	renamed := newRC
	renamed.ObjectMeta = meta.ObjectMeta{Name: oldRC.Name, Namespace: u.ns, Labels: newRC.Labels, Annotations: newRC.Annotations}
	renamed.Status = core.ReplicationControllerStatus{}
	_, err = u.rcs.Create(u.o.ctx, renamed)
	return err
}

// waitOrphaned waits for a controller deleted with the Orphan policy to go. The garbage
// collector normally releases its pods and removes the "orphan" finalizer; when none runs
// (a control plane without a controller manager), kubectl does the collector's part itself
// after a grace of a few seconds: it clears the pods' owner references, then the finalizer.
func (u *rcUpdater) waitOrphaned(rc *core.ReplicationController) error {
	if err := u.o.waitGone(u.rcs.Kind(), u.ns, rc.Name, 3*time.Second); err == nil {
		return nil
	}
	cl, _ := u.o.client()
	pods, err := client.Pods(cl).List(u.o.ctx, u.ns, client.ListOptions{LabelSelector: selectorString(rc.Spec.Selector)})
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		var keep []meta.OwnerReference
		for _, r := range p.OwnerReferences {
			if r.UID != rc.UID {
				keep = append(keep, r)
			}
		}
		if len(keep) != len(p.OwnerReferences) {
			body := map[string]any{"metadata": map[string]any{"ownerReferences": keep, "resourceVersion": p.ResourceVersion}}
			if _, err := u.o.send("PATCH", client.Path(client.Pods(cl).Kind(), u.ns, p.Name, ""), nil, body, client.MergePatchType); err != nil && !errors.IsNotFound(err) {
				return err
			}
		}
	}
	body := map[string]any{"metadata": map[string]any{"finalizers": nil}}
	if _, err := u.o.send("PATCH", client.Path(u.rcs.Kind(), u.ns, rc.Name, ""), nil, body, client.MergePatchType); err != nil && !errors.IsNotFound(err) {
		return err
	}
	return u.o.waitGone(u.rcs.Kind(), u.ns, rc.Name, u.timeout)
}
