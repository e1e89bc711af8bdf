module seven.dev/api

go 1.26
