// Package ipmasq installs flanneld's -ip-masq rules: traffic from pods to outside the overlay
// network is masqueraded to the node's address, traffic between pods is not. The rules live
// in a chain of their own (FLANNEL-POSTRTG) in the nat table, jumped to from POSTROUTING, and
// are written with iptables-restore in one transaction.
//
// Rules are kept when flanneld stops, as flannel does: pods keep running, and so must their
// outbound traffic, while flanneld restarts. Starting without -ip-masq removes them.
//
// The rule text is a pure function (Rules); only Apply runs iptables.
package ipmasq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
)

// Chain is flanneld's chain in the nat table.
const Chain = "FLANNEL-POSTRTG"

const comment = "flanneld masq"

// jumpArgs is the POSTROUTING rule that sends traffic through Chain.
var jumpArgs = []string{"POSTROUTING", "-m", "comment", "--comment", comment, "-j", Chain}

// Rules returns the iptables-restore input for network and the node's own subnet.
func Rules(network, own netip.Prefix) []byte {
	n, s := network.String(), own.String()
	c := fmt.Sprintf("-m comment --comment %q", comment)
	var b bytes.Buffer
	b.WriteString("*nat\n")
	// Declaring the chain in a --noflush restore flushes it: the rules below replace any
	// earlier set.
	fmt.Fprintf(&b, ":%s - [0:0]\n", Chain)
	// Pod to pod, anywhere in the overlay: keep the pod's address.
	fmt.Fprintf(&b, "-A %s -s %s -d %s %s -j RETURN\n", Chain, n, n, c)
	// Pod to the outside world (multicast excepted): masquerade.
	fmt.Fprintf(&b, "-A %s -s %s ! -d 224.0.0.0/4 %s -j MASQUERADE\n", Chain, n, c)
	// The outside world to this node's pods: untouched.
	fmt.Fprintf(&b, "-A %s ! -s %s -d %s %s -j RETURN\n", Chain, n, s, c)
	// This node (not a pod) to other nodes' pods: masquerade so replies come back through us.
	fmt.Fprintf(&b, "-A %s ! -s %s -d %s %s -j MASQUERADE\n", Chain, n, n, c)
	b.WriteString("COMMIT\n")
	return b.Bytes()
}

// Runner runs an iptables command with stdin; tests substitute a fake.
type Runner interface {
	Run(ctx context.Context, stdin []byte, name string, args ...string) error
}

// Exec runs the real iptables binaries.
type Exec struct{}

// Run runs name with args, feeding it stdin; the error carries the command's output.
func (Exec) Run(ctx context.Context, stdin []byte, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &ExitError{Cmd: name + " " + strings.Join(args, " "), Output: strings.TrimSpace(string(out)), Err: err}
	}
	return nil
}

// ExitError is a failed iptables command.
type ExitError struct {
	Cmd, Output string
	Err         error
}

func (e *ExitError) Error() string { return fmt.Sprintf("%s: %v: %s", e.Cmd, e.Err, e.Output) }
func (e *ExitError) Unwrap() error { return e.Err }

// Apply installs the rules and the POSTROUTING jump (first, ahead of other masquerade rules
// such as a container runtime's that would otherwise rewrite pod-to-pod traffic).
func Apply(ctx context.Context, r Runner, network, own netip.Prefix) error {
	if err := r.Run(ctx, Rules(network, own), "iptables-restore", "-w", "--noflush"); err != nil {
		return fmt.Errorf("ip-masq: write chain %s: %w", Chain, err)
	}
	if err := r.Run(ctx, nil, "iptables", append([]string{"-w", "-t", "nat", "-C"}, jumpArgs...)...); err == nil {
		return nil
	} else if !isExitCode(err, 1) {
		return fmt.Errorf("ip-masq: check POSTROUTING jump: %w", err)
	}
	if err := r.Run(ctx, nil, "iptables", append([]string{"-w", "-t", "nat", "-I", jumpArgs[0], "1"}, jumpArgs[1:]...)...); err != nil {
		return fmt.Errorf("ip-masq: add POSTROUTING jump: %w", err)
	}
	return nil
}

// Remove deletes the jump and the chain if they exist (a node that ran with -ip-masq before).
// Absent rules are not an error.
func Remove(ctx context.Context, r Runner) error {
	if err := r.Run(ctx, nil, "iptables", "-w", "-t", "nat", "-S", Chain); err != nil {
		if isExitCode(err, 1) || errors.Is(err, exec.ErrNotFound) {
			return nil // no such chain, or no iptables at all
		}
		return fmt.Errorf("ip-masq: look for chain %s: %w", Chain, err)
	}
	for range 10 { // one jump normally; a few if an older run duplicated it
		if err := r.Run(ctx, nil, "iptables", append([]string{"-w", "-t", "nat", "-D"}, jumpArgs...)...); err != nil {
			break // no (more) jumps
		}
	}
	if err := r.Run(ctx, nil, "iptables", "-w", "-t", "nat", "-F", Chain); err != nil {
		return fmt.Errorf("ip-masq: flush chain %s: %w", Chain, err)
	}
	if err := r.Run(ctx, nil, "iptables", "-w", "-t", "nat", "-X", Chain); err != nil {
		return fmt.Errorf("ip-masq: delete chain %s: %w", Chain, err)
	}
	return nil
}

func isExitCode(err error, code int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == code
}
