#!/usr/bin/env bash
# Usage: bench/apiserver/run.sh [services=10000] [slices=1000] [clients=8] [watchers=10] [port=26443]
#   Starts Junction's API server (SQLite backend, fresh temp data dir, fsync per commit) as its own
#   JVM, runs ApiServerBench.java against it (creates <services> Services while <watchers> watches
#   run, then <slices> EndpointSlices of 100 endpoints), prints objects/s, p50/p99 create latency,
#   watch delivery p50/p99 and the server's RSS, then stops the server by PID. When
#   ../shared/bench/etcd-bench.sh and an etcd binary exist it runs that too, for comparison.
#   The etcd storage backend is not implemented yet, so only SQLite is measured.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERVICES=${1:-10000} SLICES=${2:-1000} CLIENTS=${3:-8} WATCHERS=${4:-10} PORT=${5:-26443}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
CPFILE=$(mktemp)
(cd "$ROOT" && ./mvnw -B -q -o -pl apiserver dependency:build-classpath -Dmdep.outputFile="$CPFILE" >/dev/null 2>&1)
CP="$(cat "$CPFILE"):$ROOT/apiserver/target/classes"
rm -f "$CPFILE"
DATA=$(mktemp -d)
"$JAVA" -Xmx1g -cp "$CP" "$HERE/RunApiServer.java" --data-dir "$DATA" --bind-address 127.0.0.1 --port "$PORT" \
  --advertise-address 127.0.0.1 >"$DATA/server.log" 2>&1 &
SPID=$!
cleanup() { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$DATA/server.log"; exit 1; }
echo "== Junction apiserver, SQLite backend (pid $SPID, $(nproc) cores, $(date -u +%FT%TZ))"
"$JAVA" -cp "$CP" "$HERE/ApiServerBench.java" "http://127.0.0.1:$PORT" "$SPID" "$SERVICES" "$SLICES" "$CLIENTS" "$WATCHERS"
if [ -x "$ROOT/../shared/bench/etcd-bench.sh" ] && command -v etcd >/dev/null; then
  echo "== etcd reference (../shared/bench/etcd-bench.sh)"
  "$ROOT/../shared/bench/etcd-bench.sh" 10
else
  echo "== etcd reference skipped: no etcd binary on this machine"
fi
