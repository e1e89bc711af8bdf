#!/usr/bin/env bash
# Builds Seven's images offline into _output/images/<group>.tar (docker-archive), for
# `kubelet --image-preload-dir=_output/images`: seven.dev/pause, busybox, redis with the
# guestbook's kubeguide/redis-master and kubeguide/guestbook-redis-slave,
# kubeguide/guestbook-php-frontend and seven/testserver. With SERVE=127.0.0.1:5000 it also
# serves them from a local registry until interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-$PWD/_output/images}
args=(-out "$out" -src "$PWD/kubelet" -examples "$PWD/examples")
[ -n "${SERVE:-}" ] && args+=(-serve "$SERVE")
# Built then exec'd rather than `go run`, so that SIGTERM reaches the registry server.
bin=${SEVEN_BIN:-$PWD/_output/bin}
mkdir -p "$bin"
go build -o "$bin/seven-images" ./kubelet/cmd/seven-images
exec "$bin/seven-images" "${args[@]}"
