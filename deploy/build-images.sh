#!/usr/bin/env bash
# Builds Seven's images offline (pause, busybox, redis) into _output/images/images.tar, for
# `kubelet --image-preload-dir=_output/images`. With SERVE=127.0.0.1:5000 it also serves
# them from a local registry until interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-$PWD/_output/images}
args=(-out "$out" -src "$PWD/kubelet")
[ -n "${SERVE:-}" ] && args+=(-serve "$SERVE")
go run ./kubelet/cmd/seven-images "${args[@]}"
