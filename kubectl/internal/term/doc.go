// Package term is what `kubectl exec -t` needs from the local terminal: whether stdin is
// one, raw mode with a guaranteed restore, and the window size with its changes (SIGWINCH).
//
// It never writes to the terminal and never exits the process: restoring the terminal is
// the caller's deferred Restore, so it also happens on error paths.
package term
