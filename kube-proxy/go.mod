module seven.dev/kube-proxy

go 1.26

require seven.dev/api v0.0.0

replace seven.dev/api => ../api
