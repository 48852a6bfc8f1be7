#!/usr/bin/env bash
# Lab figures for issue 2: wall time of `junction up` with seeds 01+02, RSS of every lab process,
# and the ms from creating a Service until its name resolves from a pod (N samples).
# Usage (root): bench/lab/run.sh [samples=20]
# Everything runs inside the lab's own namespaces; the lab is removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
samples=${1:-20}
seeds="$root/../shared/fixtures/seeds"; [ -d "$seeds" ] || seeds="$root/examples"
export JUNCTION_HOME=${JUNCTION_HOME:-/tmp/junction-bench}
j() { "$root/junction" "$@"; }
j down >/dev/null
trap 'j down >/dev/null' EXIT

start=$(date +%s%N)
j up -f "$seeds/01-my-nginx.yaml" -f "$seeds/02-service-types.yaml" >/dev/null
end=$(date +%s%N)
echo "junction up (seeds 01+02): $(( (end - start) / 1000000 )) ms"

echo "RSS (MiB) per lab process:"
for f in "$JUNCTION_HOME"/run/*.pid; do
  pid=$(cat "$f"); printf '  %-22s %6s\n' "$(basename "$f" .pid)" "$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status 2>/dev/null)"
done
for ns in $(ip netns list | awk '{print $1}' | grep '^jn-pod-'); do
  kib=0; for pid in $(ip netns pids "$ns"); do kib=$(( kib + $(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0) )); done
  printf '  %-50s %6s\n' "$ns" "$(( kib / 1024 ))"
done

kubectl="kubectl --kubeconfig $JUNCTION_HOME/kubeconfig"
token=$(awk '/token:/ {print $2; exit}' "$JUNCTION_HOME/kubeconfig")
podns=$(ip netns list | awk '{print $1}' | grep '^jn-pod-default-curl$')
lat=()
for i in $(seq 1 "$samples"); do
  name="bench-resolve-$i"
  ip netns exec "$podns" sh -c "until nslookup -timeout=1 -retry=0 $name >/dev/null 2>&1; do :; done; date +%s%3N" > /tmp/jn-resolve.$$ &
  waiter=$!
  sleep 1
  t0=$(date +%s%3N)
  curl -sf -o /dev/null --cacert "$JUNCTION_HOME/pki/ca.crt" -H "Authorization: Bearer $token" \
    -X POST -H 'Content-Type: application/json' https://127.0.0.1:6443/api/v1/namespaces/default/services \
    -d "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"$name\"},\"spec\":{\"selector\":{\"app\":\"nginx\"},\"ports\":[{\"port\":80}]}}"
  wait $waiter
  lat+=( $(( $(cat /tmp/jn-resolve.$$) - t0 )) )
  $kubectl delete service "$name" --wait=false >/dev/null
done
rm -f /tmp/jn-resolve.$$
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
p50=$(echo "$sorted" | awk -v n="$samples" 'NR==int((n+1)/2)')
p99=$(echo "$sorted" | awk -v n="$samples" 'NR==int(n*0.99+0.999)')
echo "Service create (POST returns) -> name resolves from a pod, ms: p50=$p50 p99/max=$p99 all=[$(echo $sorted | tr ' ' ',')]"
