package cli

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/kubectl/internal/manifest"
)

// Annotations of the classic rolling update (kubectl 1.10's rolling_updater.go).
const (
	sourceIDAnnotation         = "kubectl.kubernetes.io/update-source-id"
	desiredReplicasAnnotation  = "kubectl.kubernetes.io/desired-replicas"
	originalReplicasAnnotation = "kubectl.kubernetes.io/original-replicas"
	nextControllerAnnotation   = "kubectl.kubernetes.io/next-controller-id"
)

type rollingOptions struct {
	file          string
	image         string
	container     string
	deploymentKey string
	pullPolicy    string
	rollback      bool
	updatePeriod  time.Duration
	pollInterval  time.Duration
	timeout       time.Duration
}

func (o *Options) newRollingUpdate() *cobra.Command {
	r := &rollingOptions{}
	cmd := &cobra.Command{
		Use:     "rolling-update OLD_CONTROLLER_NAME ([NEW_CONTROLLER_NAME] --image=NEW_CONTAINER_IMAGE | -f NEW_CONTROLLER_SPEC)",
		Aliases: []string{"rollingupdate"},
		Short:   "Perform a rolling update of the given ReplicationController",
		RunE: func(cmd *cobra.Command, args []string) error {
			// Test hook: the seeds' command lines run with upstream's one-minute default period,
			// which tests shorten through the environment rather than by changing the line.
			if d, err := time.ParseDuration(os.Getenv("SEVEN_KUBECTL_UPDATE_PERIOD")); err == nil {
				if !cmd.Flags().Changed("update-period") {
					r.updatePeriod = d
				}
				if !cmd.Flags().Changed("poll-interval") {
					r.pollInterval = d
				}
			}
			return o.runRollingUpdate(r, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&r.file, "filename", "f", "", "Filename or URL to file to use to create the new replication controller.")
	f.StringVar(&r.image, "image", "", "Image to use for upgrading the replication controller.")
	f.StringVar(&r.container, "container", "", "Container name which will have its image upgraded.")
	f.StringVar(&r.deploymentKey, "deployment-label-key", "deployment", "The key to use to differentiate between two different controllers.")
	f.StringVar(&r.pullPolicy, "image-pull-policy", "", "Explicit policy for when to pull container images.")
	f.BoolVar(&r.rollback, "rollback", false, "If true, this is a request to abort an existing rollout that is partially rolled out.")
	f.DurationVar(&r.updatePeriod, "update-period", time.Minute, "Time to wait between updating pods.")
	f.DurationVar(&r.pollInterval, "poll-interval", 3*time.Second, "Time delay between polling for replication controller status after the update.")
	f.DurationVar(&r.timeout, "timeout", 5*time.Minute, "Max time to wait for a replication controller to update before giving up.")
	return cmd
}

func (o *Options) runRollingUpdate(r *rollingOptions, args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return flagError{fmt.Errorf("Must specify the controller to update")}
	}
	if r.file == "" && r.image == "" && !r.rollback {
		return flagError{fmt.Errorf("Must specify --filename or --image or --rollback")}
	}
	if r.file != "" && (r.image != "" || len(args) == 2) {
		return flagError{fmt.Errorf("--filename cannot be combined with --image or a new controller name")}
	}
	cl, err := o.client()
	if err != nil {
		return err
	}
	rcs := client.ReplicationControllers(cl)
	ns := o.ns()
	var newRC *core.ReplicationController
	if r.file != "" {
		items, err := manifest.Read([]string{r.file}, false, o.In)
		if err != nil {
			return err
		}
		if len(items) != 1 || items[0].Object["kind"] != "ReplicationController" {
			return fmt.Errorf("%s contains a %v not a ReplicationController", r.file, kindOf(items))
		}
		data, _ := json.Marshal(items[0].Object)
		newRC = &core.ReplicationController{}
		if err := json.Unmarshal(data, newRC); err != nil {
			return fmt.Errorf("decoding %s: %w", r.file, err)
		}
	}
	oldRC, err := rcs.Get(o.ctx, ns, args[0])
	if err != nil {
		if !errors.IsNotFound(err) || r.image == "" || len(args) > 1 {
			return err
		}
		// The old controller may already have been renamed by an interrupted update.
		return err
	}
	keepOldName := false
	if newRC != nil {
		if newRC.Name == oldRC.Name {
			return fmt.Errorf("%s cannot have the same name as the existing ReplicationController %s", r.file, oldRC.Name)
		}
		if reflect.DeepEqual(newRC.Spec.Selector, oldRC.Spec.Selector) {
			return fmt.Errorf("%s must specify a matching key with non-equal value in Selector for %s", r.file, oldRC.Name)
		}
		if newRC.Spec.Replicas == nil {
			newRC.Spec.Replicas = oldRC.Spec.Replicas
		}
		newRC.Namespace = ns
	}
	if r.image != "" {
		keepOldName = len(args) == 1
		newName := nextName(args, oldRC)
		if newName != "" {
			if ex, err := rcs.Get(o.ctx, ns, newName); err == nil {
				newRC = ex
			}
		}
		if newRC != nil {
			if img := newRC.Spec.Template.Spec.Containers[0].Image; img != r.image {
				return fmt.Errorf("Found existing in-progress update to image (%s).\nEither continue in-progress update with --image=%s or rollback with --rollback", img, img)
			}
			fmt.Fprintf(o.Out, "Found existing update in progress (%s), resuming.\n", newRC.Name)
		} else {
			if newRC, err = r.newFromCurrent(oldRC, newName); err != nil {
				return err
			}
		}
		if oldRC, err = o.markOldRC(oldRC, newRC.Name, r.deploymentKey, hashOf(oldRC)+"-orig"); err != nil {
			return err
		}
	}
	if r.rollback {
		keepOldName = len(args) == 1
		newName := nextName(args, oldRC)
		ex, err := rcs.Get(o.ctx, ns, newName)
		if err != nil || newName == "" {
			return flagError{fmt.Errorf("Could not find %s to rollback.", newName)}
		}
		newRC = ex
	}
	u := &rcUpdater{o: o, rcs: rcs, ns: ns, period: r.updatePeriod, interval: r.pollInterval, timeout: r.timeout, cleanup: cleanupDelete}
	if keepOldName {
		u.cleanup = cleanupRename
	}
	oldForUpdate, newForUpdate := oldRC, newRC
	if r.rollback {
		// Abort: swap the controllers and go back to the original size.
		oldForUpdate, newForUpdate = newRC, oldRC
		orig, ok := newRC.Annotations[originalReplicasAnnotation]
		if !ok {
			return fmt.Errorf("couldn't find original replica count of %q", newRC.Name)
		}
		fmt.Fprintf(o.Out, "Setting %q replicas to %s\n", oldRC.Name, orig)
		if newForUpdate, err = o.updateRC(ns, newForUpdate.Name, func(rc *core.ReplicationController) {
			setAnnotation(&rc.ObjectMeta, sourceIDAnnotation, fmt.Sprintf("%s:%s", oldForUpdate.Name, oldForUpdate.UID))
			setAnnotation(&rc.ObjectMeta, desiredReplicasAnnotation, orig)
		}); err != nil {
			return err
		}
		u.cleanup = cleanupDelete
	}
	if err := u.update(oldForUpdate, newForUpdate); err != nil {
		return err
	}
	switch {
	case r.rollback || keepOldName:
		fmt.Fprintf(o.Out, "replicationcontroller/%s rolling updated\n", oldRC.Name)
	default:
		fmt.Fprintf(o.Out, "replicationcontroller/%s rolling updated to %q\n", oldRC.Name, newRC.Name)
	}
	return nil
}

func kindOf(items []manifest.Item) any {
	if len(items) == 0 {
		return "nothing"
	}
	return items[0].Object["kind"]
}

func nextName(args []string, old *core.ReplicationController) string {
	if len(args) >= 2 {
		return args[1]
	}
	return old.Annotations[nextControllerAnnotation]
}

func setAnnotation(m *meta.ObjectMeta, k, v string) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[k] = v
}

// hashOf is the md5 of the controller's JSON, as upstream's util.HashObject.
func hashOf(rc *core.ReplicationController) string {
	data, _ := json.Marshal(rc)
	return fmt.Sprintf("%x", md5.Sum(data))
}

// newFromCurrent derives the next controller from the old one with the new image.
func (r *rollingOptions) newFromCurrent(old *core.ReplicationController, newName string) (*core.ReplicationController, error) {
	var rc core.ReplicationController
	data, _ := json.Marshal(old)
	_ = json.Unmarshal(data, &rc)
	idx := 0
	if r.container != "" {
		idx = -1
		for i, c := range rc.Spec.Template.Spec.Containers {
			if c.Name == r.container {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("container %s not found in pod", r.container)
		}
	} else if len(rc.Spec.Template.Spec.Containers) > 1 {
		return nil, fmt.Errorf("must specify container to update when updating a multi-container pod")
	}
	if rc.Spec.Template.Spec.Containers[idx].Image == r.image && r.pullPolicy == "" {
		return nil, fmt.Errorf("--image-pull-policy (Always|Never|IfNotPresent) must be provided when --image is the same as existing container image")
	}
	rc.Spec.Template.Spec.Containers[idx].Image = r.image
	if r.pullPolicy != "" {
		rc.Spec.Template.Spec.Containers[idx].ImagePullPolicy = core.PullPolicy(r.pullPolicy)
	}
	hash := hashOf(&rc)
	if newName == "" {
		newName = fmt.Sprintf("%s-%s", rc.Name, hash)
	}
	rc.ObjectMeta = meta.ObjectMeta{Name: newName, Namespace: old.Namespace, Labels: old.Labels}
	if rc.Spec.Selector == nil {
		rc.Spec.Selector = map[string]string{}
	}
	rc.Spec.Selector[r.deploymentKey] = hash
	if rc.Spec.Template.Labels == nil {
		rc.Spec.Template.Labels = map[string]string{}
	}
	rc.Spec.Template.Labels[r.deploymentKey] = hash
	rc.Status = core.ReplicationControllerStatus{}
	return &rc, nil
}

// markOldRC points the old controller at the next one and, when its selector lacks the
// deployment key, adds the key to its template, its pods and its selector (in that order, as
// upstream's AddDeploymentKeyToReplicationController does).
func (o *Options) markOldRC(old *core.ReplicationController, next, key, value string) (*core.ReplicationController, error) {
	cl, _ := o.client()
	if _, found := old.Spec.Selector[key]; found {
		return o.updateRC(old.Namespace, old.Name, func(rc *core.ReplicationController) {
			setAnnotation(&rc.ObjectMeta, nextControllerAnnotation, next)
		})
	}
	old, err := o.updateRC(old.Namespace, old.Name, func(rc *core.ReplicationController) {
		setAnnotation(&rc.ObjectMeta, nextControllerAnnotation, next)
		if rc.Spec.Template.Labels == nil {
			rc.Spec.Template.Labels = map[string]string{}
		}
		rc.Spec.Template.Labels[key] = value
	})
	if err != nil {
		return nil, err
	}
	pods := client.Pods(cl)
	list, err := pods.List(o.ctx, old.Namespace, client.ListOptions{LabelSelector: selectorString(old.Spec.Selector)})
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		p := list.Items[i]
		if p.Labels == nil {
			p.Labels = map[string]string{}
		}
		p.Labels[key] = value
		if _, err := pods.Update(o.ctx, p); err != nil && !errors.IsNotFound(err) {
			return nil, err
		}
	}
	if old, err = o.updateRC(old.Namespace, old.Name, func(rc *core.ReplicationController) {
		rc.Spec.Selector[key] = value
	}); err != nil {
		return nil, err
	}
	// Pods the controller made from the old template meanwhile lack the key: remove them.
	list, err = pods.List(o.ctx, old.Namespace, client.ListOptions{LabelSelector: selectorString(old.Spec.Selector)})
	if err == nil {
		sel := map[string]string{}
		for k, v := range old.Spec.Selector {
			if k != key {
				sel[k] = v
			}
		}
		all, _ := pods.List(o.ctx, old.Namespace, client.ListOptions{LabelSelector: selectorString(sel)})
		if all != nil {
			for _, p := range all.Items {
				if p.Labels[key] == "" {
					_ = pods.Delete(o.ctx, p.Namespace, p.Name, nil)
				}
			}
		}
	}
	return old, nil
}

func selectorString(m map[string]string) string {
	var s string
	for _, k := range sortedStringKeys(m) {
		if s != "" {
			s += ","
		}
		s += k + "=" + m[k]
	}
	return s
}

func sortedStringKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

func replicasOf(rc *core.ReplicationController) int32 {
	if rc.Spec.Replicas == nil {
		return 1
	}
	return *rc.Spec.Replicas
}

func atoi32(s string) (int32, error) {
	n, err := strconv.Atoi(s)
	return int32(n), err
}

// updateRC reads, changes and writes a controller, retrying when a concurrent writer (the
// controller manager updating status) wins, as upstream's updateRcWithRetries does.
func (o *Options) updateRC(ns, name string, change func(*core.ReplicationController)) (*core.ReplicationController, error) {
	cl, _ := o.client()
	rcs := client.ReplicationControllers(cl)
	for attempt := 0; ; attempt++ {
		rc, err := rcs.Get(o.ctx, ns, name)
		if err != nil {
			return nil, err
		}
		change(rc)
		out, err := rcs.Update(o.ctx, rc)
		if err == nil || !errors.IsConflict(err) || attempt >= 10 {
			return out, err
		}
	}
}
