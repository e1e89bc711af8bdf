#!/usr/bin/env bash
# Stops the local cluster started by local-up.sh and removes every namespace, link, iptables
# rule, container and mount it created (docs/local-cluster.md). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o _output/bin/seven-cluster ./e2e/cmd/seven-cluster
exec _output/bin/seven-cluster down "$@"
