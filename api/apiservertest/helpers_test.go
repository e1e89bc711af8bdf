package apiservertest

import (
	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/scheme"
)

type namespaceT = core.Namespace

func nsKind(c *client.Client) *scheme.Kind {
	k, _ := c.Scheme().ByResource("", "namespaces")
	return k
}
