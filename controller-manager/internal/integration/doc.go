// Package integration holds the controller manager's tests against a real kube-apiserver
// (apiservertest), with the test itself playing kubelet: it binds pods to fake nodes and
// marks them Running and Ready through the status subresource. There is no scheduler.
package integration
