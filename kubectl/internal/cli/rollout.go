package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/apps"
	"seven.dev/api/client"
	"seven.dev/api/labels"
	"seven.dev/kubectl/internal/printers"
)

const revisionAnnotation = "deployment.kubernetes.io/revision"

func (o *Options) newRollout() *cobra.Command {
	cmd := &cobra.Command{Use: "rollout SUBCOMMAND", Short: "Manage the rollout of a resource"}
	var watch bool
	var timeout time.Duration
	status := &cobra.Command{
		Use: "status (TYPE NAME | TYPE/NAME)", Short: "Show the status of the rollout",
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := o.deployment(args)
			if err != nil {
				return err
			}
			return o.rolloutStatus(d.Name, watch, timeout)
		},
	}
	status.Flags().BoolVarP(&watch, "watch", "w", true, "Watch the status of the rollout until it's done.")
	status.Flags().DurationVar(&timeout, "timeout", 0, "The length of time to wait before ending watch, zero means never.")
	var revision int64
	history := &cobra.Command{
		Use: "history (TYPE NAME | TYPE/NAME)", Short: "View rollout history",
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := o.deployment(args)
			if err != nil {
				return err
			}
			rss, err := o.ownedReplicaSets(d)
			if err != nil {
				return err
			}
			if revision > 0 {
				for _, rs := range rss {
					if rs.Annotations[revisionAnnotation] == strconv.FormatInt(revision, 10) {
						fmt.Fprintf(o.Out, "deployment.apps/%s with revision #%d\n", d.Name, revision)
						return printers.PrintYAML(o.Out, map[string]any{"template": rs.Spec.Template})
					}
				}
				return fmt.Errorf("unable to find the specified revision")
			}
			fmt.Fprintf(o.Out, "deployment.apps/%s \n", d.Name)
			tw := printers.NewTabWriter(o.Out)
			fmt.Fprintln(tw, "REVISION\tCHANGE-CAUSE")
			for _, rs := range rss {
				cause := rs.Annotations["kubernetes.io/change-cause"]
				if cause == "" {
					cause = "<none>"
				}
				fmt.Fprintf(tw, "%s\t%s\n", rs.Annotations[revisionAnnotation], cause)
			}
			_ = tw.Flush()
			fmt.Fprintln(o.Out)
			return nil
		},
	}
	history.Flags().Int64Var(&revision, "revision", 0, "See the details, including podTemplate of the revision specified")
	var toRevision int64
	undo := &cobra.Command{
		Use: "undo (TYPE NAME | TYPE/NAME) [flags]", Short: "Undo a previous rollout",
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := o.deployment(args)
			if err != nil {
				return err
			}
			return o.undo(d, toRevision)
		},
	}
	undo.Flags().Int64Var(&toRevision, "to-revision", 0, "The revision to rollback to. Default to 0 (last revision).")
	pause := o.rolloutPatch("pause", "Mark the provided resource as paused", func(d *apps.Deployment) (any, string, error) {
		if d.Spec.Paused {
			return nil, "", fmt.Errorf("deployments.apps %q is already paused", d.Name)
		}
		return map[string]any{"spec": map[string]any{"paused": true}}, "paused", nil
	})
	resume := o.rolloutPatch("resume", "Resume a paused resource", func(d *apps.Deployment) (any, string, error) {
		if !d.Spec.Paused {
			return nil, "", fmt.Errorf("deployments.apps %q is not paused", d.Name)
		}
		return map[string]any{"spec": map[string]any{"paused": nil}}, "resumed", nil
	})
	restart := o.rolloutPatch("restart", "Restart a resource", func(d *apps.Deployment) (any, string, error) {
		if d.Spec.Paused {
			return nil, "", fmt.Errorf("can't restart paused deployment (run rollout resume first)")
		}
		ann := map[string]any{"kubectl.kubernetes.io/restartedAt": time.Now().Format(time.RFC3339)}
		return map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"annotations": ann}}}}, "restarted", nil
	})
	cmd.AddCommand(status, history, undo, pause, resume, restart)
	return cmd
}

// deployment reads the deployment named by "deployment NAME" or "deployment/NAME".
func (o *Options) deployment(args []string) (*apps.Deployment, error) {
	targets, err := o.parseTargets(args)
	if err != nil {
		return nil, err
	}
	if len(targets) != 1 || len(targets[0].names) != 1 {
		return nil, flagError{fmt.Errorf("required resource not specified")}
	}
	t := targets[0]
	if t.kind.Kind != "Deployment" {
		return nil, fmt.Errorf("no rollout support for %s: Seven's kubectl rolls out deployments (use rolling-update for replication controllers)", resourceRef(t.kind))
	}
	cl, _ := o.client()
	return client.Deployments(cl).Get(o.ctx, o.ns(), t.names[0])
}

func (o *Options) rolloutPatch(use, short string, mk func(*apps.Deployment) (any, string, error)) *cobra.Command {
	return &cobra.Command{
		Use: use + " RESOURCE", Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := o.deployment(args)
			if err != nil {
				return err
			}
			body, past, err := mk(d)
			if err != nil {
				return err
			}
			k, _ := o.resolveKind("deployments")
			if _, err := o.send("PATCH", client.Path(k, d.Namespace, d.Name, ""), nil, body, client.StrategicMergePatchType); err != nil {
				return err
			}
			fmt.Fprintf(o.Out, "deployment.apps/%s %s\n", d.Name, past)
			return nil
		},
	}
}

// ownedReplicaSets lists the deployment's replica sets by revision.
func (o *Options) ownedReplicaSets(d *apps.Deployment) ([]apps.ReplicaSet, error) {
	sel, err := labels.SelectorFromLabelSelector(d.Spec.Selector)
	if err != nil {
		return nil, err
	}
	cl, _ := o.client()
	list, err := client.ReplicaSets(cl).List(o.ctx, d.Namespace, client.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	var out []apps.ReplicaSet
	for _, rs := range list.Items {
		for _, r := range rs.OwnerReferences {
			if r.UID == d.UID && r.Controller != nil && *r.Controller {
				out = append(out, *rs)
			}
		}
	}
	rev := func(rs apps.ReplicaSet) int64 {
		n, _ := strconv.ParseInt(rs.Annotations[revisionAnnotation], 10, 64)
		return n
	}
	sort.Slice(out, func(i, j int) bool { return rev(out[i]) < rev(out[j]) })
	return out, nil
}

// undo patches the deployment's template back to the one of the wanted revision, as kubectl
// 1.32 does (revision 0: the previous one).
func (o *Options) undo(d *apps.Deployment, toRevision int64) error {
	rss, err := o.ownedReplicaSets(d)
	if err != nil {
		return err
	}
	if len(rss) == 0 {
		return fmt.Errorf("no rollout history found for deployment %q", d.Name)
	}
	var target *apps.ReplicaSet
	if toRevision == 0 {
		if len(rss) < 2 {
			return fmt.Errorf("no rollout history found for deployment %q", d.Name)
		}
		target = &rss[len(rss)-2]
	} else {
		for i := range rss {
			if rss[i].Annotations[revisionAnnotation] == strconv.FormatInt(toRevision, 10) {
				target = &rss[i]
			}
		}
		if target == nil {
			return fmt.Errorf("unable to find specified revision %d in history", toRevision)
		}
	}
	tmpl := target.Spec.Template
	delete(tmpl.Labels, "pod-template-hash")
	data, _ := json.Marshal(d.Spec.Template)
	want, _ := json.Marshal(tmpl)
	if string(data) == string(want) {
		fmt.Fprintf(o.Out, "deployment.apps/%s skipped rollback (current template already matches revision %s)\n", d.Name, target.Annotations[revisionAnnotation])
		return nil
	}
	patch := []map[string]any{{"op": "replace", "path": "/spec/template", "value": tmpl}}
	k, _ := o.resolveKind("deployments")
	if _, err := o.send("PATCH", client.Path(k, d.Namespace, d.Name, ""), nil, patch, client.JSONPatchType); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "deployment.apps/%s rolled back\n", d.Name)
	return nil
}

func (o *Options) rolloutStatus(name string, watch bool, timeout time.Duration) error {
	cl, _ := o.client()
	start := time.Now()
	last := ""
	for {
		d, err := client.Deployments(cl).Get(o.ctx, o.ns(), name)
		if err != nil {
			return err
		}
		msg, done := deploymentStatus(d)
		if msg != last {
			fmt.Fprint(o.Out, msg)
			last = msg
		}
		if done || !watch {
			return nil
		}
		if timeout > 0 && time.Since(start) > timeout {
			return fmt.Errorf("timed out waiting for the condition")
		}
		select {
		case <-o.ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// deploymentStatus is upstream's DeploymentStatusViewer message.
func deploymentStatus(d *apps.Deployment) (string, bool) {
	if d.Generation > d.Status.ObservedGeneration {
		return "Waiting for deployment spec update to be observed...\n", false
	}
	for _, c := range d.Status.Conditions {
		if c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded" {
			return "", false
		}
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	s := d.Status
	switch {
	case s.UpdatedReplicas < replicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...\n", d.Name, s.UpdatedReplicas, replicas), false
	case s.Replicas > s.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...\n", d.Name, s.Replicas-s.UpdatedReplicas), false
	case s.AvailableReplicas < s.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...\n", d.Name, s.AvailableReplicas, s.UpdatedReplicas), false
	}
	return fmt.Sprintf("deployment %q successfully rolled out\n", d.Name), true
}
