// Package remotecommand is the server side of the streaming protocol upstream kubectl
// speaks for exec: WebSocket with the v5.channel.k8s.io (or v4) subprotocol, binary
// messages whose first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 error (a Status
// JSON once the command ends), 4 resize ({"Width":w,"Height":h}); v5 adds 255, a client's
// "close stream" signal (255, 0 ends stdin).
//
// It only moves bytes: running the command is the caller's (Serve's run function).
package remotecommand
