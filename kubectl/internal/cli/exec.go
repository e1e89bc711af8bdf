package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/kubectl/internal/remotecommand"
	"seven.dev/kubectl/internal/term"
)

const execExample = `  # Get output from running the 'date' command from pod mypod, using the first container by default
  kubectl exec mypod -- date

  # Get output from running the 'date' command in ruby-container from pod mypod
  kubectl exec mypod -c ruby-container -- date

  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl exec mypod -c ruby-container -i -t -- bash -il

  # Get output from running 'date' command from the first pod of the deployment mydeployment
  kubectl exec deploy/mydeployment -- date

  # Get output from running 'date' command from the first pod of the service myservice
  kubectl exec svc/myservice -- date`

// execOptions are the flags of one exec.
type execOptions struct {
	container  string
	podName    string // the deprecated -p POD
	files      []string
	stdin, tty bool
	quiet      bool
	podTimeout time.Duration
}

// interruptedExitCode is what a shell reports for a process ended by SIGINT; kubectl exits
// with it when its context ends (^C or SIGTERM) during a session.
const interruptedExitCode = 130

func (o *Options) newExec() *cobra.Command {
	e := &execOptions{}
	cmd := &cobra.Command{
		Use:                   "exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
		DisableFlagsInUseLine: true,
		Short:                 "Execute a command in a container",
		Long:                  "Execute a command in a container.",
		Example:               execExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runExec(e, args, cmd.ArgsLenAtDash())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&e.container, "container", "c", "", "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen")
	f.StringSliceVarP(&e.files, "filename", "f", nil, "to use to exec into the resource")
	f.DurationVar(&e.podTimeout, "pod-running-timeout", time.Minute, "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running")
	f.BoolVarP(&e.quiet, "quiet", "q", false, "Only print output from the remote session")
	f.BoolVarP(&e.stdin, "stdin", "i", false, "Pass stdin to the container")
	f.BoolVarP(&e.tty, "tty", "t", false, "Stdin is a TTY")
	// -p POD is the old kubectl's form. Not cobra's MarkDeprecated: cobra prints its notice
	// on stdout, which would mix it into the command's output.
	f.StringVarP(&e.podName, "pod", "p", "", "Pod name (deprecated: use exec POD_NAME)")
	_ = f.MarkHidden("pod")
	return cmd
}

// execArgs splits the arguments the way upstream does: "POD -- CMD..." or "-f FILE -- CMD...";
// the old "POD CMD..." is refused as by kubectl 1.32. The old kubectl's "-p POD CMD..."
// still works, with the deprecation notice it used to print.
func (o *Options) execArgs(e *execOptions, args []string, dash int) (resource string, command []string, err error) {
	if e.podName != "" {
		if !e.quiet {
			fmt.Fprintln(o.Err, "Flag --pod has been deprecated, This flag is deprecated and will be removed in future. Use exec POD_NAME instead.")
		}
		if dash > -1 {
			args = args[dash:]
		}
		command = args
	} else {
		if len(args) > 0 && dash != 0 {
			resource = args[0]
		}
		if dash > -1 {
			command = args[dash:]
		} else if len(args) > 1 || (len(args) > 0 && len(e.files) > 0) {
			return "", nil, flagError{errors.New("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead")}
		}
	}
	if e.podName == "" && resource == "" && len(e.files) == 0 {
		return "", nil, errors.New("pod, type/name or --filename must be specified")
	}
	if len(command) == 0 {
		return "", nil, errors.New("you must specify at least one command for the container")
	}
	if e.podTimeout <= 0 {
		return "", nil, flagError{errors.New("--pod-running-timeout must be higher than zero")}
	}
	return resource, command, nil
}

func (o *Options) runExec(e *execOptions, args []string, dash int) error {
	resource, command, err := o.execArgs(e, args, dash)
	if err != nil {
		return err
	}
	cl, err := o.client()
	if err != nil {
		return err
	}
	pod, err := o.execTarget(e, resource)
	if err != nil {
		return err
	}
	if pod.Status.Phase == core.PodSucceeded || pod.Status.Phase == core.PodFailed {
		return fmt.Errorf("cannot exec into a container in a completed pod; current phase is %s", pod.Status.Phase)
	}
	container := e.container
	if container == "" {
		name, note, err := defaultContainer(pod)
		if err != nil {
			return err
		}
		if note != "" && !e.quiet {
			fmt.Fprintln(o.Err, note)
		}
		container = name
	}

	// A TTY needs stdin, and stdin must be a terminal: otherwise go on without one, as
	// upstream does (with a warning when -i was given).
	tty := e.tty && e.stdin
	var t *term.TTY
	if tty {
		var ok bool
		if t, ok = term.Open(o.In, o.Out); !ok {
			tty = false
			if !e.quiet {
				fmt.Fprintln(o.Err, "Unable to use a TTY - input is not a terminal or the right kind of file")
			}
		}
	}

	q := url.Values{}
	for _, c := range command {
		q.Add("command", c)
	}
	q.Set("container", container)
	q.Set("stdout", "true")
	if e.stdin {
		q.Set("stdin", "true")
	}
	if tty {
		q.Set("tty", "true") // the remote terminal merges stderr into stdout
	} else {
		q.Set("stderr", "true")
	}
	podKind, _ := o.scheme.ByResource("", "pods")
	u, err := url.Parse(cl.Host() + client.Path(podKind, pod.Namespace, pod.Name, "exec"))
	if err != nil {
		return err
	}
	u.RawQuery = q.Encode()

	err = o.execStream(u, e.stdin, t)
	var exit *remotecommand.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		fmt.Fprintln(o.Err, exit.Error())
		return exitError{code: exit.Code}
	case o.ctx.Err() != nil:
		return exitError{code: interruptedExitCode}
	}
	return err
}

// execStream connects and runs the session; with a terminal t it is in raw mode for
// exactly the session's duration, whatever way the session ends.
func (o *Options) execStream(u *url.URL, stdin bool, t *term.TTY) error {
	cfg, err := remotecommand.ConfigFor(o.clientCfg)
	if err != nil {
		return err
	}
	start := time.Now()
	conn, err := remotecommand.Dial(o.ctx, u, cfg)
	if o.verbosity >= 6 {
		status := "101 Switching Protocols"
		if err != nil {
			status = "(error: " + err.Error() + ")"
		}
		fmt.Fprintf(o.Err, "I0000 round_trippers.go:553] GET %s %s in %d milliseconds\n", u, status, time.Since(start).Milliseconds())
	}
	if err != nil {
		return err
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(o.ctx)
	defer cancel()
	s := remotecommand.Streams{Stdout: o.Out, Stderr: o.Err}
	if stdin {
		s.Stdin = o.In
	}
	if t != nil {
		restore, err := t.MakeRaw()
		if err != nil {
			return err
		}
		defer restore()
		s.Stderr = nil
		s.Resize = t.MonitorSize(ctx)
	}
	return conn.Stream(ctx, s)
}

// execTarget finds the pod to exec into: -p POD, the object of -f, POD or TYPE/NAME.
func (o *Options) execTarget(e *execOptions, resource string) (*core.Pod, error) {
	cl, err := o.client()
	if err != nil {
		return nil, err
	}
	if e.podName != "" {
		return client.Pods(cl).Get(o.ctx, o.ns(), e.podName)
	}
	if len(e.files) > 0 {
		objs, err := o.readFiles(e.files, false, "exec")
		if err != nil {
			return nil, err
		}
		if len(objs) != 1 {
			return nil, fmt.Errorf("exec needs exactly one object, %d were given with -f", len(objs))
		}
		return o.podFor(objs[0].kind.Resource, objs[0].ns, objs[0].name, e.podTimeout)
	}
	typ, name, ok := strings.Cut(resource, "/")
	if !ok {
		typ, name = "pods", resource
	}
	if name == "" {
		return nil, fmt.Errorf("arguments in resource/name form must have a single resource and name")
	}
	return o.podFor(typ, o.ns(), name, e.podTimeout)
}

// podFor is the pod itself for a pod, else the first pod (in upstream's order) of the
// object's selector, waiting up to timeout for one to exist.
func (o *Options) podFor(typ, ns, name string, timeout time.Duration) (*core.Pod, error) {
	k, err := o.resolveKind(typ)
	if err != nil {
		return nil, err
	}
	pods := client.Pods(o.cl)
	if k.Kind == "Pod" && k.Group == "" {
		return pods.Get(o.ctx, ns, name)
	}
	obj, err := o.getObject(k, ns, name)
	if err != nil {
		return nil, err
	}
	sel, err := podSelectorOf(k, obj)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		list, err := pods.List(o.ctx, ns, client.ListOptions{LabelSelector: sel})
		if err != nil {
			return nil, err
		}
		if len(list.Items) > 0 {
			sortPodsForAttach(list.Items)
			return list.Items[0], nil
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-o.ctx.Done():
			return nil, o.ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("timed out waiting for the condition: no pod of %s/%s (selector %s) appeared within %v", strings.ToLower(k.Kind), name, sel, timeout)
}
