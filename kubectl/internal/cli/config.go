package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"seven.dev/api/kubeconfig"
	"seven.dev/kubectl/internal/printers"
)

// configPath is the file config subcommands read and write.
func (o *Options) configPath() string {
	if o.conn.Kubeconfig != "" {
		return o.conn.Kubeconfig
	}
	return kubeconfig.DefaultPaths()[0]
}

func (o *Options) loadConfig() (*kubeconfig.Config, error) {
	p := o.configPath()
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return kubeconfig.New(), nil
	}
	return kubeconfig.LoadFile(p)
}

func (o *Options) newConfig() *cobra.Command {
	cmd := &cobra.Command{Use: "config SUBCOMMAND", Short: "Modify kubeconfig files"}
	var minify, raw bool
	var output string
	view := &cobra.Command{
		Use:   "view",
		Short: "Display merged kubeconfig settings or a specified kubeconfig file",
		RunE: func(cmd *cobra.Command, args []string) error {
			var c *kubeconfig.Config
			var err error
			if o.conn.Kubeconfig != "" {
				c, err = kubeconfig.LoadFile(o.conn.Kubeconfig)
			} else {
				c, err = kubeconfig.LoadDefault()
			}
			if err != nil {
				return err
			}
			c.APIVersion, c.Kind = "v1", "Config"
			if minify {
				minifyConfig(c, o.conn.Context)
			}
			if !raw {
				redact(c)
			}
			if output == "json" {
				return printers.PrintJSON(o.Out, c)
			}
			return printers.PrintYAML(o.Out, c)
		},
	}
	view.Flags().BoolVar(&minify, "minify", false, "Remove all information not used by current-context from the output")
	view.Flags().BoolVar(&raw, "raw", false, "Display raw byte data and sensitive data")
	view.Flags().StringVarP(&output, "output", "o", "yaml", "Output format: yaml or json.")
	useContext := &cobra.Command{
		Use: "use-context CONTEXT_NAME", Aliases: []string{"use"}, Short: "Set the current-context in a kubeconfig file",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.editConfig(func(c *kubeconfig.Config) (string, error) {
				if _, ok := c.Context(args[0]); !ok {
					return "", fmt.Errorf("no context exists with the name: %q", args[0])
				}
				c.CurrentContext = args[0]
				return fmt.Sprintf("Switched to context %q.", args[0]), nil
			})
		},
	}
	current := &cobra.Command{
		Use: "current-context", Short: "Display the current-context",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.loadConfig()
			if err != nil {
				return err
			}
			if c.CurrentContext == "" {
				return fmt.Errorf("current-context is not set")
			}
			fmt.Fprintln(o.Out, c.CurrentContext)
			return nil
		},
	}
	getContexts := &cobra.Command{
		Use: "get-contexts [(-o|--output=)name)]", Short: "Describe one or many contexts",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.loadConfig()
			if err != nil {
				return err
			}
			tw := printers.NewTabWriter(o.Out)
			fmt.Fprintln(tw, "CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE")
			for _, nc := range c.Contexts {
				if len(args) > 0 && nc.Name != args[0] {
					continue
				}
				cur := ""
				if nc.Name == c.CurrentContext {
					cur = "*"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cur, nc.Name, nc.Context.Cluster, nc.Context.AuthInfo, nc.Context.Namespace)
			}
			return tw.Flush()
		},
	}
	var server, caFile string
	var insecure bool
	setCluster := &cobra.Command{
		Use: "set-cluster NAME [--server=server] [--certificate-authority=path/to/certificate/authority] [--insecure-skip-tls-verify=true]", Short: "Set a cluster entry in kubeconfig",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.editConfig(func(c *kubeconfig.Config) (string, error) {
				var nc *kubeconfig.NamedCluster
				for i := range c.Clusters {
					if c.Clusters[i].Name == args[0] {
						nc = &c.Clusters[i]
					}
				}
				verb := "modified"
				if nc == nil {
					c.Clusters = append(c.Clusters, kubeconfig.NamedCluster{Name: args[0]})
					nc = &c.Clusters[len(c.Clusters)-1]
					verb = "set"
				}
				if cmd.Flags().Changed("server") {
					nc.Cluster.Server = server
				}
				if cmd.Flags().Changed("certificate-authority") {
					nc.Cluster.CertificateAuthority = caFile
				}
				if cmd.Flags().Changed("insecure-skip-tls-verify") {
					nc.Cluster.InsecureSkipTLSVerify = insecure
				}
				return fmt.Sprintf("Cluster %q %s.", args[0], verb), nil
			})
		},
	}
	setCluster.Flags().StringVar(&server, "server", "", "server for the cluster entry in kubeconfig")
	setCluster.Flags().StringVar(&caFile, "certificate-authority", "", "Path to certificate-authority file for the cluster entry in kubeconfig")
	setCluster.Flags().BoolVar(&insecure, "insecure-skip-tls-verify", false, "insecure-skip-tls-verify for the cluster entry in kubeconfig")
	var useCurrent bool
	setContext := &cobra.Command{
		Use: "set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]", Short: "Set a context entry in kubeconfig",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.editConfig(func(c *kubeconfig.Config) (string, error) {
				name := ""
				if len(args) > 0 {
					name = args[0]
				} else if useCurrent {
					name = c.CurrentContext
				}
				if name == "" {
					return "", fmt.Errorf("you must specify a non-empty context name or --current")
				}
				var nc *kubeconfig.NamedContext
				for i := range c.Contexts {
					if c.Contexts[i].Name == name {
						nc = &c.Contexts[i]
					}
				}
				verb := "modified"
				if nc == nil {
					c.Contexts = append(c.Contexts, kubeconfig.NamedContext{Name: name})
					nc = &c.Contexts[len(c.Contexts)-1]
					verb = "created"
				}
				if o.conn.Cluster != "" {
					nc.Context.Cluster = o.conn.Cluster
				}
				if o.conn.User != "" {
					nc.Context.AuthInfo = o.conn.User
				}
				if o.conn.Namespace != "" {
					nc.Context.Namespace = o.conn.Namespace
				}
				return fmt.Sprintf("Context %q %s.", name, verb), nil
			})
		},
	}
	setContext.Flags().BoolVar(&useCurrent, "current", false, "Modify the current context")
	setCreds := &cobra.Command{
		Use: "set-credentials NAME [--client-certificate=path/to/certfile] [--client-key=path/to/keyfile] [--token=bearer_token] [--username=basic_user] [--password=basic_password]", Short: "Set a user entry in kubeconfig",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.editConfig(func(c *kubeconfig.Config) (string, error) {
				var nu *kubeconfig.NamedUser
				for i := range c.Users {
					if c.Users[i].Name == args[0] {
						nu = &c.Users[i]
					}
				}
				verb := "modified"
				if nu == nil {
					c.Users = append(c.Users, kubeconfig.NamedUser{Name: args[0]})
					nu = &c.Users[len(c.Users)-1]
					verb = "set"
				}
				if o.conn.Token != "" {
					nu.User.Token = o.conn.Token
				}
				if o.conn.Username != "" {
					nu.User.Username = o.conn.Username
				}
				if o.conn.Password != "" {
					nu.User.Password = o.conn.Password
				}
				if o.conn.ClientCertificate != "" {
					nu.User.ClientCertificate = o.conn.ClientCertificate
				}
				if o.conn.ClientKey != "" {
					nu.User.ClientKey = o.conn.ClientKey
				}
				return fmt.Sprintf("User %q %s.", args[0], verb), nil
			})
		},
	}
	cmd.AddCommand(view, useContext, current, getContexts, setCluster, setContext, setCreds)
	return cmd
}

// editConfig loads the kubeconfig file, applies change and writes it back.
func (o *Options) editConfig(change func(*kubeconfig.Config) (string, error)) error {
	c, err := o.loadConfig()
	if err != nil {
		return err
	}
	msg, err := change(c)
	if err != nil {
		return err
	}
	c.APIVersion, c.Kind = "v1", "Config"
	if err := kubeconfig.Write(o.configPath(), c); err != nil {
		return err
	}
	fmt.Fprintln(o.Out, msg)
	return nil
}

func minifyConfig(c *kubeconfig.Config, ctxName string) {
	if ctxName == "" {
		ctxName = c.CurrentContext
	}
	ctx, ok := c.Context(ctxName)
	if !ok {
		return
	}
	var cl []kubeconfig.NamedCluster
	for _, x := range c.Clusters {
		if x.Name == ctx.Cluster {
			cl = append(cl, x)
		}
	}
	var us []kubeconfig.NamedUser
	for _, x := range c.Users {
		if x.Name == ctx.AuthInfo {
			us = append(us, x)
		}
	}
	c.Contexts = []kubeconfig.NamedContext{{Name: ctxName, Context: *ctx}}
	c.Clusters, c.Users, c.CurrentContext = cl, us, ctxName
}

func redact(c *kubeconfig.Config) {
	for i := range c.Clusters {
		if len(c.Clusters[i].Cluster.CertificateAuthorityData) > 0 {
			c.Clusters[i].Cluster.CertificateAuthorityData = []byte("DATA+OMITTED")
		}
	}
	for i := range c.Users {
		u := &c.Users[i].User
		if len(u.ClientCertificateData) > 0 {
			u.ClientCertificateData = []byte("DATA+OMITTED")
		}
		if len(u.ClientKeyData) > 0 {
			u.ClientKeyData = []byte("DATA+OMITTED")
		}
		if u.Token != "" {
			u.Token = "REDACTED"
		}
		if u.Password != "" {
			u.Password = "REDACTED"
		}
	}
}
