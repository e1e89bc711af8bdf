// Package e2e holds Seven's end-to-end tests: real daemons started from the built
// binaries in _output/bin, driven through our kubectl and the upstream /usr/bin/kubectl.
package e2e
