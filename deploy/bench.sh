#!/usr/bin/env bash
# Runs the benchmarks and records their figures in docs/BENCHMARKS.md, with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SEVEN_BIN:-$PWD/_output/bin}
out=docs/BENCHMARKS.md
machine="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), $(go version | cut -d' ' -f3)"
when=$(date -u +%Y-%m-%d)

run() { # name, command...
	local name=$1; shift
	echo "== $name: $*"
	local res
	res=$("$@" 2>&1 | tee /dev/stderr)
	record "$name" "$*" "$res"
}

record() { # name, command, result
	local tmp
	tmp=$(mktemp)
	{
		echo "<!-- bench:$1 -->"
		echo "### $1"
		echo
		echo "Command: \`$2\` (via \`make bench\`), $when, on $machine."
		echo
		echo '```'
		echo "$3"
		echo '```'
		echo "<!-- /bench:$1 -->"
	} >"$tmp"
	python3 - "$out" "$1" "$tmp" <<'PY'
import re, sys
path, name, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
block = open(tmp).read().rstrip("\n")
try:
    doc = open(path).read()
except FileNotFoundError:
    doc = "# Benchmarks\n\nEvery figure below was printed by the command shown, on the machine shown.\n"
pat = re.compile(r"<!-- bench:%s -->.*?<!-- /bench:%s -->" % (re.escape(name), re.escape(name)), re.S)
doc = pat.sub(lambda m: block, doc) if pat.search(doc) else doc.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(doc)
PY
	rm -f "$tmp"
}

go build -o "$bin/apibench" ./e2e/cmd/apibench
run "API server: creates and watch delivery" "$bin/apibench" -bin "$bin" -creates 10000 -clients 50 -watchers 1000 -watch-events 1000
go build -o "$bin/overlaybench" ./flanneld/cmd/overlaybench && run "flanneld: vxlan pod-to-pod vs node-to-node TCP throughput" "$bin/overlaybench" -flanneld "$bin/flanneld"
go build -o "$bin/proxybench" ./kube-proxy/cmd/proxybench && run "kube-proxy: rule sync, 10,000 services x 5 endpoints (nftables mode, and iptables mode on iptables-legacy, in throwaway netns)" "$bin/proxybench" -services 10000 -endpoints 5 -incremental 5 -runs 5 -modes nftables,iptables -backend legacy
go build -o "$bin/schedbench" ./scheduler/cmd/schedbench && run "kube-scheduler: 5,000 hollow nodes, 10,000 pods, created to bound" "$bin/schedbench" -bin "$bin" -nodes 5000 -pods 10000
go build -o "$bin/podbench" ./kubelet/cmd/podbench
run "kubelet: pod startup latency, 30 pods created back to back on one containerd node (create -> Running seen by a watcher)" "$bin/podbench" -bin "$bin" -pods 30
run "kubelet: pod startup latency, 30 pods created at 2/s on one containerd node (create -> Running seen by a watcher)" "$bin/podbench" -bin "$bin" -pods 30 -qps 2
