module seven.dev/examples

go 1.26
