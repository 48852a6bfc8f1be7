#!/usr/bin/env bash
# Usage: bench/proxy/l4.sh [seconds=10] [connections=64] [rounds=3]
#   The userspace proxy (proxy-userspace, a real UserspaceProxier through the test-scope main
#   dev.junction.proxy.userspace.L4BenchProxy) beside haproxy in tcp mode and the direct path, same
#   run, targets interleaved: starts the proxy on an ephemeral port of 127.0.0.1 -> the nginx
#   backend 127.0.0.1:18081 (which l4-proxy.sh starts), then runs
#   ../shared/bench/l4-proxy.sh SECS CONNS ROUNDS "direct haproxy-tcp url=http://127.0.0.1:PORT/ ...".
#   Prints the RESULT/SUMMARY lines of l4-proxy.sh plus the userspace/haproxy ratios and `uptime`.
#   One proxy JVM per transport in TRANSPORTS (default "epoll nio": the native epoll transport and
#   the forced NIO fallback, -Djunction.proxy.userspace.transport=...), each its own url= target.
# Env: PROXY_JAVA_OPTS (JVM flags of the proxy; default below), TRANSPORTS, REBUILD=1 (rebuild the module).
# Loopback only; the proxy JVMs are stopped by their PIDs on exit (l4-proxy.sh stops its own servers).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
. "$SHARED/bench/lib.sh"
SECS=${1:-10} CONNS=${2:-64} ROUNDS=${3:-3}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
TRANSPORTS=${TRANSPORTS:-"epoll nio"}
PIDS=()
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS:-"-Xms64m -Xmx64m -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Dio.netty.leakDetection.level=disabled"}

cd "$ROOT"
if [ ! -f proxy-userspace/target/test-classes/dev/junction/proxy/userspace/L4BenchProxy.class ] || [ "${REBUILD:-0}" = 1 ]; then
  log "building proxy-userspace (tests skipped)"
  ./mvnw -B -q -o -pl proxy-userspace install -DskipTests >&2
fi
mktmp junction-l4; T=$TMPD
./mvnw -B -q -o -pl proxy-userspace dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$T/cp.txt" >&2
CP="$ROOT/proxy-userspace/target/classes:$ROOT/proxy-userspace/target/test-classes:$(cat "$T/cp.txt")"

TARGETS="direct haproxy-tcp"
LABELS=()
for tr in $TRANSPORTS; do
  # shellcheck disable=SC2086
  bg_start "$T/proxy-$tr.log" "$JAVA" $PROXY_JAVA_OPTS -Djunction.proxy.userspace.transport="$tr" -cp "$CP" \
    dev.junction.proxy.userspace.L4BenchProxy 127.0.0.1 18081
  pid=$LAST_PID
  PIDS+=("$pid")
  port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's/^LISTENING port=\([0-9]*\).*/\1/p' "$T/proxy-$tr.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" || die "proxy ($tr) died: $(tail -5 "$T/proxy-$tr.log")"
    sleep 0.1
  done
  [ -n "$port" ] || die "proxy ($tr) did not start within 30 s"
  log "userspace proxy ($tr) pid=$pid on 127.0.0.1:$port -> 127.0.0.1:18081 (JVM: $PROXY_JAVA_OPTS)"
  TARGETS="$TARGETS url=http://127.0.0.1:$port/"
  LABELS+=("$tr=url=http://127.0.0.1:$port/")
done
log "load before: $(uptime)"
"$SHARED/bench/l4-proxy.sh" "$SECS" "$CONNS" "$ROUNDS" "$TARGETS" | tee "$T/l4.out"
log "load after: $(uptime)"
for pid in "${PIDS[@]}"; do kill -0 "$pid" || die "a proxy died during the run"; done

for lu in "${LABELS[@]}"; do
  tr=${lu%%=*} U=${lu#*=}
  echo
  echo "== userspace proxy ($tr) vs haproxy tcp mode, wrk -t1 -c$CONNS, ${SECS}s x $ROUNDS rounds (same run) =="
  awk -v u="$U" -v tr="$tr" '
    /^RESULT/ { lab=""; rps=""; p99=""; for (i=1;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="label") lab=substr($i,7); if (kv[1]=="rps") rps=kv[2]; if (kv[1]=="p99_ms") p99=kv[2] }
                n[lab]++; r[lab, n[lab]] = rps; q[lab, n[lab]] = p99 }
    END { for (k=1; k<=n[u]; k++) if (r["haproxy-tcp", k] > 0)
            printf "round %d: userspace-%s %s rps (p99 %s ms), haproxy-tcp %s rps (p99 %s ms), direct %s rps, userspace/haproxy %.2f, userspace/direct %.2f\n",
                   k, tr, r[u, k], q[u, k], r["haproxy-tcp", k], q["haproxy-tcp", k], r["direct", k], r[u, k] / r["haproxy-tcp", k], r[u, k] / r["direct", k] }' "$T/l4.out"
  echo "(SUMMARY target=$U is the userspace proxy on $tr)"
done
