//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pty is a pseudo-terminal: kubectl gets the slave as stdin, stdout and stderr; the test
// reads what it prints from the master and types into it.
type pty struct {
	t             *testing.T
	master, slave *os.File

	mu  sync.Mutex
	out bytes.Buffer
}

func openPTY(t *testing.T) *pty {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("opening the pseudo-terminal's slave: %v", err)
	}
	p := &pty{t: t, master: m, slave: s}
	t.Cleanup(func() { s.Close(); m.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p
}

func (p *pty) setSize(cols, rows uint16) {
	p.t.Helper()
	if err := unix.IoctlSetWinsize(int(p.slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows}); err != nil {
		p.t.Fatal(err)
	}
}

func (p *pty) termios() unix.Termios {
	p.t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	if err != nil {
		p.t.Fatal(err)
	}
	return *tio
}

func (p *pty) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the terminal showed s.
func (p *pty) waitFor(s string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(p.output(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.t.Fatalf("the terminal never showed %q; it shows %q", s, p.output())
}

// start runs our kubectl on the terminal.
func (p *pty) start(c *execCluster, args ...string) *exec.Cmd {
	p.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "kubectl"), append([]string{"-s", c.s.URL}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(c.dir, "no-such-kubeconfig"), "HOME="+c.dir)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.slave, p.slave, p.slave
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		t.Fatal("kubectl did not exit")
		return -1
	}
}

func isRaw(tio unix.Termios) bool {
	return tio.Lflag&(unix.ECHO|unix.ICANON|unix.ISIG) == 0
}

func sameTermios(a, b unix.Termios) bool {
	return a.Iflag == b.Iflag && a.Oflag == b.Oflag && a.Cflag == b.Cflag && a.Lflag == b.Lflag && a.Cc == b.Cc
}

// testExecTTY runs `exec -it` on a pseudo-terminal: raw mode for the session, the
// initial size and a resize after SIGWINCH sent on the resize channel, stderr merged, and
// the terminal restored however the session ends.
func testExecTTY(t *testing.T, c *execCluster) {
	t.Run("sizes", func(t *testing.T) {
		p := openPTY(t)
		p.setSize(80, 24)
		cooked := p.termios()
		if isRaw(cooked) {
			t.Fatal("a new pseudo-terminal is already raw")
		}
		cmd := p.start(c, "exec", "-it", "web", "--", "resize", "2")
		p.waitFor("80x24\n")
		if !isRaw(p.termios()) {
			t.Errorf("the terminal is not in raw mode during the session: lflag %#x", p.termios().Lflag)
		}
		p.setSize(132, 43)
		if err := cmd.Process.Signal(syscall.SIGWINCH); err != nil {
			t.Fatal(err)
		}
		p.waitFor("132x43\n")
		if code := exitCode(t, cmd); code != 0 {
			t.Errorf("exit %d; terminal: %q", code, p.output())
		}
		if !sameTermios(cooked, p.termios()) {
			t.Errorf("the terminal was not restored")
		}
	})
	t.Run("stdin and merged stderr", func(t *testing.T) {
		p := openPTY(t)
		cmd := p.start(c, "exec", "-it", "web", "--", "info")
		p.waitFor("container=app tty=true stdin=true stderr=false protocol=v5.channel.k8s.io\n")
		if code := exitCode(t, cmd); code != 0 {
			t.Errorf("exit %d; terminal: %q", code, p.output())
		}
	})
	t.Run("exit code", func(t *testing.T) {
		p := openPTY(t)
		cooked := p.termios()
		cmd := p.start(c, "exec", "-it", "web", "--", "exit", "5")
		if code := exitCode(t, cmd); code != 5 {
			t.Errorf("exit %d, want 5; terminal: %q", code, p.output())
		}
		p.waitFor("command terminated with exit code 5")
		if !sameTermios(cooked, p.termios()) {
			t.Errorf("the terminal was not restored after a failed command")
		}
	})
	t.Run("signal", func(t *testing.T) {
		p := openPTY(t)
		cooked := p.termios()
		cmd := p.start(c, "exec", "-it", "web", "--", "cat")
		// Raw mode: ^C and ^D are bytes for the remote terminal, not signals or EOF here.
		deadline := time.Now().Add(20 * time.Second)
		for !isRaw(p.termios()) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := p.master.Write([]byte("typed\x03\x04")); err != nil {
			t.Fatal(err)
		}
		p.waitFor("typed\x03\x04")
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := exitCode(t, cmd); code != 130 {
			t.Errorf("exit %d after SIGTERM, want 130; terminal: %q", code, p.output())
		}
		if !sameTermios(cooked, p.termios()) {
			t.Errorf("the terminal was not restored after SIGTERM")
		}
	})
}
