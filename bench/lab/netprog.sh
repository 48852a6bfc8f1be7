#!/usr/bin/env bash
# Network programming latency (issue #4): EndpointSlice change in the API -> the new endpoint is
# reached from every lab node, with SERVICES other Services (10 endpoints each) programmed.
# Usage (root): bench/lab/netprog.sh [mode=nftables] [services=10000] [changes=30]
# Starts its own lab (`junction up --proxy-mode MODE`), runs netprog.py (see its docstring), and
# removes the lab at the end. Everything stays inside the lab's namespaces.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-nftables} services=${2:-10000} changes=${3:-30}
export JUNCTION_HOME=${JUNCTION_HOME:-/tmp/junction-netprog}
j() { "$root/junction" "$@"; }
j down >/dev/null 2>&1 || true
trap 'j down >/dev/null 2>&1' EXIT
manifest=$(mktemp --suffix=.yaml)
cat >"$manifest" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: netprog-whoami
spec:
  replicas: 2
  selector:
    matchLabels: {app: netprog-whoami}
  template:
    metadata:
      labels: {app: netprog-whoami}
    spec:
      containers:
      - name: whoami
        image: traefik/whoami
        ports: [{containerPort: 80}]
YAML
echo "== netprog: mode $mode, $services Services, $changes changes ($(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
j up --proxy-mode "$mode" -f "$manifest" >/dev/null
rm -f "$manifest"
python3 "$root/bench/lab/netprog.py" "$JUNCTION_HOME" "$services" "$changes"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
