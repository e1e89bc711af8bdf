package nftables

import (
	"bufio"
	"bytes"
	"context"
	"strings"

	"seven.dev/kube-proxy/internal/iptables"
	"seven.dev/kube-proxy/internal/rules"
)

// Runner runs nft, with an optional prefix such as "ip netns exec NS".
type Runner struct {
	// Prefix is prepended to every command.
	Prefix []string
}

func (r Runner) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return iptables.Runner{Prefix: r.Prefix}.Run(ctx, stdin, "nft", args...)
}

// Apply runs script as one nft transaction: all of it or nothing.
func (r Runner) Apply(ctx context.Context, script []byte) error {
	if len(script) == 0 {
		return nil
	}
	_, err := iptables.Runner{Prefix: r.Prefix}.RunBulk(ctx, script, "nft", "-f", "-")
	return err
}

// Objects lists the chains and sets of table ip kube-proxy; none when it does not exist.
// Only names are fetched (nft -t omits set elements; "list chains" omits rules).
func (r Runner) Objects(ctx context.Context) (chains, sets []string, err error) {
	out, err := r.run(ctx, nil, "list", "chains", "ip")
	if err != nil {
		return nil, nil, err
	}
	chains = names(out, "chain ")
	out, err = r.run(ctx, nil, "-t", "list", "sets", "ip")
	if err != nil {
		return nil, nil, err
	}
	return chains, names(out, "set "), nil
}

// names returns the objects of table ip kube-proxy in nft list output whose lines start
// with kind ("chain " or "set "); maps ("map ...") are not sets here.
func names(out []byte, kind string) []string {
	var found []string
	inTable := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "table ") {
			inTable = line == "table ip "+rules.NFTTable+" {"
			continue
		}
		if inTable && strings.HasPrefix(line, kind) {
			name, _, _ := strings.Cut(strings.TrimPrefix(line, kind), " ")
			found = append(found, strings.Trim(name, `"`))
		}
	}
	return found
}

// Cleanup deletes table ip kube-proxy, with every chain, map and set in it: what
// kube-proxy --cleanup does for nftables mode. A missing table is not an error.
func (r Runner) Cleanup(ctx context.Context) error {
	// "add" first makes the delete succeed whether or not the table existed, atomically.
	_, err := r.run(ctx, []byte("add table ip "+rules.NFTTable+"\ndelete table ip "+rules.NFTTable+"\n"), "-f", "-")
	return err
}
