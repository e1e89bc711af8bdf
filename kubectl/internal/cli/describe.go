package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"seven.dev/api/client"
	"seven.dev/api/errors"
	"seven.dev/api/scheme"
	"seven.dev/kubectl/internal/describe"
)

// reader adapts the REST client to describe.Reader.
type reader struct{ o *Options }

func (r reader) Get(ctx context.Context, k *scheme.Kind, ns, name string) ([]byte, error) {
	return r.o.rawBytes("GET", client.Path(k, ns, name, ""), nil)
}

func (r reader) List(ctx context.Context, k *scheme.Kind, ns, selector string) ([]byte, error) {
	q := url.Values{}
	if selector != "" {
		q.Set("labelSelector", selector)
	}
	return r.o.rawBytes("GET", client.Path(k, ns, "", ""), q)
}

// rawBytes sends a GET and returns the answer's body.
func (o *Options) rawBytes(method, path string, q url.Values) ([]byte, error) {
	cl, err := o.client()
	if err != nil {
		return nil, err
	}
	resp, err := cl.Do(o.ctx, method, path, q, nil, "", "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (o *Options) newDescribe() *cobra.Command {
	var selector string
	var files []string
	showEvents := true
	cmd := &cobra.Command{
		Use:   "describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
		Short: "Show details of a specific resource or group of resources",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runDescribe(args, files, selector, showEvents)
		},
	}
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.")
	cmd.Flags().StringSliceVarP(&files, "filename", "f", nil, "Filename, directory, or URL to files containing the resource to describe")
	cmd.Flags().BoolVar(&showEvents, "show-events", true, "If true, display events related to the described object.")
	o.addAllNamespaces(cmd)
	return cmd
}

type describeItem struct {
	kind     *scheme.Kind
	ns, name string
	data     []byte
	prefix   bool
}

func (o *Options) runDescribe(args, files []string, selector string, showEvents bool) error {
	if _, err := o.client(); err != nil {
		return err
	}
	d := &describe.Describer{R: reader{o}, Scheme: o.scheme, ShowEvents: showEvents}
	var items []describeItem
	var errs []error
	if len(files) > 0 {
		objs, err := o.readFiles(files, false, "describe")
		if err != nil {
			return err
		}
		for _, r := range objs {
			items = append(items, describeItem{kind: r.kind, ns: r.ns, name: r.name})
		}
	} else {
		if len(args) == 0 {
			return fmt.Errorf("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.")
		}
		targets, err := o.parseTargets(args)
		if err != nil {
			return err
		}
		for _, t := range targets {
			ns := o.namespaceFor(t.kind)
			if len(t.names) == 0 {
				list, err := o.listObjects(t.kind, ns, selector)
				if err != nil {
					return err
				}
				for _, x := range list {
					items = append(items, describeItem{kind: t.kind, ns: nestedString(x, "metadata", "namespace"), name: nestedString(x, "metadata", "name")})
				}
				continue
			}
			for _, n := range t.names {
				data, err := o.rawBytes("GET", client.Path(t.kind, ns, n, ""), nil)
				if err == nil {
					items = append(items, describeItem{kind: t.kind, ns: ns, name: n, data: data})
					continue
				}
				if !errors.IsNotFound(err) {
					errs = append(errs, err)
					continue
				}
				// Like upstream, a name that does not exist is tried as a prefix.
				list, lerr := o.listObjects(t.kind, ns, "")
				found := false
				if lerr == nil {
					for _, x := range list {
						if name := nestedString(x, "metadata", "name"); strings.HasPrefix(name, n) {
							items = append(items, describeItem{kind: t.kind, ns: nestedString(x, "metadata", "namespace"), name: name, prefix: true})
							found = true
						}
					}
				}
				if !found {
					errs = append(errs, err)
				}
			}
		}
	}
	first := true
	for _, it := range items {
		data := it.data
		if data == nil {
			var err error
			if data, err = o.rawBytes("GET", client.Path(it.kind, it.ns, it.name, ""), nil); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		s, err := d.Describe(o.ctx, it.kind, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if it.prefix {
			// Upstream's DescribeMatchingResources ends each description with a newline.
			fmt.Fprintf(o.Out, "%s\n", s)
			continue
		}
		if !first {
			fmt.Fprint(o.Out, "\n\n")
		}
		first = false
		fmt.Fprint(o.Out, s)
	}
	if len(items) == 0 && len(errs) == 0 && len(args) > 0 {
		k, _ := o.resolveKind(strings.Split(args[0], ",")[0])
		if k != nil {
			o.noResources([]target{{kind: k}})
		}
	}
	return aggregateOf(errs)
}
