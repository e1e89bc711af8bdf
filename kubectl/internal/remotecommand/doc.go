// Package remotecommand is the client side of the streaming protocol of pods/exec: a
// WebSocket with the v5.channel.k8s.io subprotocol (v4.channel.k8s.io as the fallback),
// binary messages whose first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 error
// (the command's final metav1 Status), 4 resize ({"Width":w,"Height":h}), and, in v5 only,
// 255 "close stream" (255 0 ends the remote command's stdin).
//
// It only moves bytes between the local streams and the connection and turns the final
// Status into an error (ExitError for a non-zero exit). Choosing the pod and container,
// the terminal and printing are the caller's; it never writes to stdout or stderr of its
// own accord.
package remotecommand
