#!/usr/bin/env bash
# Starts a local Seven control plane from _output/bin on the embedded defaults: etcd inside
# kube-apiserver, the API on http://127.0.0.1:8080. State, logs and pids live in _output/local.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/_output/local
bin=$PWD/_output/bin
port=${PORT:-8080}
"$(dirname "$0")/local-down.sh" >/dev/null 2>&1 || true
mkdir -p "$root/logs" "$root/run"
setsid "$bin/kube-apiserver" --data-dir="$root/etcd" --insecure-bind-address=127.0.0.1 --port="$port" \
	--service-cluster-ip-range=10.254.0.0/16 --logtostderr=false --log-dir="$root/logs" \
	</dev/null >>"$root/logs/kube-apiserver.out" 2>&1 &
echo $! >"$root/run/kube-apiserver.pid"
for _ in $(seq 1 300); do
	if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$(cat "$root/run/kube-apiserver.pid")" 2>/dev/null; then
		echo "kube-apiserver exited; see $root/logs/kube-apiserver.log" >&2
		exit 1
	fi
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
cat >"$PWD/_output/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: seven-local
  cluster:
    server: http://127.0.0.1:$port
contexts:
- name: seven-local
  context:
    cluster: seven-local
    user: seven-local
users:
- name: seven-local
  user: {}
current-context: seven-local
KC
cat <<MSG
Seven control plane is up: kube-apiserver on http://127.0.0.1:$port (embedded etcd in $root/etcd).

  export KUBECONFIG=$PWD/_output/kubeconfig
  kubectl get namespaces
  kubectl create -f examples/guestbook/redis-master-controller.yaml

Logs: $root/logs    Stop: make down
MSG
