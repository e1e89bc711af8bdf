module seven.dev/kubectl

go 1.26.0

require (
	github.com/gorilla/websocket v1.5.3
	github.com/spf13/cobra v1.10.2
	golang.org/x/sys v0.49.0
	golang.org/x/term v0.47.0
	seven.dev/api v0.0.0
	sigs.k8s.io/yaml v1.6.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.10 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
	golang.org/x/time v0.9.0 // indirect
)

replace seven.dev/api => ../api
