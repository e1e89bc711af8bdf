#!/usr/bin/env bash
# Starts the local multi-node cluster (docs/local-cluster.md) with e2e/cmd/seven-cluster:
# `make up` runs it after installing the Debian packages and building. Arguments go to
# `seven-cluster up` (--nodes, --api-port, ...); NODES=3 sets the node count.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o _output/bin/seven-cluster ./e2e/cmd/seven-cluster
# The guestbook's images are built offline when the image builder exists; without them the
# cluster still starts and `seven-cluster up` says what is missing.
if [ -x deploy/build-images.sh ]; then
	./deploy/build-images.sh || echo "deploy/build-images.sh failed: the guestbook step will say which images are missing" >&2
fi
exec _output/bin/seven-cluster up "$@"
