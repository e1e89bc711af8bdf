package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"seven.dev/api/client"
	"seven.dev/api/patch"
)

const editHeader = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`

func (o *Options) newEdit() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "edit (RESOURCE/NAME | -f FILENAME)",
		Short: "Edit a resource on the server",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runEdit(args, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "yaml", "Output format for the editor: yaml or json.")
	return cmd
}

func editorCommand() []string {
	for _, env := range []string{"KUBE_EDITOR", "EDITOR"} {
		if e := os.Getenv(env); e != "" {
			if strings.ContainsAny(e, " \t") {
				return []string{"/bin/sh", "-c", e + ` "$0"`}
			}
			return []string{e}
		}
	}
	return []string{"vi"}
}

func (o *Options) runEdit(args []string, output string) error {
	victims, err := o.selectObjects(args, nil, "", false)
	if err != nil {
		return err
	}
	if len(victims) != 1 {
		return fmt.Errorf("edit needs exactly one object")
	}
	v := victims[0]
	cur, err := o.getObject(v.kind, v.ns, v.name)
	if err != nil {
		return err
	}
	origJSON, _ := json.Marshal(cur)
	body, err := yaml.JSONToYAML(origJSON)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kubectl-edit-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, strings.ReplaceAll(v.name, "/", "-")+".yaml")
	header := editHeader
	content := body
	var lastEdited []byte
	for {
		if err := os.WriteFile(file, append([]byte(header), content...), 0o600); err != nil {
			return err
		}
		ed := editorCommand()
		c := exec.CommandContext(o.ctx, ed[0], append(ed[1:], file)...)
		c.Stdin, c.Stdout, c.Stderr = o.In, o.Out, o.Err
		if err := c.Run(); err != nil {
			return fmt.Errorf("there was a problem with the editor %q: %v", strings.Join(ed, " "), err)
		}
		edited, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		stripped := stripCommentLines(edited)
		if len(bytes.TrimSpace(stripped)) == 0 {
			fmt.Fprintln(o.Err, "Edit cancelled, no changes made.")
			return nil
		}
		if lastEdited != nil && bytes.Equal(stripped, lastEdited) {
			keep := filepath.Join(os.TempDir(), filepath.Base(dir)+"-"+filepath.Base(file))
			_ = os.WriteFile(keep, edited, 0o600)
			return fmt.Errorf("Edit cancelled, no valid changes were saved.\nA copy of your changes has been stored to %q", keep)
		}
		lastEdited = stripped
		newJSON, perr := yaml.YAMLToJSON(stripped)
		var apiErr error
		if perr == nil {
			if bytes.Equal(normalizeJSON(newJSON), normalizeJSON(origJSON)) {
				fmt.Fprintln(o.Err, "Edit cancelled, no changes made.")
				return nil
			}
			var p []byte
			p, perr = patch.CreateTwoWayMergePatch(origJSON, newJSON, schemaOf(v.kind))
			if perr == nil {
				_, apiErr = o.raw("PATCH", client.Path(v.kind, v.ns, v.name, ""), nil, p, client.StrategicMergePatchType)
				if apiErr == nil {
					fmt.Fprintf(o.Out, "%s/%s edited\n", kindRef(v.kind), v.name)
					return nil
				}
			}
		}
		msg := ""
		if perr != nil {
			msg = fmt.Sprintf("# The edited file had a syntax error: %v\n#\n", perr)
		} else {
			msg = fmt.Sprintf("# %s %q was not valid:\n# * %s\n#\n", resourceRef(v.kind), v.name, strings.ReplaceAll(apiErr.Error(), "\n", "\n# "))
		}
		header = editHeader + msg
		content = stripped
	}
}

func stripCommentLines(b []byte) []byte {
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		out.WriteString(l)
	}
	return out.Bytes()
}

func normalizeJSON(b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return b
	}
	out, _ := json.Marshal(v)
	return out
}

func (o *Options) newPatch() *cobra.Command {
	var data, typ string
	var files []string
	cmd := &cobra.Command{
		Use:   "patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]",
		Short: "Update fields of a resource",
		RunE: func(cmd *cobra.Command, args []string) error {
			ct := map[string]string{"strategic": client.StrategicMergePatchType, "merge": client.MergePatchType, "json": client.JSONPatchType}[typ]
			if ct == "" {
				return fmt.Errorf("--type must be one of [json merge strategic], not %q", typ)
			}
			if data == "" {
				return flagError{fmt.Errorf("must specify --patch or --patch-file containing the contents of the patch")}
			}
			js, err := yaml.YAMLToJSON([]byte(data))
			if err != nil {
				return fmt.Errorf("unable to parse %q: %v", data, err)
			}
			victims, err := o.selectObjects(args, files, "", false)
			if err != nil {
				return err
			}
			var errs []error
			for _, v := range victims {
				before, err := o.getObject(v.kind, v.ns, v.name)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				after, err := o.raw("PATCH", client.Path(v.kind, v.ns, v.name, ""), nil, js, ct)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if nestedString(before, "metadata", "resourceVersion") == nestedString(after, "metadata", "resourceVersion") {
					fmt.Fprintf(o.Out, "%s/%s patched (no change)\n", kindRef(v.kind), v.name)
				} else {
					fmt.Fprintf(o.Out, "%s/%s patched\n", kindRef(v.kind), v.name)
				}
			}
			return aggregateOf(errs)
		},
	}
	cmd.Flags().StringVarP(&data, "patch", "p", "", "The patch to be applied to the resource JSON file.")
	cmd.Flags().StringVar(&typ, "type", "strategic", "The type of patch being provided; one of [json merge strategic]")
	cmd.Flags().StringSliceVarP(&files, "filename", "f", nil, "A file identifying the resource to update")
	return cmd
}
