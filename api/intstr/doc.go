// Package intstr holds IntOrString, the value that is either a number or a string
// (a port number or port name, a replica count or a percentage) in the Kubernetes API.
//
// It must never depend on any other package of this module, so every API group can use it.
package intstr
