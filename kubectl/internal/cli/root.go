package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/kubeconfig"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// IO is where a command reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// Options is the state of one kubectl invocation: the global flags and the lazily built client.
type Options struct {
	IO
	ctx           context.Context
	conn          *kubeconfig.Flags
	allNamespaces bool
	verbosity     int
	requestTO     string

	cl        *client.Client
	clientCfg client.Config // what cl was built from: exec dials the same server with it
	namespace string
	explicitN bool
	scheme    *scheme.Scheme
}

// Main runs kubectl with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdio IO) int {
	o := &Options{IO: stdio, ctx: ctx, conn: kubeconfig.KubectlFlags(), scheme: scheme.Default()}
	root := o.newRoot()
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	if fe, ok := err.(flagError); ok {
		if strings.Contains(fe.err.Error(), "flag") {
			fmt.Fprintf(stdio.Err, "Error: %s\nSee '%s --help' for usage.\n", fe.err, cmd.CommandPath())
		} else {
			fmt.Fprintf(stdio.Err, "error: %s\nSee '%s -h' for help and examples\n", fe.err, cmd.CommandPath())
		}
		return 1
	}
	if strings.HasPrefix(err.Error(), "unknown command") {
		fmt.Fprintf(stdio.Err, "error: %s\nSee 'kubectl -h' for help and examples\n", err)
		return 1
	}
	printError(stdio.Err, err)
	return 1
}

// flagError marks a command-line mistake.
type flagError struct{ err error }

func (f flagError) Error() string { return f.err.Error() }

// exitError ends the process with a code after the command printed what it had to say.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// printError writes err the way upstream's cmdutil.CheckErr does.
func printError(w io.Writer, err error) {
	var agg aggregate
	if errors.As(err, &agg) {
		for _, e := range agg {
			printError(w, e)
		}
		return
	}
	fmt.Fprintln(w, errorLine(err))
}

// errorLine is one error as upstream prints it.
func errorLine(err error) string {
	var st *meta.Status
	if errors.As(err, &st) {
		if st.Reason == "Invalid" && st.Details != nil {
			return invalidLine(st)
		}
		msg := err.Error()
		if msg == "" {
			msg = st.Message
		}
		if st.Reason != "" {
			return fmt.Sprintf("Error from server (%s): %s", st.Reason, msg)
		}
		return "Error from server: " + msg
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "error: ") {
		return msg
	}
	return "error: " + msg
}

// invalidLine renders a 422 as upstream's CheckErr does: "The Kind "name" is invalid: ...",
// one cause on the line, several as a bulleted list.
func invalidLine(st *meta.Status) string {
	d := st.Details
	prefix := fmt.Sprintf("The %s %q is invalid", d.Kind, d.Name)
	switch len(d.Causes) {
	case 0:
		return prefix
	case 1:
		return fmt.Sprintf("%s: %s: %s", prefix, d.Causes[0].Field, d.Causes[0].Message)
	}
	var b strings.Builder
	b.WriteString(prefix + ": ")
	for _, c := range d.Causes {
		fmt.Fprintf(&b, "\n* %s: %s", c.Field, c.Message)
	}
	return b.String()
}

// aggregate is several independent errors, printed one per line.
type aggregate []error

func (a aggregate) Error() string {
	var s []string
	for _, e := range a {
		s = append(s, e.Error())
	}
	return strings.Join(s, "\n")
}

// aggregateOf returns nil, the one error, or an aggregate.
func aggregateOf(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return aggregate(errs)
}

// contextError prefixes a server error's message while keeping it a server error.
type contextError struct {
	prefix string
	err    error
}

func (c *contextError) Error() string { return c.prefix + c.err.Error() }
func (c *contextError) Unwrap() error { return c.err }

func withContext(prefix string, err error) error {
	if err == nil {
		return nil
	}
	return &contextError{prefix: prefix, err: err}
}

func (o *Options) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "kubectl",
		Short: "kubectl controls the Kubernetes cluster manager.",
		Long: "kubectl controls the Kubernetes cluster manager.\n\n" +
			" Find more information at: https://kubernetes.io/docs/reference/kubectl/",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	o.conn.AddFlags(pf)
	pf.IntVarP(&o.verbosity, "v", "v", 0, "number for the log level verbosity")
	pf.StringVar(&o.requestTO, "request-timeout", "0", "The length of time to wait before giving up on a single server request.")
	pf.String("cache-dir", "", "Default cache directory (ignored: Seven's kubectl keeps no discovery cache)")
	pf.Bool("match-server-version", false, "Require server version to match client version (ignored)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.AddCommand(
		o.newGet(), o.newDescribe(), o.newCreate(), o.newApply(), o.newReplace(),
		o.newDelete("delete"), o.newDelete("stop"), o.newEdit(), o.newScale(),
		o.newLabel("label"), o.newLabel("annotate"), o.newLogs(), o.newExec(),
		o.newRollout(), o.newRollingUpdate(), o.newClusterInfo(), o.newVersion(),
		o.newAPIResources(), o.newAPIVersions(), o.newExplain(), o.newConfig(),
		o.newCordon("cordon"), o.newCordon("uncordon"), o.newDrain(), o.newTopCommand(),
		o.newCompletion(root), o.newPatch(), o.newSet(),
	)
	return root
}

// client builds the REST client once, from the connection flags.
func (o *Options) client() (*client.Client, error) {
	if o.cl != nil {
		return o.cl, nil
	}
	cfg, ns, err := o.conn.ClientConfig()
	if err != nil {
		return nil, err
	}
	if d, err := time.ParseDuration(normalizeDuration(o.requestTO)); err == nil {
		cfg.Timeout = d
	}
	cfg.UserAgent = "kubectl/v1.32.0-seven"
	cfg.QPS = -1
	if o.verbosity >= 6 {
		cfg.Transport = &verboseTransport{w: o.Err, level: o.verbosity}
	}
	cl, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	o.cl = cl
	o.clientCfg = cfg
	o.namespace = ns
	o.explicitN = o.conn.Namespace != ""
	return cl, nil
}

func normalizeDuration(s string) string {
	if s == "" {
		return "0s"
	}
	if strings.Trim(s, "0123456789") == "" {
		return s + "s"
	}
	return s
}

// ns returns the namespace of the request (after client() ran).
func (o *Options) ns() string {
	if o.namespace == "" {
		return kubeconfig.DefaultNamespace
	}
	return o.namespace
}

// raw sends a request and decodes a JSON object answer.
func (o *Options) raw(method, path string, query url.Values, body []byte, contentType string) (object, error) {
	cl, err := o.client()
	if err != nil {
		return nil, err
	}
	resp, err := cl.Do(o.ctx, method, path, query, body, contentType, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s %s: %w", method, path, err)
	}
	if len(data) == 0 {
		return nil, nil
	}
	return decodeObject(data)
}

// verboseTransport logs requests like upstream's round_trippers at --v=6 and above.
type verboseTransport struct {
	w     io.Writer
	level int
}

func (v *verboseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		fmt.Fprintf(v.w, "I0000 round_trippers.go:553] %s %s  in %d milliseconds (error: %v)\n", r.Method, r.URL, time.Since(start).Milliseconds(), err)
		return nil, err
	}
	fmt.Fprintf(v.w, "I0000 round_trippers.go:553] %s %s %s in %d milliseconds\n", r.Method, r.URL, resp.Status, time.Since(start).Milliseconds())
	return resp, nil
}

// parseDuration accepts Go durations and bare seconds.
func parseDuration(s string) (time.Duration, error) {
	return time.ParseDuration(normalizeDuration(s))
}
