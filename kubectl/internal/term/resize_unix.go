//go:build unix

package term

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyResize delivers SIGWINCH, the kernel's "the window changed size".
func notifyResize() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	return ch, func() { signal.Stop(ch) }
}
