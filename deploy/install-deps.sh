#!/usr/bin/env bash
# Installs the Debian packages Seven's build, tests and local cluster need, when missing.
set -euo pipefail

want=(containerd runc iptables nftables conntrack iproute2 python3 python3-kubernetes curl ca-certificates busybox-static redis-server redis-tools)
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
	$sudo apt-get update -qq || true
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
