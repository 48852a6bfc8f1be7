#!/usr/bin/env bash
# Usage: bench/apiserver/run.sh [services=10000] [slices=1000] [clients=8] [watchers=10] [port=26443]
#   env ROUNDS=n (default 1): interleaved rounds of SQLite, etcd3 and the etcd floor.
#   env BACKENDS="sqlite etcd3" (default both; etcd3 needs /usr/bin/etcd).
#   env VARIANTS="name=CPFILE[+JVMFLAG...] ..." (default one variant, "current": this tree's build): side-by-side
#   builds or JVM flags, interleaved within each round; CPFILE holds a server classpath (empty = this tree's),
#   e.g. VARIANTS="base=/tmp/base.cp new= par=+-XX:-UseSerialGC+-XX:+UseParallelGC" (flags joined by '+', split at "+-").
#   env SKIP_FLOOR=1 skips the etcd floor; env JFR=DIR records a flight recording of each server into DIR.
#   env WARMUP=none|get:N|dryrun:N (default get:2000): unmeasured requests before the creates, spread over the
#   clients. N GETs (services?limit=1) warm the load generator's own JVM, whose first seconds (a fresh JVM,
#   interpreted HTTP client code) were most of the first tenth's slow creates; they reach the server's HTTP
#   and list path but not its create path. N dry-run creates also warm the server's create path (not the default).
#   For each backend, starts Junction's API server as its own JVM on a fresh store (SQLite: temp data
#   dir, fsync per group commit; etcd3: a throw-away single-member etcd on 127.0.0.1:<port+100>
#   with a temp data dir), runs ApiServerBench.java against it (creates <services> Services while
#   <watchers> watches run, then <slices> EndpointSlices of 100 endpoints), prints objects/s,
#   p50/p99 create latency, watch delivery p50/p99 and the server's RSS (plus etcd's), then stops
#   what it started by PID. Then ../shared/bench/etcd-bench.sh gives etcd's own put/watch floor.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERVICES=${1:-10000} SLICES=${2:-1000} CLIENTS=${3:-8} WATCHERS=${4:-10} PORT=${5:-26443}
ROUNDS=${ROUNDS:-1} BACKENDS=${BACKENDS:-sqlite etcd3}
EPORT=$((PORT + 100)) EPEER=$((PORT + 110))
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
# The API server runs with the flags the lab gives it (cli SupervisorCommand/JvmCommand: 768 MiB heap, 24 MiB young
# generation, C1 JIT only (SupervisorCommand.APISERVER_JVM_FLAGS; a variant "+-XX:TieredStopAtLevel=4" gives C2 back), serial GC,
# Netty's Unsafe access); the load generator with C1 only and a serial GC, so that its own JIT and
# GC threads take as little as possible of the 2 cores from the server (upstream's load tests run
# the client on other machines).
SERVER_JVM=(-Xmx768m -Xmn24m -XX:TieredStopAtLevel=1 -Xss512k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true --enable-native-access=ALL-UNNAMED
  -Dlogback.configurationFile="$ROOT/cli/src/main/resources/logback.xml")
# (the lab's logging: without it logback's default logs everything at DEBUG, gRPC's HTTP/2 frames included)
[ "$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p')" -ge 23 ] && SERVER_JVM+=(--sun-misc-unsafe-memory-access=allow)
CLIENT_JVM=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m "-Dbench.warmup=${WARMUP:-get:2000}")
CPFILE=$(mktemp)
(cd "$ROOT" && ./mvnw -B -q -o -pl apiserver dependency:build-classpath -Dmdep.outputFile="$CPFILE" >/dev/null 2>&1)
CP="$(cat "$CPFILE"):$ROOT/apiserver/target/classes"
rm -f "$CPFILE"
# the server's main class, compiled once into a jar (no javac in every server start; a jar, not a
# directory, so that variants can use JDK 25's AOT cache, which accepts only jars on the class path)
LAUNCH=$(mktemp -d)
"$JAVA_HOME/bin/javac" -d "$LAUNCH/classes" -cp "$CP" "$HERE/RunApiServer.java"
"$JAVA_HOME/bin/jar" cf "$LAUNCH/run-apiserver.jar" -C "$LAUNCH/classes" .
VARIANTS=${VARIANTS:-current=}
SPID="" EPID="" DATA=""
stop_all() {
  [ -n "$SPID" ] && { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; }
  [ -n "$EPID" ] && { kill "$EPID" 2>/dev/null || true; wait "$EPID" 2>/dev/null || true; }
  [ -n "$DATA" ] && rm -rf "$DATA"
  SPID="" EPID="" DATA=""
}
trap 'stop_all; rm -rf "$LAUNCH"' EXIT

start_etcd() {
  etcd --name bench --data-dir "$DATA/etcd" --listen-client-urls "http://127.0.0.1:$EPORT" \
    --advertise-client-urls "http://127.0.0.1:$EPORT" --listen-peer-urls "http://127.0.0.1:$EPEER" \
    --initial-advertise-peer-urls "http://127.0.0.1:$EPEER" --initial-cluster "bench=http://127.0.0.1:$EPEER" \
    --listen-metrics-urls "http://127.0.0.1:$((EPORT + 20))" --quota-backend-bytes 8589934592 >"$DATA/etcd.log" 2>&1 &
  EPID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$EPORT/health" | grep -q true && return 0; sleep 0.1; done
  cat "$DATA/etcd.log"; exit 1
}

bench() { # backend variant
  local backend=$1 variant=${2:-current=} args vname vcp vflags=() cp=$CP
  vname=${variant%%=*} vcp=${variant#*=}
  # flags are split at "+-" so that a flag may itself hold a '+' (-XX:+UseParallelGC)
  if [[ "$vcp" == *+* ]]; then mapfile -t vflags < <(sed 's/+-/\n-/g' <<<"${vcp#*+}"); vcp=${vcp%%+*}; fi
  [ -n "$vcp" ] && cp=$(cat "$vcp")
  [ -n "${JFR:-}" ] && vflags+=("-XX:StartFlightRecording=filename=$JFR/$backend-$vname-$(date +%H%M%S).jfr,settings=profile")
  DATA=$(mktemp -d)
  if [ "$backend" = etcd3 ]; then
    start_etcd
    args=(--storage-backend etcd3 --etcd-servers "http://127.0.0.1:$EPORT")
  else
    args=(--data-dir "$DATA/sqlite")
  fi
  "$JAVA" "${SERVER_JVM[@]}" "${vflags[@]}" -cp "$LAUNCH/run-apiserver.jar:$cp" RunApiServer "${args[@]}" --bind-address 127.0.0.1 --port "$PORT" \
    --advertise-address 127.0.0.1 >"$DATA/server.log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$DATA/server.log"; exit 1; }
  echo "== Junction apiserver, $backend backend, variant $vname ${vflags[*]} (pid $SPID, $(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$JAVA" "${CLIENT_JVM[@]}" -cp "$CP" "$HERE/ApiServerBench.java" "http://127.0.0.1:$PORT" "$SPID" "$SERVICES" "$SLICES" "$CLIENTS" "$WATCHERS"
  [ -n "$EPID" ] && echo "etcd RSS: $(( $(awk '/VmRSS/{print $2}' /proc/$EPID/status) / 1024 )) MiB; etcd's slow-disk/slow-apply warnings: $(grep -c 'slow fdatasync\|took too long' "$DATA/etcd.log" || true)"
  stop_all
}

for r in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" -gt 1 ] && echo "#### round $r/$ROUNDS"
  for b in $BACKENDS; do
    if [ "$b" = etcd3 ] && ! command -v etcd >/dev/null; then echo "== etcd3 skipped: no etcd binary"; continue; fi
    for v in $VARIANTS; do bench "$b" "$v"; done
  done
  if [ -z "${SKIP_FLOOR:-}" ] && [ -x "$ROOT/../shared/bench/etcd-bench.sh" ] && command -v etcd >/dev/null; then
    echo "== etcd floor (../shared/bench/etcd-bench.sh 10)"
    "$ROOT/../shared/bench/etcd-bench.sh" 10
  fi
done
