#!/usr/bin/env bash
# Stops what local-up.sh started (by the pids it recorded) and keeps the data for next time.
set -uo pipefail
cd "$(dirname "$0")/.."
run=$PWD/_output/local/run
[ -d "$run" ] || exit 0
for f in "$run"/*.pid; do
	[ -e "$f" ] || continue
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
		echo "stopped $(basename "$f" .pid) ($pid)"
	fi
	rm -f "$f"
done
