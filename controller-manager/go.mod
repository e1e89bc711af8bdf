module seven.dev/controller-manager

go 1.26

require (
	github.com/prometheus/client_golang v1.23.2
	github.com/spf13/pflag v1.0.10
	seven.dev/api v0.0.0
)

replace seven.dev/api => ../api
