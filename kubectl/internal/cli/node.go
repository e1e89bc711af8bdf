package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
)

// newCordon builds cordon and uncordon.
func (o *Options) newCordon(verb string) *cobra.Command {
	var selector string
	cmd := &cobra.Command{
		Use:   verb + " NODE",
		Short: "Mark node as " + map[string]string{"cordon": "unschedulable", "uncordon": "schedulable"}[verb],
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.setUnschedulable(args, selector, verb == "cordon")
		},
	}
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "Selector (label query) to filter on")
	return cmd
}

func (o *Options) setUnschedulable(args []string, selector string, want bool) error {
	if len(args) == 0 && selector == "" {
		return flagError{fmt.Errorf("USAGE: cordon NODE [flags]")}
	}
	victims, err := o.selectObjects(append([]string{"nodes"}, args...), nil, selector, false)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range victims {
		cur, err := o.getObject(v.kind, "", v.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		is, _ := nested(cur, "spec", "unschedulable").(bool)
		word := map[bool]string{true: "cordoned", false: "uncordoned"}[want]
		if is == want {
			fmt.Fprintf(o.Out, "node/%s already %s\n", v.name, word)
			continue
		}
		var val any = want
		if !want {
			val = nil
		}
		if _, err := o.send("PATCH", client.Path(v.kind, "", v.name, ""), nil, map[string]any{"spec": map[string]any{"unschedulable": val}}, client.StrategicMergePatchType); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(o.Out, "node/%s %s\n", v.name, word)
	}
	return aggregateOf(errs)
}

func (o *Options) newDrain() *cobra.Command {
	var ignoreDS, force, deleteEmptyDir, disableEviction bool
	var grace int
	var timeout time.Duration
	var selector string
	cmd := &cobra.Command{
		Use:   "drain NODE",
		Short: "Drain node in preparation for maintenance",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return flagError{fmt.Errorf("USAGE: drain NODE [flags]")}
			}
			if err := o.setUnschedulable(args, "", true); err != nil {
				return err
			}
			cl, _ := o.client()
			pods, err := client.Pods(cl).List(o.ctx, "", client.ListOptions{FieldSelector: "spec.nodeName=" + args[0], LabelSelector: selector})
			if err != nil {
				return err
			}
			var evict []meta.ObjectMeta
			var ignored, unmanaged []string
			for _, p := range pods.Items {
				if p.Status.Phase == "Succeeded" || p.Status.Phase == "Failed" {
					evict = append(evict, p.ObjectMeta)
					continue
				}
				var ctrl *meta.OwnerReference
				for i, r := range p.OwnerReferences {
					if r.Controller != nil && *r.Controller {
						ctrl = &p.OwnerReferences[i]
					}
				}
				switch {
				case ctrl != nil && ctrl.Kind == "DaemonSet":
					if !ignoreDS {
						return fmt.Errorf("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): %s/%s", p.Namespace, p.Name)
					}
					ignored = append(ignored, p.Namespace+"/"+p.Name)
					continue
				case ctrl == nil && !force:
					unmanaged = append(unmanaged, p.Namespace+"/"+p.Name)
					continue
				}
				evict = append(evict, p.ObjectMeta)
			}
			if len(unmanaged) > 0 {
				return fmt.Errorf("unable to drain node %q due to error: cannot delete Pods that declare no controller (use --force to override): %v", args[0], unmanaged)
			}
			if len(ignored) > 0 {
				fmt.Fprintf(o.Err, "Warning: ignoring DaemonSet-managed Pods: %v\n", ignored)
			}
			for _, m := range evict {
				fmt.Fprintf(o.Out, "evicting pod %s/%s\n", m.Namespace, m.Name)
				var opts *meta.DeleteOptions
				if grace >= 0 {
					g := int64(grace)
					opts = &meta.DeleteOptions{GracePeriodSeconds: &g}
				}
				if disableEviction {
					err = client.Pods(cl).Delete(o.ctx, m.Namespace, m.Name, opts)
				} else {
					ev := &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: m.Name, Namespace: m.Namespace}, DeleteOptions: opts}
					ev.APIVersion, ev.Kind = "policy/v1", "Eviction"
					err = cl.Evict(o.ctx, ev)
				}
				if err != nil && !errors.IsNotFound(err) {
					return fmt.Errorf("error when evicting pods/%q -n %q: %w", m.Name, m.Namespace, err)
				}
			}
			k, _ := o.resolveKind("pods")
			for _, m := range evict {
				if err := o.waitGone(k, m.Namespace, m.Name, timeout); err != nil {
					return err
				}
				fmt.Fprintf(o.Out, "pod/%s evicted\n", m.Name)
			}
			fmt.Fprintf(o.Out, "node/%s drained\n", args[0])
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&ignoreDS, "ignore-daemonsets", false, "Ignore DaemonSet-managed pods.")
	f.BoolVar(&force, "force", false, "Continue even if there are pods that do not declare a controller.")
	f.BoolVar(&deleteEmptyDir, "delete-emptydir-data", false, "Continue even if there are pods using emptyDir.")
	f.BoolVar(&disableEviction, "disable-eviction", false, "Force drain to use delete, even if eviction is supported.")
	f.IntVar(&grace, "grace-period", -1, "Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.")
	f.DurationVar(&timeout, "timeout", 0, "The length of time to wait before giving up, zero means infinite")
	f.StringVarP(&selector, "pod-selector", "", "", "Label selector to filter pods on the node")
	return cmd
}
