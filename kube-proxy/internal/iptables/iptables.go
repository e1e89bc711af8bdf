package iptables

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Runner runs commands, with an optional prefix such as "ip netns exec NS".
type Runner struct {
	// Prefix is prepended to every command.
	Prefix []string
	// Backend picks the iptables flavour: "" runs iptables, iptables-restore and
	// iptables-save (whatever the system's alternatives point at, nf_tables on Debian 12);
	// "legacy" and "nft" run iptables-legacy* or iptables-nft*.
	Backend string
}

// Bin returns the name of one iptables tool for the chosen backend.
func (r Runner) Bin(tool string) string {
	if r.Backend == "" {
		return tool
	}
	base, rest, _ := strings.Cut(tool, "-")
	if rest != "" {
		return base + "-" + r.Backend + "-" + rest
	}
	return base + "-" + r.Backend
}

// ErrCommand wraps every failed command; the message carries its output.
var ErrCommand = errors.New("command failed")

// Run runs name with args and stdin (nil for none) and returns its standard output.
func (r Runner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	return r.run(ctx, false, stdin, name, args...)
}

// RunBulk is Run for a command that loads a whole ruleset (iptables-restore, nft -f):
// it asks glibc's malloc for transparent huge pages (glibc 2.35 and later; older ones
// ignore the setting). Such a command allocates a few hundred megabytes for 10,000
// services, and taking them 4 KiB page fault by page fault cost nft a third of its CPU
// time on a virtual machine.
func (r Runner) RunBulk(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	return r.run(ctx, true, stdin, name, args...)
}

func (r Runner) run(ctx context.Context, bulk bool, stdin []byte, name string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, r.Prefix...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if bulk {
		cmd.Env = withTunable(os.Environ(), "glibc.malloc.hugetlb=1")
	}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%w: %s: %v: %s", ErrCommand, strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// Restore applies data in one iptables-restore --noflush transaction: all of it or nothing.
func (r Runner) Restore(ctx context.Context, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	_, err := r.RunBulk(ctx, data, r.Bin("iptables-restore"), "--noflush", "--counters", "-w", "5")
	return err
}

// withTunable returns env with tunable added to GLIBC_TUNABLES.
func withTunable(env []string, tunable string) []string {
	out := make([]string, 0, len(env)+1)
	value := tunable
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GLIBC_TUNABLES="); ok {
			if v != "" {
				value = v + ":" + tunable
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GLIBC_TUNABLES="+value)
}

// Jump is a rule in a built-in chain that sends traffic to one of kube-proxy's.
type Jump struct {
	Table, From, To string
	// Args are the matches between the chain and the -j.
	Args []string
}

func (j Jump) spec() []string {
	return append(append([]string{}, j.Args...), "-j", j.To)
}

// Jumps are upstream's jumps from the built-in chains.
var Jumps = []Jump{
	{"filter", "INPUT", "KUBE-EXTERNAL-SERVICES", []string{"-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes externally-visible service portals"}},
	{"filter", "FORWARD", "KUBE-EXTERNAL-SERVICES", []string{"-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes externally-visible service portals"}},
	{"filter", "FORWARD", "KUBE-SERVICES", []string{"-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals"}},
	{"filter", "OUTPUT", "KUBE-SERVICES", []string{"-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals"}},
	{"filter", "FORWARD", "KUBE-FORWARD", []string{"-m", "comment", "--comment", "kubernetes forwarding rules"}},
	{"filter", "INPUT", "KUBE-FIREWALL", nil},
	{"filter", "OUTPUT", "KUBE-FIREWALL", nil},
	{"nat", "OUTPUT", "KUBE-SERVICES", []string{"-m", "comment", "--comment", "kubernetes service portals"}},
	{"nat", "PREROUTING", "KUBE-SERVICES", []string{"-m", "comment", "--comment", "kubernetes service portals"}},
	{"nat", "POSTROUTING", "KUBE-POSTROUTING", []string{"-m", "comment", "--comment", "kubernetes postrouting rules"}},
}

// EnsureJumps creates kube-proxy's top-level chains if missing and inserts each jump at the
// head of its built-in chain unless it is there already, and returns the KUBE- chains the
// nat table had (as Chains). It reads each table once with iptables-save: with
// iptables-legacy every iptables -C or -S reads the whole table, about a second each for a
// nat table of 10,000 services. Only a jump not found there in the form kube-proxy inserts
// it is checked with iptables -C before it is inserted.
func (r Runner) EnsureJumps(ctx context.Context) (natChains []string, err error) {
	saved := map[string][]byte{}
	made := map[string]bool{}
	for _, j := range Jumps {
		text, ok := saved[j.Table]
		if !ok {
			if text, err = r.Run(ctx, nil, r.Bin("iptables-save"), "-t", j.Table); err != nil {
				return nil, fmt.Errorf("list table %s: %w", j.Table, err)
			}
			saved[j.Table] = text
			if j.Table == "nat" {
				if natChains, err = kubeChains(text); err != nil {
					return nil, fmt.Errorf("list table nat: %w", err)
				}
			}
		}
		if key := j.Table + " " + j.To; !made[key] {
			made[key] = true
			if !bytes.HasPrefix(text, []byte(":"+j.To+" ")) && !bytes.Contains(text, []byte("\n:"+j.To+" ")) {
				if _, err := r.Run(ctx, nil, r.Bin("iptables"), "-w", "5", "-t", j.Table, "-N", j.To); err != nil {
					return nil, fmt.Errorf("create chain %s/%s: %w", j.Table, j.To, err)
				}
			}
		}
		if bytes.Contains(text, []byte("\n"+j.saved()+"\n")) {
			continue
		}
		check := append([]string{"-w", "5", "-t", j.Table, "-C", j.From}, j.spec()...)
		if _, err := r.Run(ctx, nil, r.Bin("iptables"), check...); err == nil {
			continue
		}
		ins := append([]string{"-w", "5", "-t", j.Table, "-I", j.From}, j.spec()...)
		if _, err := r.Run(ctx, nil, r.Bin("iptables"), ins...); err != nil {
			return nil, fmt.Errorf("jump %s/%s to %s: %w", j.Table, j.From, j.To, err)
		}
	}
	return natChains, nil
}

// saved is the jump as iptables-save prints it (comments in quotes).
func (j Jump) saved() string {
	var b strings.Builder
	b.WriteString("-A " + j.From)
	for i, a := range j.Args {
		if i > 0 && j.Args[i-1] == "--comment" {
			a = strconv.Quote(a)
		}
		b.WriteString(" " + a)
	}
	b.WriteString(" -j " + j.To)
	return b.String()
}

// Chains lists the chains of table whose names start with KUBE-.
func (r Runner) Chains(ctx context.Context, table string) ([]string, error) {
	out, err := r.Run(ctx, nil, r.Bin("iptables-save"), "-t", table)
	if err != nil {
		return nil, err
	}
	return kubeChains(out)
}

// kubeChains returns the chains whose names start with KUBE- in iptables-save output.
func kubeChains(out []byte) ([]string, error) {
	var chains []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) > 6 && line[0] == ':' && bytes.HasPrefix(line[1:], []byte("KUBE-")) {
			name, _, _ := bytes.Cut(line[1:], []byte(" "))
			chains = append(chains, string(name))
		}
	}
	return chains, sc.Err()
}

// Cleanup removes every jump to a KUBE- chain from the built-in chains, then every KUBE-
// chain, in the filter and nat tables: what kube-proxy --cleanup does.
func (r Runner) Cleanup(ctx context.Context) error {
	var errs []error
	for _, j := range Jumps {
		del := append([]string{"-w", "5", "-t", j.Table, "-D", j.From}, j.spec()...)
		// Delete every copy; -D fails once none is left.
		for range 10 {
			if _, err := r.Run(ctx, nil, r.Bin("iptables"), del...); err != nil {
				break
			}
		}
	}
	for _, table := range []string{"filter", "nat"} {
		chains, err := r.Chains(ctx, table)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(chains) == 0 {
			continue
		}
		var b bytes.Buffer
		b.WriteString("*" + table + "\n")
		for _, c := range chains {
			b.WriteString(":" + c + " - [0:0]\n")
		}
		for _, c := range chains {
			b.WriteString("-X " + c + "\n")
		}
		b.WriteString("COMMIT\n")
		if _, err := r.Run(ctx, b.Bytes(), r.Bin("iptables-restore"), "--noflush", "-w", "5"); err != nil {
			errs = append(errs, fmt.Errorf("delete %s chains: %w", table, err))
		}
	}
	return errors.Join(errs...)
}

// Conntrack deletes conntrack entries; finding none is not an error.
func (r Runner) Conntrack(ctx context.Context, args []string) error {
	_, err := r.Run(ctx, nil, "conntrack", args...)
	if err != nil && strings.Contains(err.Error(), "0 flow entries have been deleted") {
		return nil
	}
	return err
}

// Sysctl sets a kernel parameter, e.g. net.ipv4.conf.all.route_localnet=1.
func (r Runner) Sysctl(ctx context.Context, setting string) error {
	_, err := r.Run(ctx, nil, "sysctl", "-q", "-w", setting)
	return err
}
