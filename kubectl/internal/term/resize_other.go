//go:build !unix

package term

import "os"

// notifyResize never fires where there is no SIGWINCH: the initial size is all there is.
func notifyResize() (<-chan os.Signal, func()) {
	return make(chan os.Signal), func() {}
}
