#!/usr/bin/env bash
# Usage: bench/proxy/l4.sh [seconds=10] [connections=64] [rounds=3]
#   The userspace proxy (proxy-userspace, a real UserspaceProxier through the test-scope main
#   dev.junction.proxy.userspace.L4BenchProxy) beside haproxy in tcp mode and the direct path, same
#   run, targets interleaved: starts the proxy on an ephemeral port of 127.0.0.1 -> the nginx
#   backend 127.0.0.1:18081 (which l4-proxy.sh starts), then runs
#   ../shared/bench/l4-proxy.sh SECS CONNS ROUNDS "direct haproxy-tcp url=http://127.0.0.1:PORT/".
#   Prints the RESULT/SUMMARY lines of l4-proxy.sh plus the userspace/haproxy ratios and `uptime`.
# Env: PROXY_JAVA_OPTS (JVM flags of the proxy; default below), REBUILD=1 (rebuild the module).
# Loopback only; the proxy JVM is stopped by its PID on exit (l4-proxy.sh stops its own servers).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
. "$SHARED/bench/lib.sh"
SECS=${1:-10} CONNS=${2:-64} ROUNDS=${3:-3}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS:-"-Xms64m -Xmx64m -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Dio.netty.leakDetection.level=disabled"}

cd "$ROOT"
if [ ! -f proxy-userspace/target/test-classes/dev/junction/proxy/userspace/L4BenchProxy.class ] || [ "${REBUILD:-0}" = 1 ]; then
  log "building proxy-userspace (tests skipped)"
  ./mvnw -B -q -o -pl proxy-userspace install -DskipTests >&2
fi
mktmp junction-l4; T=$TMPD
./mvnw -B -q -o -pl proxy-userspace dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$T/cp.txt" >&2
CP="$ROOT/proxy-userspace/target/classes:$ROOT/proxy-userspace/target/test-classes:$(cat "$T/cp.txt")"

# shellcheck disable=SC2086
bg_start "$T/proxy.log" "$JAVA" $PROXY_JAVA_OPTS -cp "$CP" dev.junction.proxy.userspace.L4BenchProxy 127.0.0.1 18081
PROXY_PID=$LAST_PID
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^LISTENING port=\([0-9]*\).*/\1/p' "$T/proxy.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$PROXY_PID" || die "proxy died: $(tail -5 "$T/proxy.log")"
  sleep 0.1
done
[ -n "$port" ] || die "proxy did not start within 30 s"
log "userspace proxy pid=$PROXY_PID on 127.0.0.1:$port -> 127.0.0.1:18081 (JVM: $PROXY_JAVA_OPTS)"
log "load before: $(uptime)"
"$SHARED/bench/l4-proxy.sh" "$SECS" "$CONNS" "$ROUNDS" "direct haproxy-tcp url=http://127.0.0.1:$port/" | tee "$T/l4.out"
log "load after: $(uptime)"
kill -0 "$PROXY_PID" || die "proxy died during the run: $(tail -5 "$T/proxy.log")"

U="url=http://127.0.0.1:$port/"
echo
echo "== userspace proxy vs haproxy tcp mode, wrk -t1 -c$CONNS, ${SECS}s x $ROUNDS rounds (same run) =="
awk -v u="$U" '
  /^RESULT/ { lab=""; rps=""; for (i=1;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="label") lab=substr($i,7); if (kv[1]=="rps") rps=kv[2] }
              n[lab]++; r[lab, n[lab]] = rps }
  END { for (k=1; k<=n[u]; k++) if (r["haproxy-tcp", k] > 0)
          printf "round %d: userspace %s rps, haproxy-tcp %s rps, direct %s rps, userspace/haproxy %.2f, userspace/direct %.2f\n",
                 k, r[u, k], r["haproxy-tcp", k], r["direct", k], r[u, k] / r["haproxy-tcp", k], r[u, k] / r["direct", k] }' "$T/l4.out"
echo "(SUMMARY target=$U is the userspace proxy)"
